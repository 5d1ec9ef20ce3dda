import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { authenticator } from 'otplib';
import request from 'supertest';
import { signedInAccount } from './support/accounts';
import { browserSession } from './support/cookies';
import { LogCapture } from './support/suite-log';
import { OTHER_PASSWORD, STRONG_PASSWORD, startTestApp, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

const pool = new TestPool();
const describeEmulated = pool.emulated ? describe : describe.skip;

/** What the logs say, and what they never say. */
describeEmulated('Logs (e2e)', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp(undefined, logs);
  });
  afterAll(() => release(app));

  it('writes one structured security event per sign-in, logout, password change and reset, and MFA change', async () => {
    const email = uniqueEmail('events');
    const login = await signedInAccount(app, pool, email);
    const sub = (
      await http().get('/auth/me').set('authorization', `Bearer ${login.body.accessToken}`)
    ).body.sub as string;
    const failed = await http().post('/auth/login').send({ email, password: 'Wrong-Passw0rd!' });
    expect(failed.status).toBe(401);
    const other = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    const logout = await http().post('/auth/logout').set(browserSession(other)).send({});
    expect(logout.status).toBe(204);

    // The logout signed the account out everywhere, at Cognito too: the rest needs a new session.
    const fresh = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    expect(fresh.status).toBe(200);
    const auth = { authorization: `Bearer ${fresh.body.accessToken as string}` };
    const setup = await http()
      .post('/account/mfa/totp')
      .set(auth)
      .send({ password: STRONG_PASSWORD });
    const mfa = await http()
      .post('/account/mfa/totp/verify')
      .set(auth)
      .send({ code: authenticator.generate(setup.body.secretCode as string) });
    expect(mfa.status).toBe(204);

    const changed = await http()
      .post('/auth/change-password')
      .set(auth)
      .send({ previousPassword: STRONG_PASSWORD, proposedPassword: OTHER_PASSWORD });
    expect(changed.status).toBe(204);

    expect((await http().post('/auth/forgot-password').send({ email })).status).toBe(202);
    const reset = await http()
      .post('/auth/confirm-forgot-password')
      .send({ email, code: await pool.code(email), newPassword: STRONG_PASSWORD });
    expect(reset.status).toBe(204);

    // MFA is on now: the sign-in asks for the code, which is logged as a challenge.
    const again = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    expect(again.body.nextStep).toBe('SOFTWARE_TOKEN_MFA');

    const summary = logs
      .events()
      .filter((event) => event.context === 'Security')
      .map((event) => [event.event, event.outcome]);
    expect(summary).toEqual([
      ['auth.sign_up', 'success'],
      ['auth.sign_up_confirm', 'success'],
      ['auth.login', 'success'],
      ['auth.login', 'failure'],
      ['auth.login', 'success'],
      ['auth.logout', 'success'],
      ['auth.login', 'success'],
      ['account.mfa_enroll', 'success'],
      ['account.mfa_change', 'success'],
      ['auth.password_change', 'success'],
      ['auth.password_reset_request', 'success'],
      ['auth.password_reset', 'success'],
      ['auth.login', 'challenge'],
    ]);
    const byEvent = (name: string) => logs.events(name);
    expect(byEvent('auth.login')[0]).toMatchObject({
      level: 'info',
      sub,
      ip: '127.0.0.1',
      reqId: login.headers['x-request-id'],
      route: 'POST /auth/login',
    });
    expect(byEvent('auth.login')[1]).toMatchObject({
      outcome: 'failure',
      status: 401,
      error: 'INVALID_CREDENTIALS',
      reqId: failed.body.requestId,
    });
    for (const name of [
      'auth.logout',
      'account.mfa_enroll',
      'account.mfa_change',
      'auth.password_change',
      'auth.password_reset',
    ]) {
      expect(byEvent(name)[0]).toMatchObject({ sub, ip: '127.0.0.1', reqId: expect.any(String) });
    }
    const text = logs.lines.join('\n');
    for (const secret of [
      STRONG_PASSWORD,
      OTHER_PASSWORD,
      'Wrong-Passw0rd!',
      login.body.accessToken,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('names the request on every line written while handling it, and never logs headers or the query', async () => {
    logs.clear();
    const response = await http()
      .get('/auth/me?access_token=query-secret')
      .set('authorization', 'Bearer header-secret.value.x')
      .set('cookie', 'access_token=cookie-secret; refresh_token=refresh-secret');
    expect(response.status).toBe(401);
    const lines = logs.records();
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        reqId: response.body.requestId,
        method: 'GET',
        url: '/auth/me',
        ip: '127.0.0.1',
        statusCode: 401,
      }),
    ]);
    for (const secret of ['query-secret', 'header-secret', 'cookie-secret', 'refresh-secret']) {
      expect(logs.lines.join('\n')).not.toContain(secret);
    }
  });

  it('keeps CR and LF from user input inside one JSON field, so no line can be forged', async () => {
    logs.clear();
    const forged = '\r\n{"level":"error","msg":"forged"}\n';
    await http()
      .post('/auth/login')
      .set('x-request-id', `id${forged}`.replace(/[\r\n]/g, ' '))
      .set('user-agent', 'agent forged')
      .send({ email: `a${forged}@example.com`, password: forged });
    await http()
      .post('/auth/forgot-password')
      .send({ email: `victim@example.com${forged}` });
    await http().get(`/auth/${encodeURIComponent(forged)}`);
    await http().get(`/admin/users/${encodeURIComponent(forged)}`);
    expect(logs.lines.length).toBeGreaterThanOrEqual(4);
    for (const line of logs.lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(record.msg).not.toBe('forged');
    }
  });
});
