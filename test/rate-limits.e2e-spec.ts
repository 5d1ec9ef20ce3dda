import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Response } from 'supertest';
import { TestRedis } from './support/redis-server';
import { LogCapture } from './support/suite-log';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

const pool = new TestPool();

/** Starts an app with its own limits; every app counts from zero. */
async function limitedApp(
  env: Record<string, string | undefined>,
  logs = new LogCapture(),
): Promise<NestFastifyApplication> {
  return withEnv({ RATE_LIMIT_WINDOW_SECONDS: '60', ...env }, () => startTestApp(undefined, logs));
}

function expectLimited(response: Response): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({
    statusCode: 429,
    error: 'TOO_MANY_REQUESTS',
    message: expect.any(String),
    requestId: expect.any(String),
  });
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

const login = (app: NestFastifyApplication, email: string, headers: Record<string, string> = {}) =>
  request(app.getHttpServer())
    .post('/auth/login')
    .set(headers)
    .send({ email, password: 'Wrong-Passw0rd!' });

describe('Rate limits (e2e)', () => {
  const apps: NestFastifyApplication[] = [];
  afterAll(() => release(...apps));
  const started = async (env: Record<string, string | undefined>, logs?: LogCapture) => {
    const app = await limitedApp(env, logs);
    apps.push(app);
    return app;
  };

  it('answers 429 with Retry-After past the per-address limit, and logs it once as a security event', async () => {
    const logs = new LogCapture();
    const app = await started({ RATE_LIMIT_IP: '3', RATE_LIMIT_ACCOUNT: '100' }, logs);
    for (let i = 0; i < 3; i += 1) {
      expect((await login(app, uniqueEmail(`ip-${i}`))).status).toBe(401);
    }
    const blocked = await login(app, uniqueEmail('ip-blocked'));
    expectLimited(blocked);
    const events = logs.events('rate_limit');
    expect(events).toEqual([
      expect.objectContaining({
        outcome: 'blocked',
        limit: 'ip',
        route: 'POST /auth/login',
        ip: '127.0.0.1',
        reqId: blocked.body.requestId,
      }),
    ]);
    // The blocked attempt reached neither Cognito nor the login event.
    expect(logs.events('auth.login')).toHaveLength(3);
  });

  it('ignores a spoofed X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const direct = await started({ RATE_LIMIT_IP: '2', RATE_LIMIT_ACCOUNT: '100' });
    for (let i = 0; i < 2; i += 1) {
      await login(direct, uniqueEmail('spoof'), { 'x-forwarded-for': `203.0.113.${i}` });
    }
    expectLimited(await login(direct, uniqueEmail('spoof'), { 'x-forwarded-for': '198.51.100.7' }));

    const proxied = await started({
      RATE_LIMIT_IP: '2',
      RATE_LIMIT_ACCOUNT: '100',
      TRUST_PROXY: '127.0.0.1',
    });
    for (let i = 0; i < 2; i += 1) {
      await login(proxied, uniqueEmail('proxied'), { 'x-forwarded-for': '203.0.113.9' });
    }
    expectLimited(
      await login(proxied, uniqueEmail('proxied'), { 'x-forwarded-for': '203.0.113.9' }),
    );
    // Behind the trusted proxy, another client has its own count.
    expect(
      (await login(proxied, uniqueEmail('proxied'), { 'x-forwarded-for': '198.51.100.7' })).status,
    ).toBe(401);
  });

  it('limits attempts per account, whatever the letter case, without blocking other accounts', async () => {
    const app = await started({ RATE_LIMIT_IP: '100', RATE_LIMIT_ACCOUNT: '2' });
    const target = uniqueEmail('target');
    expect((await login(app, target)).status).toBe(401);
    expect((await login(app, target.toUpperCase())).status).toBe(401);
    expectLimited(await login(app, ` ${target} `));
    expect((await login(app, uniqueEmail('bystander'))).status).toBe(401);
  });

  it('counts every spelling that reaches one account against that account, fullwidth forms included', async () => {
    const app = await started({ RATE_LIMIT_IP: '100', RATE_LIMIT_ACCOUNT: '2' });
    const target = uniqueEmail('spelled-target');
    const fullwidth = (text: string) =>
      text.replace(/[!-~]/g, (c) => String.fromCodePoint(c.charCodeAt(0) + 0xfee0));
    expect((await login(app, fullwidth(target))).status).toBe(401);
    expect((await login(app, fullwidth(target.toUpperCase()))).status).toBe(401);
    expectLimited(await login(app, target));
  });

  it('limits every route that spends a password, a code or an email', async () => {
    const app = await started({ RATE_LIMIT_IP: '1', RATE_LIMIT_ACCOUNT: '100' });
    const routes = [
      '/auth/sign-up',
      '/auth/confirm-sign-up',
      '/auth/resend-confirmation-code',
      '/auth/login',
      '/auth/challenge',
      '/auth/refresh',
      '/auth/forgot-password',
      '/auth/confirm-forgot-password',
    ];
    for (const route of routes) {
      // The first request is counted even though its body is refused.
      expect((await request(app.getHttpServer()).post(route).send({})).status).toBeLessThan(429);
      expectLimited(await request(app.getHttpServer()).post(route).send({}));
    }
  });

  (pool.emulated ? it : it.skip)(
    'limits the signed-in routes that check a password or a code, or send one',
    async () => {
      const app = await started({ RATE_LIMIT_IP: '1', RATE_LIMIT_ACCOUNT: '100' });
      const http = () => request(app.getHttpServer());
      const email = uniqueEmail('limited-mfa');
      await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD });
      await http()
        .post('/auth/confirm-sign-up')
        .send({ email, code: await pool.code(email) });
      const signedIn = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
      const auth = { authorization: `Bearer ${signedIn.body.accessToken as string}` };
      for (const [method, path] of [
        ['post', '/account/mfa/totp'],
        ['post', '/account/mfa/totp/verify'],
        ['put', '/account/mfa'],
        ['post', '/auth/change-password'],
        ['post', '/account/attributes/email/verify'],
        ['post', '/account/attributes/email/verification-code'],
        ['delete', '/account'],
      ] as const) {
        // Refused (400) or done (2xx): either way the request is counted.
        expect((await http()[method](path).set(auth).send({})).status).toBeLessThan(429);
        expectLimited(await http()[method](path).set(auth).send({}));
      }
    },
  );

  describe('with REDIS_URL', () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await TestRedis.start();
    });
    afterAll(() => release(redis));

    it('counts across instances, and keeps limiting per instance while Redis is down', async () => {
      const env = { RATE_LIMIT_IP: '2', RATE_LIMIT_ACCOUNT: '100', REDIS_URL: redis.url };
      const a = await started(env);
      const b = await started(env);
      expect((await login(a, uniqueEmail('shared'))).status).toBe(401);
      expect((await login(b, uniqueEmail('shared'))).status).toBe(401);
      expectLimited(await login(a, uniqueEmail('shared')));

      await redis.stop();
      // No 500 while Redis is gone: the instance counts in memory (from zero) meanwhile.
      expect((await request(b.getHttpServer()).post('/auth/forgot-password').send({})).status).toBe(
        400,
      );
      expect((await request(b.getHttpServer()).post('/auth/forgot-password').send({})).status).toBe(
        400,
      );
      expectLimited(await request(b.getHttpServer()).post('/auth/forgot-password').send({}));
      await redis.resume();
    });
  });
});
