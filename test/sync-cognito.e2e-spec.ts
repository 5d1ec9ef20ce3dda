import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { SessionTermination } from '../src/guard';
import { IdentityService } from '../src/identity/identity.service';
import { browserSession, COOKIE, cookieValue, setCookies } from './support/cookies';
import { startCognitoSyncServer, type CognitoSyncServer } from './support/cognito-sync-server';
import {
  createMotoIdentitySetup,
  motoAppEnv,
  type MotoIdentitySetup,
} from './support/moto-identity';
import { startMoto, type MotoServer } from './support/moto-server';
import { rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';

const REGION = 'eu-west-1';

interface Session {
  accessToken: string;
  idToken: string;
  sub: string;
  login: Response;
}

function subOf(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
    sub: string;
  };
  return claims.sub;
}

/**
 * User data sync with SYNC_BACKEND=cognito-sync: the user pool and identity pool on moto, Cognito
 * Sync on the tests' own Cognito Sync server (moto has none), the app in custom-endpoint mode. The
 * datasets belong to the user's identity-pool identity, found from the session's ID token.
 */
describe('User data sync on Cognito Sync (e2e)', () => {
  let moto: MotoServer;
  let setup: MotoIdentitySetup;
  let sync: CognitoSyncServer;
  let app: NestFastifyApplication;
  let stateDir: string;
  const alice = { email: uniqueEmail('sync-alice'), password: STRONG_PASSWORD };
  const bob = { email: uniqueEmail('sync-bob'), password: STRONG_PASSWORD };

  const http = () => request(app.getHttpServer());

  function start(): Promise<NestFastifyApplication> {
    return withEnv(
      {
        ...motoAppEnv(moto.endpoint, setup, REGION),
        SYNC_BACKEND: 'cognito-sync',
        COGNITO_SYNC_ENDPOINT: sync.endpoint,
        STATE_DIR: stateDir,
      },
      () => startTestApp(),
    );
  }

  async function signIn(user: { email: string; password: string }): Promise<Session> {
    const login = await http().post('/auth/login').send(user);
    expect([login.status, login.body.error]).toEqual([200, undefined]);
    const { accessToken, idToken, refreshToken } = login.body as Record<string, string>;
    rememberSecret(refreshToken, 'refresh token');
    rememberSecret(idToken, 'id token');
    return { accessToken, idToken, sub: subOf(accessToken), login };
  }

  /** The bearer headers of `session`, with its ID token unless another (or null: none) is given. */
  const bearer = (session: Session, idToken: string | null = session.idToken) => ({
    authorization: `Bearer ${session.accessToken}`,
    ...(idToken ? { 'x-id-token': idToken } : {}),
  });

  async function identityOf(session: Session): Promise<string> {
    const identityId = await app.get(IdentityService).knownIdentityId(session.sub);
    if (!identityId) throw new Error('no identity known');
    return identityId;
  }

  beforeAll(async () => {
    moto = await startMoto();
    setup = await createMotoIdentitySetup(moto.endpoint, REGION);
    sync = await startCognitoSyncServer();
    for (const user of [alice, bob]) await setup.createUser(user.email, user.password);
    rememberSecret(STRONG_PASSWORD, 'password');
    stateDir = mkdtempSync(join(tmpdir(), 'sync-cognito-state-'));
    app = await start();
  });
  afterAll(() => release(app, setup, sync, moto));

  it('a bearer client: create, pull what changed, conflict, delete; the data is the identity’s', async () => {
    const me = await signIn(alice);
    const created = await http()
      .patch('/sync/datasets/settings')
      .set(bearer(me))
      .send({
        syncCount: 0,
        changes: [
          { op: 'put', key: 'theme', value: 'dark' },
          { op: 'put', key: 'lang', value: 'en' },
        ],
      });
    expect([created.status, created.body.syncCount]).toEqual([200, 1]);
    expect(created.body.records).toHaveLength(2);

    // Kept in Cognito Sync under the user's identity of the identity pool.
    const identityId = await identityOf(me);
    expect(identityId).toMatch(/^[a-z]{2}-[a-z]+-\d:[0-9a-f-]+$/);
    const stored = sync.datasets(setup.identityPoolId, identityId);
    expect(stored.map((dataset) => [dataset.name, dataset.syncCount])).toEqual([['settings', 1]]);

    const second = await http()
      .patch('/sync/datasets/settings')
      .set(bearer(me))
      .send({ syncCount: 1, changes: [{ op: 'remove', key: 'lang' }] });
    expect([second.status, second.body.syncCount]).toEqual([200, 2]);
    const pulled = await http().get('/sync/datasets/settings?sinceSyncCount=1').set(bearer(me));
    expect(pulled.status).toBe(200);
    expect(pulled.body).toMatchObject({
      name: 'settings',
      syncCount: 2,
      records: [{ key: 'lang', syncCount: 2, deleted: true }],
    });

    // A device still at count 1 changing a record another device changed since.
    const stale = await http()
      .patch('/sync/datasets/settings')
      .set(bearer(me))
      .send({ syncCount: 1, changes: [{ op: 'put', key: 'lang', value: 'fr' }] });
    expect([stale.status, stale.body.error]).toEqual([409, 'SYNC_CONFLICT']);
    expect(stale.body.conflict).toMatchObject({ syncCount: 2, records: [{ key: 'lang' }] });

    const listed = await http().get('/sync/datasets').set(bearer(me));
    expect(listed.body).toMatchObject([{ name: 'settings', syncCount: 2, recordCount: 1 }]);
    expect((await http().delete('/sync/datasets/settings').set(bearer(me))).status).toBe(204);
    expect((await http().get('/sync/datasets/settings').set(bearer(me))).status).toBe(404);
    expect(sync.datasets(setup.identityPoolId, identityId)).toEqual([]);
  });

  it('needs the session’s own ID token: none, another user’s or a forged one is 401', async () => {
    const me = await signIn(alice);
    const other = await signIn(bob);
    const none = await http().get('/sync/datasets').set(bearer(me, null));
    expect([none.status, none.body.error]).toEqual([401, 'ID_TOKEN_REQUIRED']);
    expect(none.body.message).toContain('X-Id-Token');
    const foreign = await http().get('/sync/datasets').set(bearer(me, other.idToken));
    expect([foreign.status, foreign.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
    // An access token in place of the ID token.
    const swapped = await http().get('/sync/datasets').set(bearer(me, me.accessToken));
    expect([swapped.status, swapped.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
    const [header, , signature] = me.idToken.split('.');
    const forgedClaims = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(other.idToken.split('.')[1], 'base64url').toString()),
        sub: me.sub,
      }),
    ).toString('base64url');
    const forged = await http()
      .get('/sync/datasets')
      .set(bearer(me, `${header}.${forgedClaims}.${signature}`));
    expect([forged.status, forged.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
  });

  it('two users never see each other’s datasets', async () => {
    const me = await signIn(alice);
    const other = await signIn(bob);
    await http()
      .patch('/sync/datasets/private')
      .set(bearer(me))
      .send({ syncCount: 0, changes: [{ op: 'put', key: 'secret', value: 'mine' }] })
      .expect(200);
    const theirs = await http().get('/sync/datasets/private').set(bearer(other));
    expect([theirs.status, theirs.body.error]).toEqual([404, 'DATASET_NOT_FOUND']);
    expect((await http().get('/sync/datasets').set(bearer(other))).body).toEqual([]);
    expect(await identityOf(other)).not.toBe(await identityOf(me));
    await http().delete('/sync/datasets/private').set(bearer(me)).expect(204);
  });

  it('a cookie session: the ID token cookie also goes to /sync, and nothing else is needed', async () => {
    const me = await signIn(alice);
    const lines = setCookies(me.login, COOKIE.idToken);
    expect(lines.map((line) => /Path=([^;]+)/.exec(line)?.[1]).sort()).toEqual([
      '/auth/aws-credentials',
      '/sync',
    ]);
    for (const line of lines) expect(line).toMatch(/HttpOnly/);
    const session = browserSession(me.login, [COOKIE.access, COOKIE.idToken]);
    const written = await http()
      .patch('/sync/datasets/cookie')
      .set(session)
      .send({ syncCount: 0, changes: [{ op: 'put', key: 'k', value: 'v' }] });
    expect(written.status).toBe(200);
    // Without the CSRF header a cookie write is refused.
    const csrf = await http()
      .patch('/sync/datasets/cookie')
      .set('cookie', session.cookie)
      .send({ syncCount: 1, changes: [{ op: 'put', key: 'k', value: 'w' }] });
    expect([csrf.status, csrf.body.error]).toEqual([403, 'CSRF_REJECTED']);
    const listed = await http()
      .get('/sync/datasets')
      .set(
        'cookie',
        [cookieValue(me.login, COOKIE.access), cookieValue(me.login, COOKIE.idToken)].join('; '),
      );
    expect(listed.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'cookie', syncCount: 1 })]),
    );
    // A logout clears the cookie on both paths.
    const logout = await http().post('/auth/logout').set(browserSession(me.login)).send({});
    expect(
      setCookies(logout, COOKIE.idToken)
        .map((line) => /Path=([^;]+)/.exec(line)?.[1])
        .sort(),
    ).toEqual(['/auth/aws-credentials', '/sync']);
    const after = await signIn(alice);
    await http().delete('/sync/datasets/cookie').set(bearer(after)).expect(204);
  });

  it('Cognito Sync failing is a 503 with Retry-After, and the app recovers', async () => {
    const me = await signIn(alice);
    sync.failWith('InternalErrorException');
    try {
      const failed = await http().get('/sync/datasets').set(bearer(me));
      expect([failed.status, failed.body.error]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
      expect(failed.headers['retry-after']).toBeDefined();
    } finally {
      sync.failWith(undefined);
    }
    expect((await http().get('/sync/datasets').set(bearer(me))).status).toBe(200);
  });

  it('after a restart, deleting the account deletes its datasets (the identity is remembered)', async () => {
    const user = { email: uniqueEmail('sync-carol'), password: STRONG_PASSWORD };
    await setup.createUser(user.email, user.password);
    const before = await signIn(user);
    await http()
      .patch('/sync/datasets/kept')
      .set(bearer(before))
      .send({ syncCount: 0, changes: [{ op: 'put', key: 'k', value: 'v' }] })
      .expect(200);
    const identityId = await identityOf(before);
    await release(app);
    app = await start();
    // The new instance has not asked GetId for this user: it read what the last one learnt.
    await expect(app.get(IdentityService).knownIdentityId(before.sub)).resolves.toBe(identityId);
    // What DELETE /account and DELETE /admin/users/{username} do once Cognito deleted the user
    // (moto cannot run those routes to the end: it lacks RevokeToken; sync.e2e-spec runs them).
    await app.get(SessionTermination).accountDeleted(before.sub);
    expect(sync.datasets(setup.identityPoolId, identityId)).toEqual([]);
    await expect(app.get(IdentityService).knownIdentityId(before.sub)).resolves.toBeUndefined();
  }, 60000);
});
