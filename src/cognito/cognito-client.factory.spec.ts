import { ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCognitoClient } from './cognito-client.factory';
import { mapCognitoError } from './cognito-errors';

type Behaviour = (response: ServerResponse) => void;

/** A stand-in Cognito endpoint on 127.0.0.1 that counts requests and answers as told. */
async function fakeCognito(
  behaviour: Behaviour,
): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits++;
    request.resume();
    behaviour(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, server };
}

function json(status: number, body: unknown): Behaviour {
  return (response) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
}

async function failureOf(url: string, requestTimeoutMs = 2000): Promise<unknown> {
  const client = createCognitoClient({
    region: 'us-east-1',
    endpoint: url,
    requestTimeoutMs,
    maxAttempts: 3,
  });
  try {
    await client.send(new ListUserPoolsCommand({ MaxResults: 1 }));
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
  throw new Error('expected the call to fail');
}

describe(createCognitoClient.name, () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => {
        s.closeAllConnections();
        return new Promise((r) => s.close(r));
      }),
    );
  });

  it("does not retry the emulator's Unsupported answer", async () => {
    const fake = await fakeCognito(
      json(500, {
        __type: 'CognitoLocal#Unsupported',
        message: 'Cognito Local unsupported feature',
      }),
    );
    servers.push(fake.server);
    const error = await failureOf(fake.url);
    expect((error as Error).name).toBe('Unsupported');
    expect(fake.hits()).toBe(1);
    expect(mapCognitoError(error).code).toBe('NOT_SUPPORTED_UPSTREAM');
  });

  it.each<[string, Behaviour]>([
    [
      "another emulator's HTML 500 page",
      (response) => {
        response.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          '<!doctype html><title>500 Internal Server Error</title><h1>Internal Server Error</h1>',
        );
      },
    ],
    ['an HTTP 501', json(501, { __type: 'InternalFailure', message: 'API not yet implemented' })],
  ])('answers %s at once with NOT_SUPPORTED_UPSTREAM, without retrying', async (_, behaviour) => {
    const fake = await fakeCognito(behaviour);
    servers.push(fake.server);
    const started = performance.now();
    const error = await failureOf(fake.url);
    const elapsed = performance.now() - started;
    expect(fake.hits()).toBe(1);
    expect(mapCognitoError(error)).toMatchObject({ status: 501, code: 'NOT_SUPPORTED_UPSTREAM' });
    // One round trip on the loopback; retries would add attempts and back-off.
    expect(elapsed).toBeLessThan(500);
  });

  it('retries a transient Cognito failure, at most maxAttempts times', async () => {
    const fake = await fakeCognito(
      json(500, { __type: 'InternalErrorException', message: 'oops' }),
    );
    servers.push(fake.server);
    const error = await failureOf(fake.url);
    expect((error as Error).name).toBe('InternalErrorException');
    expect(fake.hits()).toBe(3);
  });

  it('does not retry a client error', async () => {
    const fake = await fakeCognito(
      json(400, { __type: 'InvalidParameterException', message: 'bad' }),
    );
    servers.push(fake.server);
    await failureOf(fake.url);
    expect(fake.hits()).toBe(1);
  });

  it('gives up on a Cognito that never answers after the request timeout, without retrying', async () => {
    const fake = await fakeCognito(() => undefined);
    servers.push(fake.server);
    const started = Date.now();
    const error = await failureOf(fake.url, 300);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(fake.hits()).toBe(1);
    expect(mapCognitoError(error)).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('maps a refused connection to 503 UPSTREAM_UNAVAILABLE', async () => {
    const fake = await fakeCognito(() => undefined);
    const url = fake.url;
    await new Promise((r) => fake.server.close(r));
    const error = await failureOf(url);
    expect(mapCognitoError(error)).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
  });
});
