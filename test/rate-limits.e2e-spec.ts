import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Response } from 'supertest';
import { signedInAccount } from './support/accounts';
import { TestRedis } from './support/redis-server';
import { LogCapture } from './support/suite-log';
import {
  OTHER_PASSWORD,
  STRONG_PASSWORD,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';
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

function expectLimited(response: Response, windowSeconds = 60): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({
    statusCode: 429,
    error: 'TOO_MANY_REQUESTS',
    message: expect.any(String),
    requestId: expect.any(String),
  });
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
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

  it('limits requests per account, whatever the letter case, without blocking other accounts', async () => {
    const app = await started({ RATE_LIMIT_IP: '100', RATE_LIMIT_ACCOUNT: '2' });
    const forgot = (email: string) =>
      request(app.getHttpServer()).post('/auth/forgot-password').send({ email });
    const target = uniqueEmail('target');
    expect((await forgot(target)).status).toBe(202);
    expect((await forgot(target.toUpperCase())).status).toBe(202);
    expectLimited(await forgot(` ${target} `));
    expect((await forgot(uniqueEmail('bystander'))).status).toBe(202);
  });

  it('counts every spelling that reaches one account against that account, fullwidth forms included', async () => {
    const app = await started({
      RATE_LIMIT_IP: '100',
      RATE_LIMIT_ACCOUNT: '2',
      RATE_LIMIT_PASSWORD_FAILURES: '2',
    });
    const target = uniqueEmail('spelled-target');
    const fullwidth = (text: string) =>
      text.replace(/[!-~]/g, (c) => String.fromCodePoint(c.charCodeAt(0) + 0xfee0));
    const forgot = (email: string) =>
      request(app.getHttpServer()).post('/auth/forgot-password').send({ email });
    // Requests per account, and wrong passwords per account: both count the stored form.
    expect((await forgot(fullwidth(target))).status).toBe(202);
    expect((await forgot(fullwidth(target.toUpperCase()))).status).toBe(202);
    expectLimited(await forgot(target));
    expect((await login(app, fullwidth(target))).status).toBe(401);
    expect((await login(app, fullwidth(target.toUpperCase()))).status).toBe(401);
    expectLimited(await login(app, target), 900);
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
      // Anonymous, and each one a Cognito call (RevokeToken) even with a junk token.
      '/auth/logout',
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
        ['patch', '/account'],
      ] as const) {
        // Refused (400) or done (2xx): either way the request is counted.
        expect((await http()[method](path).set(auth).send({})).status).toBeLessThan(429);
        expectLimited(await http()[method](path).set(auth).send({}));
      }
    },
  );

  it('limits anonymous logouts with junk tokens per address, before any reaches Cognito', async () => {
    const logs = new LogCapture();
    const app = await started({ RATE_LIMIT_IP: '3', RATE_LIMIT_ACCOUNT: '100' }, logs);
    const junk = () =>
      request(app.getHttpServer())
        .post('/auth/logout')
        .send({ refreshToken: `junk-${Math.random()}` });
    for (let i = 0; i < 3; i += 1) expect((await junk()).status).toBe(204);
    expectLimited(await junk());
    expect(logs.events('auth.logout')).toHaveLength(3);
  });

  describe('messages (codes and invitations)', () => {
    /** The default hourly budget, whatever the suite's environment says. */
    const messageApp = () =>
      started({
        RATE_LIMIT_IP: '1000',
        RATE_LIMIT_ACCOUNT: '1000',
        RATE_LIMIT_MESSAGES: undefined,
      });

    it('sends at most 10 codes per email per hour, over every anonymous route together', async () => {
      const app = await messageApp();
      const http = () => request(app.getHttpServer());
      const victim = uniqueEmail('inbox');
      for (let i = 0; i < 5; i += 1) {
        expect((await http().post('/auth/forgot-password').send({ email: victim })).status).toBe(
          202,
        );
        expect(
          (await http().post('/auth/resend-confirmation-code').send({ email: victim })).status,
        ).toBe(202);
      }
      const eleventh = await http().post('/auth/forgot-password').send({ email: victim });
      expectLimited(eleventh, 3600);
      expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(60);
      expectLimited(
        await http().post('/auth/sign-up').send({ email: victim, password: STRONG_PASSWORD }),
        3600,
      );
      expect(
        (
          await http()
            .post('/auth/forgot-password')
            .send({ email: uniqueEmail('other') })
        ).status,
      ).toBe(202);
    });

    (pool.emulated ? it : it.skip)(
      'sends at most 10 codes per signed-in account per hour: email changes and verification codes together',
      async () => {
        const app = await messageApp();
        const http = () => request(app.getHttpServer());
        const signedIn = await signedInAccount(app, pool, uniqueEmail('bomber'));
        const auth = { authorization: `Bearer ${signedIn.body.accessToken as string}` };
        // A profile change that sends nothing is not a message.
        for (let i = 0; i < 12; i += 1) {
          const renamed = await http()
            .patch('/account')
            .set(auth)
            .send({ attributes: { name: `N${i}` } });
          expect(renamed.status).toBe(200);
        }
        for (let i = 0; i < 5; i += 1) {
          const changed = await http()
            .patch('/account')
            .set(auth)
            .send({
              attributes: { email: uniqueEmail(`third-party-${i}`) },
              password: STRONG_PASSWORD,
            });
          expect(changed.status).toBe(200);
          const sent = await http().post('/account/attributes/email/verification-code').set(auth);
          expect(sent.status).toBe(202);
        }
        const eleventh = await http()
          .patch('/account')
          .set(auth)
          .send({
            attributes: { email: uniqueEmail('third-party-11') },
            password: STRONG_PASSWORD,
          });
        expectLimited(eleventh, 3600);
        expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(60);
        expectLimited(
          await http().post('/account/attributes/email/verification-code').set(auth),
          3600,
        );
      },
    );

    (pool.emulated ? it : it.skip)(
      'sends at most 10 codes per hour to one new address, whichever accounts ask for them',
      async () => {
        const app = await messageApp();
        const http = () => request(app.getHttpServer());
        const target = uniqueEmail('bomb-target');
        const senders = [];
        for (let i = 0; i < 3; i += 1) {
          const login = await signedInAccount(app, pool, uniqueEmail(`bomber-${i}`));
          senders.push({ authorization: `Bearer ${login.body.accessToken as string}` });
        }
        const changeTo = (sender: Record<string, string>, email: string) =>
          http()
            .patch('/account')
            .set(sender)
            .send({ attributes: { email }, password: STRONG_PASSWORD });
        // Each account stays under its own budget (4 + 3 + 3), the address reaches its own.
        for (let i = 0; i < 10; i += 1) {
          expect((await changeTo(senders[i % 3], target)).status).toBe(200);
        }
        expectLimited(await changeTo(senders[1], target), 3600);
        // Another address, from the same accounts, is not affected.
        expect((await changeTo(senders[1], uniqueEmail('elsewhere'))).status).toBe(200);
      },
    );
  });

  describe('wrong passwords', () => {
    const PASSWORD_WINDOW = 900;
    /** Each address may miss 3 times per account, all addresses together 7 times. */
    const budgetEnv = {
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_PASSWORD_FAILURES: '3',
      RATE_LIMIT_PASSWORD_FAILURES_ACCOUNT: '7',
      RATE_LIMIT_PASSWORD_WINDOW_SECONDS: String(PASSWORD_WINDOW),
    };
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const signIn = (
      app: NestFastifyApplication,
      email: string,
      password: string,
      address: string,
    ) =>
      request(app.getHttpServer()).post('/auth/login').set(from(address)).send({ email, password });

    it('throttles the guessing address while the owner still signs in from theirs, up to the account ceiling', async () => {
      const app = await started(budgetEnv);
      const email = uniqueEmail('victim');
      await signedInAccount(app, pool, email);
      const owner = '198.51.100.7';

      for (let i = 0; i < 3; i += 1) {
        expect((await signIn(app, email, OTHER_PASSWORD, '203.0.113.1')).status).toBe(401);
      }
      expectLimited(await signIn(app, email, OTHER_PASSWORD, '203.0.113.1'), PASSWORD_WINDOW);
      // Even the right password is not tried from the throttled address.
      expectLimited(await signIn(app, email, STRONG_PASSWORD, '203.0.113.1'), PASSWORD_WINDOW);
      // Successes do not count: the owner signs in more often than a share allows.
      for (let i = 0; i < 4; i += 1) {
        expect((await signIn(app, email, STRONG_PASSWORD, owner)).status).toBe(200);
      }

      // A second attacking address gets its own share; the account has 6 wrong passwords now.
      for (let i = 0; i < 3; i += 1) {
        expect((await signIn(app, email, OTHER_PASSWORD, '203.0.113.2')).status).toBe(401);
      }
      expect((await signIn(app, email, STRONG_PASSWORD, owner)).status).toBe(200);
      // The seventh reaches the ceiling: from then on every address waits, the owner's too.
      expect((await signIn(app, email, OTHER_PASSWORD, '203.0.113.3')).status).toBe(401);
      expectLimited(await signIn(app, email, STRONG_PASSWORD, owner), PASSWORD_WINDOW);
      // Only this account is affected.
      expect((await signIn(app, uniqueEmail('bystander'), OTHER_PASSWORD, owner)).status).toBe(401);
    });

    it('shares one budget between sign-in, change-password, account deletion and MFA-off', async () => {
      const app = await started(budgetEnv);
      const http = () => request(app.getHttpServer());
      const email = uniqueEmail('spread');
      const signedIn = await signedInAccount(app, pool, email);
      const thief = {
        authorization: `Bearer ${signedIn.body.accessToken as string}`,
        ...from('203.0.113.9'),
      };
      const wrong = 'Guess-Passw0rd!';
      const guesses = [
        () =>
          http()
            .post('/auth/change-password')
            .set(thief)
            .send({ previousPassword: wrong, proposedPassword: OTHER_PASSWORD }),
        () => http().delete('/account').set(thief).send({ password: wrong }),
        () => http().put('/account/mfa').set(thief).send({ totpEnabled: false, password: wrong }),
      ];
      for (const guess of guesses) {
        const refused = await guess();
        expect(refused.status).toBe(400);
        expect(['INCORRECT_PASSWORD', 'PASSWORD_CHANGE_REJECTED']).toContain(refused.body.error);
      }
      // The share of this address is spent: no route tries another password from it.
      for (const guess of guesses) expectLimited(await guess(), PASSWORD_WINDOW);
      expectLimited(await signIn(app, email, wrong, '203.0.113.9'), PASSWORD_WINDOW);
      expect((await signIn(app, email, STRONG_PASSWORD, '198.51.100.7')).status).toBe(200);
    });
  });

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

    it('counts wrong passwords across instances', async () => {
      const env = {
        REDIS_URL: redis.url,
        TRUST_PROXY: '127.0.0.1',
        RATE_LIMIT_PASSWORD_FAILURES: '3',
        RATE_LIMIT_PASSWORD_WINDOW_SECONDS: '900',
      };
      const a = await started(env);
      const b = await started(env);
      const email = uniqueEmail('shared-guesses');
      const guess = (app: NestFastifyApplication, password = OTHER_PASSWORD) =>
        request(app.getHttpServer())
          .post('/auth/login')
          .set('x-forwarded-for', '203.0.113.5')
          .send({ email, password });
      expect((await guess(a)).status).toBe(401);
      expect((await guess(b)).status).toBe(401);
      expect((await guess(a)).status).toBe(401);
      expectLimited(await guess(b), 900);
      expectLimited(await guess(a), 900);
    });
  });
});
