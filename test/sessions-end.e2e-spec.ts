import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Response } from 'supertest';
import { signedInAccount } from './support/accounts';
import { COOKIE, setCookies } from './support/cookies';
import { OTHER_PASSWORD, STRONG_PASSWORD, startTestApp, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

const pool = new TestPool();

/** A password change or reset ends every session of the account, refreshed ones included. */
describe('Ending sessions (e2e)', () => {
  const created: string[] = [];
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  const bearer = (login: Response) => ({
    authorization: `Bearer ${login.body.accessToken as string}`,
  });
  const me = async (login: Response) => (await http().get('/auth/me').set(bearer(login))).status;
  const refresh = (login: Response) =>
    http()
      .post('/auth/refresh')
      .send({
        refreshToken: login.body.refreshToken as string,
        username: (login.body as { username?: string }).username,
      })
      .set(bearer(login));

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  async function account(label: string): Promise<{ email: string; first: Response }> {
    const email = uniqueEmail(label);
    created.push(email);
    return { email, first: await signedInAccount(app, pool, email) };
  }

  it('ends every session after a password change, this one included; a new sign-in works', async () => {
    const { email, first } = await account('change');
    const other = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    expect([await me(first), await me(other)]).toEqual([200, 200]);

    const changed = await http()
      .post('/auth/change-password')
      .set(bearer(first))
      .send({ previousPassword: STRONG_PASSWORD, proposedPassword: OTHER_PASSWORD });
    expect(changed.status).toBe(204);
    expect(setCookies(changed, COOKIE.access)[0]).toMatch(/Max-Age=0/);

    expect([await me(first), await me(other)]).toEqual([401, 401]);
    // Refreshing an ended session does not bring it back.
    const revived = await refresh(other);
    expect(revived.status).toBe(401);
    expect(revived.body.error).toBe('INVALID_REFRESH_TOKEN');

    const again = await http().post('/auth/login').send({ email, password: OTHER_PASSWORD });
    expect(again.status).toBe(200);
    expect(await me(again)).toBe(200);
  });

  (pool.emulated ? it : it.skip)('ends every session after a password reset', async () => {
    const { email, first } = await account('reset');
    expect(await me(first)).toBe(200);
    expect((await http().post('/auth/forgot-password').send({ email })).status).toBe(202);
    const reset = await http()
      .post('/auth/confirm-forgot-password')
      .send({ email, code: await pool.code(email), newPassword: OTHER_PASSWORD });
    expect(reset.status).toBe(204);
    expect(await me(first)).toBe(401);
    expect((await refresh(first)).status).toBe(401);
    const again = await http().post('/auth/login').send({ email, password: OTHER_PASSWORD });
    expect(await me(again)).toBe(200);
  });
});
