import { createServer, type ServerResponse } from 'node:http';
import { createCognitoClient } from '../src/cognito/cognito-client.factory';
import { passwordLogin } from './harness';

/**
 * The login baseline of `npm run bench`: a bare node:http server that makes the same InitiateAuth
 * call as the app, with the same SDK client settings, and answers its tokens as JSON. Nothing
 * else: no framework, validation, cookies, rate limits or logs. Its time over the direct SDK call
 * is the cost of the extra HTTP hop on this machine; the app's time over it is the app's own.
 */
process.on('disconnect', () => process.exit(0));

const appClient = {
  clientId: process.env.COGNITO_CLIENT_ID ?? '',
  clientSecret: process.env.COGNITO_CLIENT_SECRET ?? '',
};
const sdk = createCognitoClient({
  region: 'us-east-1',
  endpoint: process.env.COGNITO_ENDPOINT,
  requestTimeoutMs: 3000,
  maxAttempts: 3,
});

function answer(status: number, body: unknown, res: ServerResponse): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

createServer((req, res) => {
  if (req.method !== 'POST') return answer(200, { status: 'ok' }, res);
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { email, password } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      email: string;
      password: string;
    };
    passwordLogin(sdk, appClient, email, password)
      .then((output) => answer(200, output.AuthenticationResult ?? {}, res))
      .catch(() => answer(502, { status: 'error' }, res));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
