import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { createCognitoClient } from '../src/cognito/cognito-client.factory';
import {
  findFreePort,
  startEmulatorProcess,
  type EmulatorProcess,
} from '../src/cognito/local/emulator-process';
import { findLocalCodes } from '../src/cognito/local/local-codes';
import { ensureLocalPool, type LocalPoolState } from '../src/cognito/local/local-pool';
import { parseEnvironment } from '../src/config/environment';
import { GuardedAppModule } from './support/guarded-test.module';
import { eventually } from './support/processes';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';
import { release } from './support/teardown';

const describeEmulated = process.env.E2E_EMULATOR_DATA_DIR ? describe : describe.skip;

function expectUnavailable(response: Response, startedAt: number): void {
  expect(Date.now() - startedAt).toBeLessThan(5000);
  expect(response.status).toBe(503);
  expect(response.body).toMatchObject({ statusCode: 503, error: 'UPSTREAM_UNAVAILABLE' });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

/**
 * Cognito stops, or hangs: flows answer 503 with Retry-After within seconds, the guard keeps
 * admitting tokens it can verify with the keys it holds, readiness reports it, and everything
 * recovers without restarting the app. A dedicated emulator, so stopping it harms no other spec.
 */
describeEmulated('Upstream faults (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-faults-'));
  let port: number;
  let emulator: EmulatorProcess;
  let pool: LocalPoolState;
  let app: NestFastifyApplication;
  let env: Record<string, string>;
  const tokens: string[] = [];
  const email = uniqueEmail('faults');
  const http = () => request(app.getHttpServer());
  const login = () => http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
  const readiness = async () => (await http().get('/health/ready')).body as { message?: string };

  beforeAll(async () => {
    port = await findFreePort();
    emulator = await startEmulatorProcess(dataDir, port);
    const client = createCognitoClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      requestTimeoutMs: 3000,
      maxAttempts: 1,
    });
    pool = await ensureLocalPool(client, dataDir, parseEnvironment({}).auth.passwordPolicy);
    client.destroy();
    env = {
      COGNITO_ENDPOINT: emulator.endpoint,
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_CLIENT_SECRET: pool.clientSecret,
    };
    app = await withEnv(env, () => startTestApp(GuardedAppModule));
    await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD });
    const code = findLocalCodes(dataDir, pool.userPoolId, email)?.confirmationCode;
    expect((await http().post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
    for (let i = 0; i < 2; i += 1) tokens.push((await login()).body.accessToken as string);
  });
  afterAll(() => release(app, emulator));

  it('answers 503 with Retry-After while Cognito is down, keeps the guard serving, and recovers', async () => {
    const mine = (token: string) =>
      http().get('/reports/mine').set('authorization', `Bearer ${token}`);
    expect((await mine(tokens[0])).status).toBe(200);
    expect((await http().get('/health/ready')).status).toBe(200);

    await emulator.stop();

    let startedAt = Date.now();
    expectUnavailable(await login(), startedAt);
    startedAt = Date.now();
    expectUnavailable(
      await http()
        .post('/auth/sign-up')
        .send({ email: `new-${email}`, password: STRONG_PASSWORD }),
      startedAt,
    );
    // Forgot-password answers before it calls Cognito (its timing must not tell accounts
    // apart), so it still answers 202; the failed call is logged.
    expect((await http().post('/auth/forgot-password').send({ email })).status).toBe(202);
    // Guarded routes make no Cognito call: a known token, and one never presented before (its
    // signature checked with the keys already held), are both admitted.
    expect((await mine(tokens[0])).status).toBe(200);
    expect((await mine(tokens[1])).status).toBe(200);
    expect((await http().get('/health/live')).status).toBe(200);
    // Readiness probes Cognito at most once a second, so it notices within about that.
    await eventually(
      async () => (await readiness()).message === 'Not ready: cognito down.',
      3000,
      'readiness to report Cognito down',
    );

    emulator = await startEmulatorProcess(dataDir, port);
    await eventually(async () => (await login()).status === 200, 5000, 'sign-in to work again');
    await eventually(
      async () => (await http().get('/health/ready')).status === 200,
      3000,
      'readiness to recover',
    );
  });

  describe('when Cognito accepts connections and never answers', () => {
    let hung: Server;
    const sockets: Socket[] = [];
    let stuck: NestFastifyApplication;

    beforeAll(async () => {
      hung = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
      const hungPort = (hung.address() as { port: number }).port;
      stuck = await withEnv(
        {
          ...env,
          COGNITO_ENDPOINT: `http://127.0.0.1:${hungPort}`,
          // The keys still come from the emulator, as they would from a CDN in front of Cognito.
          COGNITO_ISSUER: `${emulator.endpoint}/${pool.userPoolId}`,
          COGNITO_JWKS_URI: `${emulator.endpoint}/${pool.userPoolId}/.well-known/jwks.json`,
        },
        () => startTestApp(GuardedAppModule),
      );
    });
    afterAll(async () => {
      await release(stuck);
      for (const socket of sockets) socket.destroy();
      await release(hung);
    });

    it('answers 503 within the request timeout, and readiness says Cognito is down', async () => {
      const startedAt = Date.now();
      const response = await request(stuck.getHttpServer())
        .post('/auth/login')
        .send({ email, password: STRONG_PASSWORD });
      expectUnavailable(response, startedAt);
      const ready = await request(stuck.getHttpServer()).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.message).toBe('Not ready: cognito down.');
      expect((await request(stuck.getHttpServer()).get('/health/live')).status).toBe(200);
    });
  });

  describe('when the endpoint does not implement an operation', () => {
    // Another emulator's answer to an operation it lacks: its web server's HTML error page.
    let requests = 0;
    const lacking = createHttpServer((incoming, response) => {
      requests += 1;
      incoming.resume();
      response.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>500 Internal Server Error</title>');
    });
    let partial: NestFastifyApplication;

    beforeAll(async () => {
      await new Promise<void>((resolve) => lacking.listen(0, '127.0.0.1', resolve));
      const lackingPort = (lacking.address() as { port: number }).port;
      partial = await withEnv(
        {
          ...env,
          COGNITO_ENDPOINT: `http://127.0.0.1:${lackingPort}`,
          COGNITO_ISSUER: `${emulator.endpoint}/${pool.userPoolId}`,
          COGNITO_JWKS_URI: `${emulator.endpoint}/${pool.userPoolId}/.well-known/jwks.json`,
        },
        () => startTestApp(GuardedAppModule),
      );
    });
    afterAll(() => release(partial, lacking));

    it('answers 501 NOT_SUPPORTED_UPSTREAM at once, asking the endpoint once', async () => {
      requests = 0;
      const startedAt = performance.now();
      const response = await request(partial.getHttpServer())
        .post('/auth/login')
        .send({ email, password: STRONG_PASSWORD });
      const elapsed = performance.now() - startedAt;
      expect(response.status).toBe(501);
      expect(response.body).toMatchObject({ statusCode: 501, error: 'NOT_SUPPORTED_UPSTREAM' });
      expect(response.headers['retry-after']).toBeUndefined();
      expect(requests).toBe(1);
      // One loopback round trip; COGNITO_MAX_ATTEMPTS (3) retries would add attempts and back-off.
      expect(elapsed).toBeLessThan(1000);
    });
  });
});
