import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { findFreePort } from '../src/cognito/local/emulator-process';
import { signedInAccount } from './support/accounts';
import { browserSession, COOKIE, setCookies } from './support/cookies';
import { LogCapture } from './support/suite-log';
import { release } from './support/teardown';
import {
  OTHER_PASSWORD,
  STRONG_PASSWORD,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';
import { TestPool } from './support/test-pool';

const pool = new TestPool();

/**
 * Sessions end when they should, whatever an attacker holding a token tries: after a restart,
 * a demotion, a deleted group or account, and a logout that Cognito could not complete.
 */
describe('Sessions that must end (e2e)', () => {
  const created: string[] = [];
  const apps: NestFastifyApplication[] = [];
  let app: NestFastifyApplication;
  const http = (target = app) => request(target.getHttpServer());
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const tokenOf = (login: Response) => login.body.accessToken as string;
  const me = async (token: string, target = app) =>
    (await http(target).get('/auth/me').set(bearer(token))).status;

  const started = async (env: Record<string, string | undefined> = {}, logs?: LogCapture) => {
    const next = await withEnv(env, () => startTestApp(undefined, logs));
    apps.push(next);
    return next;
  };

  beforeAll(async () => {
    app = await started();
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(...apps);
  });

  async function account(label: string, target = app): Promise<{ email: string; login: Response }> {
    const email = uniqueEmail(label);
    created.push(email);
    return { email, login: await signedInAccount(target, pool, email) };
  }

  const login = async (email: string, password = STRONG_PASSWORD, target = app) => {
    const answer = await http(target).post('/auth/login').send({ email, password });
    expect(answer.status).toBe(200);
    return answer;
  };

  /** An administrator's token: the account is put in the admin group, then signs in again. */
  async function administrator(target = app): Promise<string> {
    const { email } = await account('admin', target);
    await pool.adminAddToGroup(email, 'admin');
    return tokenOf(await login(email, STRONG_PASSWORD, target));
  }

  it('remembers logouts, password changes and disabled accounts across a restart (no Redis)', async () => {
    const env = { STATE_DIR: mkdtempSync(join(tmpdir(), 'state-')), REDIS_URL: undefined };
    const first = await started(env);
    const admin = await administrator(first);
    const loggedOut = await account('restart-logout', first);
    const changed = await account('restart-change', first);
    const otherSession = tokenOf(await login(changed.email, STRONG_PASSWORD, first));
    const disabled = await account('restart-disable', first);

    expect(
      (
        await http(first)
          .post('/auth/logout')
          .set(bearer(tokenOf(loggedOut.login)))
          .send({})
      ).status,
    ).toBe(204);
    expect(
      (
        await http(first)
          .post('/auth/change-password')
          .set(bearer(tokenOf(changed.login)))
          .send({ previousPassword: STRONG_PASSWORD, proposedPassword: OTHER_PASSWORD })
      ).status,
    ).toBe(204);
    expect(
      (
        await http(first)
          .post(`/admin/users/${encodeURIComponent(disabled.email)}/disable`)
          .set(bearer(admin))
      ).status,
    ).toBe(204);
    await first.close();

    const second = await started(env);
    expect(await me(tokenOf(loggedOut.login), second)).toBe(401);
    expect(await me(otherSession, second)).toBe(401);
    expect(await me(tokenOf(disabled.login), second)).toBe(401);
    // The restarted instance still serves the sessions that were not ended.
    expect(await me(admin, second)).toBe(200);
    expect(await me(tokenOf(await login(changed.email, OTHER_PASSWORD, second)), second)).toBe(200);
  });

  (pool.emulated ? it : it.skip)(
    'ends every session of a member removed from a group, who cannot put itself back',
    async () => {
      const admin = await administrator();
      const { email } = await account('demoted');
      await pool.adminAddToGroup(email, 'admin');
      const sessions = [tokenOf(await login(email)), tokenOf(await login(email))];
      for (const token of sessions) {
        expect((await http().get('/admin/users').set(bearer(token))).status).toBe(200);
      }

      const removed = await http()
        .delete(`/admin/groups/admin/members/${encodeURIComponent(email)}`)
        .set(bearer(admin));
      expect(removed.status).toBe(204);

      for (const token of sessions) {
        expect((await http().get('/admin/users').set(bearer(token))).status).toBe(401);
        const back = await http()
          .put(`/admin/groups/admin/members/${encodeURIComponent(email)}`)
          .set(bearer(token));
        expect(back.status).toBe(401);
      }
      // A new sign-in works, without the group.
      const again = tokenOf(await login(email));
      expect((await http().get('/admin/users').set(bearer(again))).status).toBe(403);
    },
  );

  (pool.emulated ? it : it.skip)(
    'ends every session of the members of a deleted group',
    async () => {
      const admin = await administrator();
      const group = `editors-${Date.now()}`;
      expect(
        (await http().post('/admin/groups').set(bearer(admin)).send({ name: group })).status,
      ).toBe(201);
      const { email } = await account('grouped');
      await pool.adminAddToGroup(email, group);
      const sessions = [tokenOf(await login(email)), tokenOf(await login(email))];
      expect(await me(sessions[0])).toBe(200);

      expect((await http().delete(`/admin/groups/${group}`).set(bearer(admin))).status).toBe(204);
      for (const token of sessions) expect(await me(token)).toBe(401);
      expect(await me(admin)).toBe(200);
    },
  );

  it('ends every session of a deleted account, not only the one that deleted it', async () => {
    // An administrator's, whose routes do not ask Cognito about the caller's own token.
    const { email } = await account('deleted');
    await pool.adminAddToGroup(email, 'admin');
    const [first, second] = [tokenOf(await login(email)), tokenOf(await login(email))];
    expect((await http().get('/admin/users').set(bearer(second))).status).toBe(200);
    const deleted = await http()
      .delete('/account')
      .set(bearer(first))
      .send({ password: STRONG_PASSWORD });
    expect(deleted.status).toBe(204);
    for (const token of [first, second]) {
      expect((await http().get('/admin/users').set(bearer(token))).status).toBe(401);
    }
  });

  it('revokes the cookie refresh token even when the body names another (junk) one', async () => {
    const { login: session } = await account('logout-junk');
    const browser = browserSession(session);
    const out = await http()
      .post('/auth/logout')
      .set(browser)
      .send({ refreshToken: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ...' });
    expect(out.status).toBe(204);
    const refreshed = await http()
      .post('/auth/refresh')
      .send({
        refreshToken: session.body.refreshToken as string,
        username: session.body.username as string | undefined,
      })
      .set(bearer(tokenOf(session)));
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.error).toBe('INVALID_REFRESH_TOKEN');
  });

  it('revokes both refresh tokens when the body and the cookie carry different real ones', async () => {
    const { email, login: cookieSession } = await account('logout-both');
    const bodySession = await login(email);
    const out = await http()
      .post('/auth/logout')
      .set(browserSession(cookieSession))
      .send({ refreshToken: bodySession.body.refreshToken as string });
    expect(out.status).toBe(204);
    for (const session of [cookieSession, bodySession]) {
      const refreshed = await http()
        .post('/auth/refresh')
        .send({ refreshToken: session.body.refreshToken as string })
        .set(bearer(tokenOf(session)));
      expect(refreshed.status).toBe(401);
    }
  });

  (pool.emulated ? it : it.skip)(
    'ends the browser session when Cognito cannot be reached at logout, and logs it',
    async () => {
      const { login: session } = await account('logout-down');
      const logs = new LogCapture();
      const issuer = `${process.env.COGNITO_ENDPOINT}/${process.env.COGNITO_USER_POOL_ID}`;
      const down = await started(
        {
          COGNITO_ENDPOINT: `http://127.0.0.1:${await findFreePort()}`,
          // The keys still come from the emulator, as they would from a CDN in front of Cognito.
          COGNITO_ISSUER: issuer,
          COGNITO_JWKS_URI: `${issuer}/.well-known/jwks.json`,
          COGNITO_MAX_ATTEMPTS: '1',
        },
        logs,
      );
      const out = await http(down).post('/auth/logout').set(browserSession(session)).send({});
      expect(out.status).toBe(204);
      expect(setCookies(out, COOKIE.access)[0]).toMatch(/Max-Age=0/);
      expect(setCookies(out, COOKIE.refresh)[0]).toMatch(/Max-Age=0/);
      expect(logs.events('auth.logout_upstream')).toEqual([
        expect.objectContaining({ outcome: 'failure', error: expect.stringMatching(/UPSTREAM/) }),
      ]);

      // This instance refuses the session's tokens itself, without Cognito.
      expect(await me(tokenOf(session), down)).toBe(401);
      const refreshed = await http(down)
        .post('/auth/refresh')
        .send({
          refreshToken: session.body.refreshToken as string,
          username: session.body.username as string | undefined,
        });
      expect(refreshed.status).toBe(401);
      expect(refreshed.body.error).toBe('INVALID_REFRESH_TOKEN');
    },
  );

  it('says which credential it refused: a stale Authorization header, or the session cookie', async () => {
    const { login: stale } = await account('stale-bearer');
    expect(
      (
        await http()
          .post('/auth/logout')
          .set(bearer(tokenOf(stale)))
          .send({})
      ).status,
    ).toBe(204);
    const { login: fresh } = await account('fresh-cookie');
    const withStaleHeader = await http()
      .get('/auth/me')
      .set({ ...browserSession(fresh), ...bearer(tokenOf(stale)) });
    expect(withStaleHeader.status).toBe(401);
    expect(withStaleHeader.body.message).toMatch(/Authorization header/);
    expect(withStaleHeader.body.message).toMatch(/session cookie/);

    const cookieOnly = await http().get('/auth/me').set(browserSession(stale));
    expect(cookieOnly.status).toBe(401);
    expect(cookieOnly.body.message).toMatch(/^The access token in the session cookie/);
    expect((await http().get('/auth/me').set(browserSession(fresh))).status).toBe(200);
  });
});
