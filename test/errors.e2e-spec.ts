import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { Public } from '../src/auth/decorators';
import { findFreePort } from '../src/cognito/local/emulator-process';
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
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp(AppWithFaultsModule);
  });
  afterAll(() => release(app));

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
