import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { Public } from '../src/guard';
import { findFreePort } from '../src/cognito/local/emulator-process';
import { MAX_JSON_DEPTH } from '../src/common/http/json-body';
import { LogCapture } from './support/suite-log';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

@Controller('test-faults')
class FaultsController {
  @Public()
  @Get('throw')
  explode(): never {
    throw new Error('connection to db://admin:hunter2@10.0.0.1 failed');
  }

  @Public()
  @Get('ok')
  ok(): { ok: boolean } {
    return { ok: true };
  }
}

/** The real app plus a route that fails unexpectedly. */
@Module({ imports: [AppModule], controllers: [FaultsController] })
class AppWithFaultsModule {}

describe('Errors (e2e)', () => {
  let app: NestFastifyApplication;
  const pool = new TestPool();
  const logs = new LogCapture();
  const http = () => request(app.getHttpServer());
  const errorLines = () =>
    logs.records().filter((record) => record.level === 'error' || record.level === 'fatal');

  beforeAll(async () => {
    app = await startTestApp(AppWithFaultsModule, logs);
  });
  afterAll(() => release(app));

  it('answers what the HTTP parser refuses (huge headers, a malformed request) in the error body', async () => {
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const raw = (payload: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(payload));
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    const cases = [
      [
        `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
      ['GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, 'BAD_REQUEST'],
      ['get /health/live HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ] as const;
    for (const [payload, status, code] of cases) {
      const answer = await raw(payload);
      expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<
        string,
        unknown
      >;
      expect(body).toEqual({
        statusCode: status,
        error: code,
        message: expect.any(String),
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(answer).toMatch(new RegExp(`x-request-id: ${String(body.requestId)}`, 'i'));
    }
    expect((await http().get('/health/live')).status).toBe(200);
  });

  it('answers an unknown route with 404 in the error body', async () => {
    const response = await http().get('/no-such-route');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: 'Cannot GET /no-such-route',
      requestId: response.headers['x-request-id'],
    });
  });

  it('answers an unexpected failure with a generic 500 and keeps serving', async () => {
    const response = await http().get('/test-faults/throw');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side. Try again later.',
      requestId: expect.any(String),
    });
    expect(response.text).not.toMatch(/hunter2|db:|10\.0\.0\.1|at .*\.ts/);
    expect((await http().get('/test-faults/ok')).body).toEqual({ ok: true });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses a %s body with 415',
    async (contentType) => {
      const response = await http()
        .post('/auth/login')
        .set('content-type', contentType)
        .send('email=a');
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ statusCode: 415, error: 'UNSUPPORTED_MEDIA_TYPE' });
    },
  );

  it('refuses a body over 100 kB with 413', async () => {
    const response = await http()
      .post('/auth/login')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(110 * 1024) }));
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413, error: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers malformed JSON with 400 in the error body', async () => {
    const response = await http()
      .post('/auth/login')
      .set('content-type', 'application/json')
      .send('{"email":');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      error: 'BAD_REQUEST',
      requestId: expect.any(String),
    });
  });

  /** `{"email":[[...]]}` with `levels` levels of nesting in all. */
  const nested = (levels: number) => `{"email":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

  it(`refuses a body nested more than ${MAX_JSON_DEPTH} levels with 400 before validation, logging no error`, async () => {
    logs.clear();
    for (const levels of [MAX_JSON_DEPTH + 1, 1500, 40000]) {
      for (const route of ['/auth/login', '/auth/sign-up']) {
        const response = await http()
          .post(route)
          .set('content-type', 'application/json')
          .send(nested(levels));
        expect([levels, route, response.status, response.body.error]).toEqual([
          levels,
          route,
          400,
          'VALIDATION_FAILED',
        ]);
        expect(response.body.message).toBe(
          `The body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep.`,
        );
      }
    }
    // A guarded route parses its body before the guard runs: the same answer, not a 500.
    const guarded = await http()
      .patch('/account')
      .set('content-type', 'application/json')
      .send(`{"attributes":${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}}`);
    expect([guarded.status, guarded.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    // Brackets inside strings are text, not nesting; a body at the limit reaches validation.
    const inString = await http()
      .post('/auth/login')
      .send({ email: '['.repeat(5000), password: `{"${'{'.repeat(200)}` });
    expect(inString.body.details).toEqual([{ field: 'email', messages: [expect.any(String)] }]);
    const atLimit = await http()
      .post('/auth/login')
      .set('content-type', 'application/json')
      .send(nested(MAX_JSON_DEPTH));
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'email' })]),
    );
    expect(errorLines()).toEqual([]);
  });

  it('still refuses __proto__ and constructor.prototype keys in a body (400)', async () => {
    for (const body of [
      '{"email":"a@example.com","password":"x","__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
    ]) {
      const response = await http()
        .post('/auth/login')
        .set('content-type', 'application/json')
        .send(body);
      expect([response.status, response.body.error]).toEqual([400, 'BAD_REQUEST']);
    }
  });

  it.each([
    ['a parent folder', '/docs/../../package.json'],
    ['an encoded parent folder', '/docs/%2e%2e/%2e%2e/package.json'],
    ['an encoded slash', '/docs/%2E%2E%2Fpackage.json'],
    ['encoded backslashes', '/docs/..%5c..%5cpackage.json'],
    ['a NUL', '/docs/%00'],
    ['a NUL inside a name', '/docs/swagger-ui.css%00.js'],
    ['a double slash', '/docs//etc/passwd'],
    ['a dot folder', '/docs/./swagger-ui.css'],
    ['500 folders', `/docs/${'a/'.repeat(500)}x`],
  ])(
    'answers a static path with %s with 404 in the error body, logging no error',
    async (_, path) => {
      logs.clear();
      const response = await http().get(path);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
      expect(response.text).not.toContain('"name"'); // not package.json
      expect(errorLines()).toEqual([]);
    },
  );

  it('still serves Swagger UI and its files', async () => {
    expect((await http().get('/docs')).status).toBe(200);
    expect((await http().get('/docs/swagger-ui.css')).status).toBe(200);
    expect((await http().get('/docs-json')).status).toBe(200);
  });

  it.each(['/%', '/docs/%', '/auth/%zz', '/docs/%c0%ae%c0%ae/package.json'])(
    'answers the unreadable address %s with 400 in the one error body',
    async (path) => {
      const response = await http().get(path);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'BAD_REQUEST',
        message: 'The address is not valid.',
        requestId: response.headers['x-request-id'],
      });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('keeps a plain incoming X-Request-Id and replaces anything else', async () => {
    const kept = await http().get('/no-such-route').set('x-request-id', 'trace-abc.123');
    expect(kept.headers['x-request-id']).toBe('trace-abc.123');
    expect(kept.body.requestId).toBe('trace-abc.123');
    const replaced = await http().get('/no-such-route').set('x-request-id', 'x'.repeat(100));
    expect(replaced.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  (pool.emulated ? describe : describe.skip)('when Cognito and its keys are unreachable', () => {
    let accessToken: string;
    let down: NestFastifyApplication;

    beforeAll(async () => {
      const email = uniqueEmail('outage');
      await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD });
      await http()
        .post('/auth/confirm-sign-up')
        .send({ email, code: await pool.code(email) });
      accessToken = (await http().post('/auth/login').send({ email, password: STRONG_PASSWORD }))
        .body.accessToken;

      const deadPort = await findFreePort();
      const issuer = `${process.env.COGNITO_ENDPOINT}/${process.env.COGNITO_USER_POOL_ID}`;
      down = await withEnv(
        {
          COGNITO_ENDPOINT: `http://127.0.0.1:${deadPort}`,
          COGNITO_ISSUER: issuer,
          COGNITO_JWKS_URI: `http://127.0.0.1:${deadPort}/jwks.json`,
          LOG_LEVEL: 'fatal',
        },
        () => startTestApp(),
      );
    });
    afterAll(() => release(down));

    it('answers a flow with 503 UPSTREAM_UNAVAILABLE and Retry-After within seconds', async () => {
      const started = Date.now();
      const response = await request(down.getHttpServer())
        .post('/auth/login')
        .send({ email: 'a@example.com', password: STRONG_PASSWORD });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ error: 'UPSTREAM_UNAVAILABLE' });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('never lets a request through when the signing keys cannot be fetched', async () => {
      const response = await request(down.getHttpServer())
        .get('/auth/me')
        .set('authorization', `Bearer ${accessToken}`);
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ error: 'UPSTREAM_UNAVAILABLE' });
    });
  });
});
