import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppException } from '../common/errors/app.exception';
import type { cognitoConfig } from '../config';
import { CognitoConnection } from './cognito-connection';
import { ManagedLoginAdapter } from './managed-login.adapter';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback server answering each request with the next handler (the last one repeats). */
async function stubServer(
  ...handlers: Handler[]
): Promise<{ origin: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const handler = handlers[Math.min(requests.length - 1, handlers.length - 1)];
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, server, requests };
}

const answer =
  (status: number, body: unknown, contentType = 'application/json'): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

const POOL_ID = 'us-east-1_Ab12Cd34';
const CLIENT_ID = 'client0123456789abcdefghij';

function adapter(origin: string, options: { domain?: boolean; timeoutMs?: number } = {}) {
  const issuer = `${origin}/${POOL_ID}`;
  const connection = new CognitoConnection({
    mode: 'endpoint',
    region: 'us-east-1',
    userPoolId: POOL_ID,
    clientId: CLIENT_ID,
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    domain: options.domain === false ? undefined : origin,
  });
  return new ManagedLoginAdapter(connection, { connection, clientSecret: 'secret0123456789' }, {
    requestTimeoutMs: options.timeoutMs ?? 3000,
  } as ConfigType<typeof cognitoConfig>);
}

/** The exchange of a callback whose state matches: the token endpoint is then called. */
function exchange() {
  const callbackUrl = new URL('http://127.0.0.1:3000/auth/oauth/callback?code=abc&state=s1');
  return { callbackUrl, codeVerifier: 'v'.repeat(43), state: 's1', nonce: 'n1' };
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppException) return { status: error.getStatus(), code: error.code };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('ManagedLoginAdapter', () => {
  const servers: Server[] = [];
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  });
  async function stub(...handlers: Handler[]) {
    const started = await stubServer(...handlers);
    servers.push(started.server);
    return started;
  }

  describe('maps what the token endpoint answers', () => {
    it.each([
      [
        '400 invalid_grant (code used, expired, wrong verifier)',
        answer(400, { error: 'invalid_grant' }),
        400,
        'OAUTH_CALLBACK_INVALID',
      ],
      [
        '400 invalid_client (a wrong secret)',
        answer(400, { error: 'invalid_client' }),
        502,
        'UPSTREAM_ERROR',
      ],
      [
        '400 unauthorized_client',
        answer(400, { error: 'unauthorized_client' }),
        502,
        'UPSTREAM_ERROR',
      ],
      [
        '500 with an OAuth error body',
        answer(500, { error: 'server_error' }),
        503,
        'UPSTREAM_UNAVAILABLE',
      ],
      [
        '502 from a proxy, in HTML',
        answer(502, '<html>Bad Gateway</html>', 'text/html'),
        503,
        'UPSTREAM_UNAVAILABLE',
      ],
      ['503 without a body', answer(503, ''), 503, 'UPSTREAM_UNAVAILABLE'],
      [
        '200 that is not a token answer',
        answer(200, { hello: 'world' }),
        400,
        'OAUTH_CALLBACK_INVALID',
      ],
    ])('%s', async (_label, handler, status, code) => {
      const { origin, requests } = await stub(handler);
      await expect(failure(adapter(origin).exchangeCode(exchange()))).resolves.toEqual({
        status,
        code,
      });
      expect(requests).toEqual(['POST /oauth2/token']);
    });

    it('no connection: 503', async () => {
      const { origin, server } = await stub(answer(200, {}));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await expect(failure(adapter(origin).exchangeCode(exchange()))).resolves.toEqual({
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
      });
    });

    it('no answer within COGNITO_REQUEST_TIMEOUT_MS: 503', async () => {
      const { origin } = await stub(() => undefined);
      await expect(
        failure(adapter(origin, { timeoutMs: 1000 }).exchangeCode(exchange())),
      ).resolves.toEqual({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    });

    it('a callback whose state is not the expected one: 400 before any request', async () => {
      const { origin, requests } = await stub(answer(200, {}));
      const wrong = { ...exchange(), state: 'another' };
      await expect(failure(adapter(origin).exchangeCode(wrong))).resolves.toEqual({
        status: 400,
        code: 'OAUTH_CALLBACK_INVALID',
      });
      expect(requests).toEqual([]);
    });
  });

  describe('without COGNITO_DOMAIN', () => {
    const discovery = (origin: string) => ({
      issuer: `${origin}/${POOL_ID}`,
      jwks_uri: `${origin}/${POOL_ID}/.well-known/jwks.json`,
      authorization_endpoint: `${origin}/domain/oauth2/authorize`,
      token_endpoint: `${origin}/domain/oauth2/token`,
      end_session_endpoint: `${origin}/domain/logout`,
    });

    it('discovers the endpoints at the issuer, and tries again after a failed discovery', async () => {
      let origin = '';
      const started = await stub(answer(503, ''), (req, res) =>
        answer(200, discovery(origin))(req, res),
      );
      origin = started.origin;
      const login = adapter(origin, { domain: false });
      const request = {
        redirectUri: 'http://127.0.0.1:3000/auth/oauth/callback',
        scopes: ['openid', 'email'],
        state: 's1',
        nonce: 'n1',
        codeChallenge: 'c'.repeat(43),
      };
      await expect(failure(login.authorizationUrl(request))).resolves.toEqual({
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
      });
      const url = await login.authorizationUrl(request);
      expect(`${url.origin}${url.pathname}`).toBe(`${origin}/domain/oauth2/authorize`);
      // Discovered once, then kept.
      await login.logoutUrl('http://127.0.0.1:3000/');
      expect(started.requests).toEqual([
        `GET /${POOL_ID}/.well-known/openid-configuration`,
        `GET /${POOL_ID}/.well-known/openid-configuration`,
      ]);
    });

    it.each([
      ['404 (a wrong issuer address)', (_origin: string) => answer(404, { message: 'Not found' })],
      [
        'a document of another issuer',
        (origin: string) => answer(200, { ...discovery(origin), issuer: 'https://evil.example' }),
      ],
      [
        'a document that is not JSON',
        (_origin: string) => answer(200, '<html></html>', 'text/html'),
      ],
    ])(
      'a discovery that fails for another reason than an outage (%s): 502 UPSTREAM_ERROR, never a 400 about a code',
      async (_label, make) => {
        let origin = '';
        const started = await stub((req, res) => make(origin)(req, res));
        origin = started.origin;
        await expect(
          failure(adapter(origin, { domain: false }).logoutUrl('http://127.0.0.1:3000/')),
        ).resolves.toEqual({ status: 502, code: 'UPSTREAM_ERROR' });
      },
    );

    it('a discovery document that names no managed login: 404 FEDERATION_NOT_CONFIGURED', async () => {
      let origin = '';
      const started = await stub((req, res) => {
        const { issuer, jwks_uri } = discovery(origin);
        answer(200, { issuer, jwks_uri })(req, res);
      });
      origin = started.origin;
      await expect(
        failure(adapter(origin, { domain: false }).logoutUrl('http://127.0.0.1:3000/')),
      ).resolves.toEqual({ status: 404, code: 'FEDERATION_NOT_CONFIGURED' });
    });
  });

  describe('with COGNITO_DOMAIN', () => {
    it('builds /oauth2/authorize with PKCE S256, and identity_provider only when asked', async () => {
      const origin = 'http://127.0.0.1:9';
      const login = adapter(origin);
      const request = {
        redirectUri: 'http://127.0.0.1:3000/auth/oauth/callback',
        scopes: ['openid', 'email'],
        state: 's1',
        nonce: 'n1',
        codeChallenge: 'c'.repeat(43),
      };
      const url = await login.authorizationUrl({ ...request, identityProvider: 'Google' });
      expect(`${url.origin}${url.pathname}`).toBe(`${origin}/oauth2/authorize`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: request.redirectUri,
        scope: 'openid email',
        state: 's1',
        nonce: 'n1',
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
        identity_provider: 'Google',
      });
      const page = await login.authorizationUrl(request);
      expect(page.searchParams.has('identity_provider')).toBe(false);
    });

    it("answers Cognito's /logout address: client_id and logout_uri", async () => {
      const origin = 'http://127.0.0.1:9';
      const url = await adapter(origin).logoutUrl('http://127.0.0.1:3000/signed-out');
      expect(`${url.origin}${url.pathname}`).toBe(`${origin}/logout`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: CLIENT_ID,
        logout_uri: 'http://127.0.0.1:3000/signed-out',
      });
    });
  });
});
