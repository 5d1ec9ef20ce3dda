import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { CognitoConnection } from '../src/cognito/cognito-connection';
import { findLocalCodes } from '../src/cognito/local/local-codes';
import { browserSession, COOKIE, setCookies } from './support/cookies';
import { rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import {
  embeddedEnv,
  OTHER_PASSWORD,
  STRONG_PASSWORD,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';

/**
 * Identity pools through the embedded mode's local stand-in (src/cognito/local/identity-pool),
 * which checks the ID tokens it is given as Amazon Cognito does and keeps one identity per user
 * in the data folder. The app is started in the embedded mode with its own data folder.
 */
interface Credentials {
  identityId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

const ROLE_EDITORS = 'arn:aws:iam::123456789012:role/app-editors';
const ROLE_VIEWERS = 'arn:aws:iam::123456789012:role/app-viewers';
const ROLE_PUBLISHERS = 'arn:aws:iam::123456789012:role/app-publishers';
const ADMIN_EMAIL = 'identity-admin@example.com';
const ADMIN_PASSWORD = 'Admin-Passw0rd!';

/** The role the stand-in chose, which it writes into the readable part of its session token. */
function roleOf(credentials: Credentials): string {
  const part = credentials.sessionToken.split('.')[1];
  return (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { role: string }).role;
}

describe('AWS credentials from the identity pool (e2e, embedded stand-in)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-pool-'));
  let app: NestFastifyApplication;
  let connection: CognitoConnection;
  const http = () => request(app.getHttpServer());

  async function start(env: Record<string, string | undefined> = {}): Promise<void> {
    app = await withEnv(
      {
        ...embeddedEnv(dataDir),
        COGNITO_LOCAL_ADMIN_EMAIL: ADMIN_EMAIL,
        COGNITO_LOCAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...env,
      },
      () => startTestApp(),
    );
    connection = app.get(CognitoConnection);
  }

  beforeAll(() => start(), 60000);
  afterAll(() => release(app));

  async function account(email = uniqueEmail('idp')): Promise<string> {
    expect(
      (await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD })).status,
    ).toBe(201);
    const code = findLocalCodes(dataDir, connection.userPoolId, email)?.confirmationCode;
    rememberSecret(code, 'code');
    expect((await http().post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
    return email;
  }

  async function login(email: string, password = STRONG_PASSWORD): Promise<Response> {
    const answer = await http().post('/auth/login').send({ email, password });
    expect(answer.status).toBe(200);
    rememberSecret(answer.body.refreshToken as string, 'refresh token');
    return answer;
  }

  /** POST /auth/aws-credentials as a bearer client: the access token, and the body. */
  function bearer(session: Response, body: Record<string, unknown> = {}) {
    return http()
      .post('/auth/aws-credentials')
      .set('authorization', `Bearer ${session.body.accessToken as string}`)
      .send({ idToken: session.body.idToken as string, ...body });
  }

  function credentialsOf(answer: Response): Credentials {
    expect(answer.status).toBe(200);
    const credentials = answer.body as Credentials;
    rememberSecret(credentials.secretAccessKey, 'aws credentials');
    rememberSecret(credentials.sessionToken, 'aws credentials');
    rememberSecret(credentials.accessKeyId, 'aws credentials');
    return credentials;
  }

  it('answers a signed-in user’s credentials, marked local, no-store, for an hour', async () => {
    const session = await login(await account());
    const answer = await bearer(session);
    const credentials = credentialsOf(answer);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(credentials).toEqual({
      identityId: expect.stringMatching(/^us-east-1:[0-9a-f-]{36}$/),
      accessKeyId: expect.stringMatching(/^LOCAL[A-Z0-9]{15}$/),
      secretAccessKey: expect.any(String),
      sessionToken: expect.stringMatching(/^local-identity-pool\./),
      expiration: expect.any(String),
    });
    const lifetime = Date.parse(credentials.expiration) - Date.now();
    expect(lifetime).toBeGreaterThan(3500_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    // Asked again: the same credentials, from the cache.
    expect(credentialsOf(await bearer(session))).toEqual(credentials);
  });

  it('works from a cookie session: the ID token cookie goes to this path only, CSRF applies', async () => {
    const session = await login(await account());
    const [line] = setCookies(session, COOKIE.idToken);
    expect(line).toContain('Path=/auth/aws-credentials');
    expect(line).toContain('HttpOnly');
    expect(line).toContain('SameSite=Strict');
    expect(line).toContain('Secure');
    const browser = browserSession(session, [COOKIE.access, COOKIE.idToken]);
    const viaCookie = credentialsOf(await http().post('/auth/aws-credentials').set(browser).send());
    expect(credentialsOf(await bearer(session))).toEqual(viaCookie);
    // Without the CSRF header, a page of another site cannot make the browser ask.
    const forged = await http().post('/auth/aws-credentials').set('cookie', browser.cookie).send();
    expect(forged.status).toBe(403);
    expect(forged.body.error).toBe('CSRF_REJECTED');
    // Without the ID token cookie (and no body): 401 ID_TOKEN_REQUIRED.
    const noIdToken = await http()
      .post('/auth/aws-credentials')
      .set(browserSession(session, [COOKIE.access]))
      .send();
    expect([noIdToken.status, noIdToken.body.error]).toEqual([401, 'ID_TOKEN_REQUIRED']);
  });

  it('keeps one identity per user, another for another user; logout forgets the credentials', async () => {
    const alice = await account();
    const first = await login(alice);
    const second = await login(alice);
    const fromFirst = credentialsOf(await bearer(first));
    // Another session of the same user: the same identity, the cached credentials.
    expect(credentialsOf(await bearer(second))).toEqual(fromFirst);
    const bob = credentialsOf(await bearer(await login(await account())));
    expect(bob.identityId).not.toBe(fromFirst.identityId);

    const logout = await http()
      .post('/auth/logout')
      .set('authorization', `Bearer ${second.body.accessToken as string}`)
      .send({ refreshToken: second.body.refreshToken as string });
    expect(logout.status).toBe(204);
    // The logged-out session is refused; the other session gets new credentials, same identity.
    const refused = await bearer(second);
    expect(refused.status).toBe(401);
    const renewed = credentialsOf(await bearer(first));
    expect(renewed.identityId).toBe(fromFirst.identityId);
    expect(renewed.accessKeyId).not.toBe(fromFirst.accessKeyId);
  });

  it('a password change (a session cutoff) forgets the credentials and refuses the old ID token', async () => {
    const email = await account();
    const before = await login(email);
    const old = credentialsOf(await bearer(before));
    const change = await http()
      .post('/auth/change-password')
      .set('authorization', `Bearer ${before.body.accessToken as string}`)
      .send({ previousPassword: STRONG_PASSWORD, proposedPassword: OTHER_PASSWORD });
    expect(change.status).toBe(204);
    rememberSecret(OTHER_PASSWORD, 'password');
    const after = await login(email, OTHER_PASSWORD);
    const renewed = credentialsOf(await bearer(after));
    expect(renewed.identityId).toBe(old.identityId);
    expect(renewed.accessKeyId).not.toBe(old.accessKeyId);
    // The new session's access token with the ended session's ID token.
    const stale = await bearer(after, { idToken: before.body.idToken as string });
    expect([stale.status, stale.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
  });

  it('refuses an ID token that is not this session’s: another user’s, an access token, garbage', async () => {
    const mine = await login(await account());
    const theirs = await login(await account());
    for (const idToken of [
      theirs.body.idToken as string,
      mine.body.accessToken as string,
      'not-a-token',
      `${(mine.body.idToken as string).slice(0, -4)}AAAA`,
    ]) {
      const refused = await bearer(mine, { idToken });
      expect([refused.status, refused.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
      expect(refused.headers['cache-control']).toBe('no-store');
    }
    const noAccess = await http()
      .post('/auth/aws-credentials')
      .send({ idToken: mine.body.idToken as string });
    expect(noAccess.status).toBe(401);
    const badBody = await bearer(mine, { roleArn: 'admin' });
    expect([badBody.status, badBody.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    // null and '' are no value: no role asked for; the cookie's ID token is not overridden by ''.
    credentialsOf(await bearer(mine, { roleArn: null }));
    const emptyRole = await bearer(mine, { roleArn: '' });
    expect([emptyRole.status, emptyRole.body.error]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('chooses a role of the user’s groups (cognito:roles, set by an administrator) and refuses any other', async () => {
    const admin = {
      authorization: `Bearer ${(await login(ADMIN_EMAIL, ADMIN_PASSWORD)).body.accessToken as string}`,
    };
    const email = await account();
    const suffix = Math.random().toString(36).slice(2, 8);
    const editors = `editors-${suffix}`;
    for (const [name, roleArn, precedence] of [
      [editors, ROLE_EDITORS, 1],
      [`viewers-${suffix}`, ROLE_VIEWERS, 2],
    ] as const) {
      const created = await http()
        .post('/admin/groups')
        .set(admin)
        .send({ name, roleArn, precedence });
      expect([created.status, created.body.roleArn]).toEqual([201, roleArn]);
      const added = await http()
        .put(`/admin/groups/${name}/members/${encodeURIComponent(email)}`)
        .set(admin);
      expect(added.status).toBe(204);
    }
    const session = await login(email);
    // Without roleArn: the pool's choice, the preferred role (the best precedence).
    expect(roleOf(credentialsOf(await bearer(session)))).toBe(ROLE_EDITORS);
    expect(roleOf(credentialsOf(await bearer(session, { roleArn: ROLE_VIEWERS })))).toBe(
      ROLE_VIEWERS,
    );
    const foreign = await bearer(session, {
      roleArn: 'arn:aws:iam::123456789012:role/administrators',
    });
    expect([foreign.status, foreign.body.error]).toEqual([403, 'ROLE_NOT_ALLOWED']);

    // An administrator gives the group another role: the members' sessions end, so no ID token
    // with the old role can be exchanged any more; the next sign-in carries the new role.
    const changed = await http()
      .patch(`/admin/groups/${editors}`)
      .set(admin)
      .send({ roleArn: ROLE_PUBLISHERS });
    expect([changed.status, changed.body.roleArn]).toEqual([200, ROLE_PUBLISHERS]);
    expect((await bearer(session, { roleArn: ROLE_EDITORS })).status).toBe(401);
    const again = await login(email);
    expect(roleOf(credentialsOf(await bearer(again)))).toBe(ROLE_PUBLISHERS);
    const old = await bearer(again, { roleArn: ROLE_EDITORS });
    expect([old.status, old.body.error]).toEqual([403, 'ROLE_NOT_ALLOWED']);
  });

  it('guests: refused unless offered; after a restart with guests on, the same user keeps the identity', async () => {
    const refused = await http().post('/auth/aws-credentials/guest').send();
    expect([refused.status, refused.body.error]).toEqual([403, 'GUESTS_NOT_ALLOWED']);

    const email = await account();
    const before = credentialsOf(await bearer(await login(email)));
    await release(app);
    await start({ COGNITO_IDENTITY_ALLOW_GUESTS: 'true' });

    const after = credentialsOf(await bearer(await login(email)));
    expect(after.identityId).toBe(before.identityId);

    const guest = credentialsOf(await http().post('/auth/aws-credentials/guest').send());
    expect(guest.identityId).toMatch(/^us-east-1:/);
    expect(guest.identityId).not.toBe(after.identityId);
    expect(roleOf(guest)).toMatch(/unauth/i);
    // The same guest again: the same identity and, cached, the same credentials.
    const again = credentialsOf(
      await http().post('/auth/aws-credentials/guest').send({ identityId: guest.identityId }),
    );
    expect(again).toEqual(guest);
    // A signed-in user's identity cannot be had as a guest.
    const taken = await http()
      .post('/auth/aws-credentials/guest')
      .send({ identityId: after.identityId });
    expect([taken.status, taken.body.error]).toEqual([403, 'GUESTS_NOT_ALLOWED']);
    const unknown = await http()
      .post('/auth/aws-credentials/guest')
      .send({ identityId: 'us-east-1:00000000-0000-4000-8000-000000000000' });
    expect([unknown.status, unknown.body.error]).toEqual([400, 'INVALID_PARAMETER']);
    // Longer than Cognito Identity takes (55): the app's 400, not the pool's refusal as a 502.
    const tooLong = await http()
      .post('/auth/aws-credentials/guest')
      .send({ identityId: `us-east-1:${'0'.repeat(46)}` });
    expect([tooLong.status, tooLong.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    // null and '' are no identity: a new guest, as without the field.
    const fresh = credentialsOf(
      await http().post('/auth/aws-credentials/guest').send({ identityId: null }),
    );
    expect(fresh.identityId).not.toBe(guest.identityId);
  }, 60000);

  it('readiness names the identity pool', async () => {
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.identityPool).toEqual({ status: 'up' });
  });
});
