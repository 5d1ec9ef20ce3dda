import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { authenticator } from 'otplib';
import request, { type Response } from 'supertest';
import { signedInAccount, totpSignIn } from './support/accounts';
import { browserSession, COOKIE } from './support/cookies';
import { rememberSecret } from './support/suite-log';
import { STRONG_PASSWORD, startTestApp, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

/**
 * A sign-in that took a step (a new password, an MFA code) is a sign-in like any other: its
 * refresh token gets new tokens, sent in the body or by the cookie session.
 */
describe('Refresh after a sign-in with a step (e2e)', () => {
  let app: NestFastifyApplication;
  const pool = new TestPool();
  const created: string[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  /** Refreshes the session the challenge answer opened both ways, and uses the new tokens. */
  async function expectRefreshWorks(answered: Response): Promise<void> {
    expect(answered.status).toBe(200);
    const { accessToken, refreshToken } = answered.body as Record<string, string>;
    expect(refreshToken).toEqual(expect.any(String));
    rememberSecret(refreshToken, 'refresh token');
    const me = await http().get('/auth/me').set('authorization', `Bearer ${accessToken}`);
    expect(me.status).toBe(200);

    const byBody = await http()
      .post('/auth/refresh')
      .send({ refreshToken, username: me.body.username });
    expect([byBody.status, byBody.body.error]).toEqual([200, undefined]);
    expect(byBody.body.accessToken).toEqual(expect.any(String));
    expect(byBody.body.accessToken).not.toBe(accessToken);

    const byCookie = await http()
      .post('/auth/refresh')
      .set(browserSession(answered, [COOKIE.refresh, COOKIE.refreshUsername]))
      .send({});
    expect([byCookie.status, byCookie.body.error]).toEqual([200, undefined]);

    for (const fresh of [byBody, byCookie]) {
      const again = await http()
        .get('/auth/me')
        .set('authorization', `Bearer ${fresh.body.accessToken}`);
      expect(again.status).toBe(200);
      expect(again.body.sub).toBe(me.body.sub);
    }
  }

  it('refreshes after the NEW_PASSWORD_REQUIRED step of an invited user', async () => {
    const email = uniqueEmail('invited-refresh');
    created.push(email);
    await pool.adminInvite(email, 'Temp-Passw0rd!');
    const login = await http().post('/auth/login').send({ email, password: 'Temp-Passw0rd!' });
    expect(login.body.nextStep).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await http().post('/auth/challenge').send({
      email,
      nextStep: 'NEW_PASSWORD_REQUIRED',
      session: login.body.session,
      newPassword: STRONG_PASSWORD,
    });
    await expectRefreshWorks(answered);
  });

  it('refreshes after the SOFTWARE_TOKEN_MFA step', async () => {
    const email = uniqueEmail('totp-refresh');
    created.push(email);
    const first = await signedInAccount(app, pool, email);
    const auth = `Bearer ${first.body.accessToken}`;
    const setup = await http()
      .post('/account/mfa/totp')
      .set('authorization', auth)
      .send({ password: STRONG_PASSWORD });
    const secret = (setup.body as { secretCode: string }).secretCode;
    expect(
      (
        await http()
          .post('/account/mfa/totp/verify')
          .set('authorization', auth)
          .send({ code: authenticator.generate(secret) })
      ).status,
    ).toBe(204);
    expect(
      (
        await http()
          .put('/account/mfa')
          .set('authorization', auth)
          .send({ totpEnabled: true, password: STRONG_PASSWORD })
      ).status,
    ).toBe(200);

    await expectRefreshWorks(await totpSignIn(app, email, secret));
  });
});
