import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { IdentityPoolPort } from '../src/cognito/identity-pool.port';
import { browserSession, COOKIE } from './support/cookies';
import {
  createMotoIdentitySetup,
  motoAppEnv,
  type MotoIdentitySetup,
} from './support/moto-identity';
import { signWithMotoKey, startMoto, type MotoServer } from './support/moto-server';
import { rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';

const ERROR_KEYS = ['error', 'message', 'requestId', 'statusCode'];
const REGION = 'eu-west-1';
/** What moto's GetCredentialsForIdentity answers, always (it checks nothing). */
const MOTO_CREDENTIALS = {
  accessKeyId: 'TESTACCESSKEY12345',
  secretAccessKey: 'ABCSECRETKEY',
  sessionToken: 'ABC12345',
};
/** moto's credentials expire 90 s after they are issued (Amazon Cognito's after an hour). */
const MOTO_LIFETIME_MS = 90_000;

interface Session {
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

function expectErrorBody(response: Response, status: number): void {
  expect(response.status).toBe(status);
  expect(
    Object.keys(response.body as object)
      .filter((k) => k !== 'details')
      .sort(),
  ).toEqual(ERROR_KEYS);
  expect(response.body).toMatchObject({ statusCode: status });
  expect(response.body.requestId).toBe(response.headers['x-request-id']);
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/**
 * The app in custom-endpoint mode against moto, an independent mock of Amazon Cognito's user pools
 * and identity pools: what moto checks, the app must not rely on (moto accepts any token for any
 * identity), so every refusal here is the app's own.
 */
describe('Identity pools against moto (e2e)', () => {
  let moto: MotoServer;
  let setup: MotoIdentitySetup;
  let app: NestFastifyApplication;
  let guestApp: NestFastifyApplication | undefined;
  const alice = { email: uniqueEmail('moto-alice'), password: STRONG_PASSWORD };
  const bob = { email: uniqueEmail('moto-bob'), password: STRONG_PASSWORD };
  const carol = { email: uniqueEmail('moto-carol'), password: STRONG_PASSWORD };
  let other: { issuer: string; clientId: string };
  let carolSession: Session;

  const http = (target: NestFastifyApplication = app) => request(target.getHttpServer());

  /** The custom-endpoint settings that point the app at moto, each app with its own state. */
  function motoEnv(extra: Record<string, string | undefined> = {}) {
    return {
      ...motoAppEnv(moto.endpoint, setup, REGION),
      STATE_DIR: mkdtempSync(join(tmpdir(), 'moto-state-')),
      ...extra,
    };
  }

  async function login(user: { email: string; password: string }, target = app): Promise<Session> {
    const response = await http(target).post('/auth/login').send(user);
    expect([response.status, response.body.error]).toEqual([200, undefined]);
    const session = response.body as Session;
    rememberSecret(session.refreshToken, 'refresh token');
    return session;
  }

  function awsCredentials(accessToken: string | undefined, body: object) {
    const call = http().post('/auth/aws-credentials');
    if (accessToken) void call.set('authorization', `Bearer ${accessToken}`);
    return call.send(body);
  }

  beforeAll(async () => {
    moto = await startMoto();
    setup = await createMotoIdentitySetup(moto.endpoint, REGION);
    const otherPool = await setup.createOtherPool();
    other = otherPool;
    for (const user of [alice, bob]) await setup.createUser(user.email, user.password);
    await otherPool.createUser(carol.email, carol.password);
    rememberSecret(STRONG_PASSWORD, 'password');
    app = await withEnv(motoEnv(), () => startTestApp());
    // Carol signs in through an app of the other pool: her tokens are moto's own, for that pool.
    const otherApp = await withEnv(
      motoEnv({
        COGNITO_USER_POOL_ID: otherPool.poolId,
        COGNITO_CLIENT_ID: otherPool.clientId,
        COGNITO_ISSUER: otherPool.issuer,
        COGNITO_JWKS_URI: otherPool.jwksUri,
      }),
      () => startTestApp(),
    );
    try {
      carolSession = await login(carol, otherApp);
    } finally {
      await otherApp.close();
    }
  });
  afterAll(() => release(app, guestApp, setup, moto));

  describe('the user-pool routes against moto', () => {
    it('login -> me -> refresh -> logout, with moto tokens', async () => {
      const session = await login(alice);
      expect(session).toMatchObject({
        accessToken: expect.any(String),
        idToken: expect.any(String),
        refreshToken: expect.any(String),
      });
      expect(claimsOf(session.accessToken)).toMatchObject({
        iss: setup.issuer,
        client_id: setup.clientId,
        token_use: 'access',
      });

      const me = await http().get('/auth/me').set('authorization', `Bearer ${session.accessToken}`);
      expect([me.status, me.body.error]).toEqual([200, undefined]);
      expect(me.body).toMatchObject({ email: alice.email, sub: claimsOf(session.idToken).sub });

      const refreshed = await http()
        .post('/auth/refresh')
        .send({ refreshToken: session.refreshToken, username: me.body.username as string });
      expect([refreshed.status, refreshed.body.error]).toEqual([200, undefined]);
      expect(refreshed.body.accessToken).toEqual(expect.any(String));
      const fresh = await http()
        .get('/auth/me')
        .set('authorization', `Bearer ${refreshed.body.accessToken}`);
      expect([fresh.status, fresh.body.email]).toEqual([200, alice.email]);

      const loggedOut = await http()
        .post('/auth/logout')
        .set('authorization', `Bearer ${session.accessToken}`)
        .send({ refreshToken: session.refreshToken });
      expect(loggedOut.status).toBe(204);
      expectErrorBody(
        await http().get('/auth/me').set('authorization', `Bearer ${session.accessToken}`),
        401,
      );
      expectErrorBody(
        await http()
          .post('/auth/refresh')
          .send({ refreshToken: session.refreshToken, username: me.body.username as string }),
        401,
      );
    });
  });

  describe('the identity pool adapter, as the app wires it, against moto', () => {
    it('GetId + GetCredentialsForIdentity with the ID token under the Logins key of the issuer', async () => {
      const identityPool = app.get(IdentityPoolPort);
      expect(identityPool.configured).toBe(true);
      // The identity pool's provider, as it was created: the AWS-style issuer without https://.
      expect(identityPool.providerName).toBe(`cognito-idp.${REGION}.amazonaws.com/${setup.poolId}`);
      const { idToken } = await login(alice);
      const before = Date.now();
      const credentials = await identityPool.credentialsForUser({ idToken });
      expect(credentials).toMatchObject({
        ...MOTO_CREDENTIALS,
        identityId: expect.stringMatching(/^[\w-]+:[0-9a-f-]+$/),
      });
      expect(credentials.expiration).toBeInstanceOf(Date);
      const ahead = credentials.expiration.getTime() - before;
      expect(ahead).toBeGreaterThan(MOTO_LIFETIME_MS - 10_000);
      expect(ahead).toBeLessThanOrEqual(MOTO_LIFETIME_MS + 5_000);
    });

    it('DescribeIdentityPool, and guest credentials', async () => {
      const identityPool = app.get(IdentityPoolPort);
      expect(await identityPool.describe()).toEqual({
        identityPoolId: setup.identityPoolId,
        allowsGuests: false,
      });
      // moto does not enforce AllowUnauthenticatedIdentities: refusing guests is the app's job.
      expect(await identityPool.credentialsForGuest()).toMatchObject(MOTO_CREDENTIALS);
    });
  });

  describe('POST /auth/aws-credentials', () => {
    /** Alice's session, signed in once for the tests below (none of them ends it). */
    let session: Session;
    beforeEach(async () => {
      session ??= await login(alice);
    });

    it("exchanges the user's ID token for the identity pool's credentials", async () => {
      const before = Date.now();
      const response = await awsCredentials(session.accessToken, { idToken: session.idToken });
      expect([response.status, response.body.error]).toEqual([200, undefined]);
      expect(response.headers['cache-control']).toContain('no-store');
      expect(Object.keys(response.body as object).sort()).toEqual([
        'accessKeyId',
        'expiration',
        'identityId',
        'secretAccessKey',
        'sessionToken',
      ]);
      // moto gives a new random identity id per call: only its form is the app's to keep.
      expect(response.body.identityId).toMatch(/^[\w-]+:[0-9a-f-]+$/);
      expect(response.body).toMatchObject(MOTO_CREDENTIALS);
      for (const value of Object.values(MOTO_CREDENTIALS)) rememberSecret(value, 'aws credentials');
      const expiration = response.body.expiration as string;
      expect(expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const ahead = Date.parse(expiration) - before;
      expect(ahead).toBeGreaterThan(MOTO_LIFETIME_MS - 10_000);
      expect(ahead).toBeLessThanOrEqual(MOTO_LIFETIME_MS + 5_000);

      // The same claims signed anew with moto's key pass too: the tokens refused below, signed
      // the same way, are refused for their claims alone.
      const [resigned] = signWithMotoKey([claimsOf(session.idToken)]);
      const again = await awsCredentials(session.accessToken, { idToken: resigned });
      expect([again.status, again.body.error]).toEqual([200, undefined]);
    });

    describe('refuses what moto would accept', () => {
      /** An ID token like alice's, signed with moto's key, with some claims changed. */
      function aliceIdTokenWith(changes: Record<string, unknown>): string {
        return signWithMotoKey([{ ...claimsOf(session.idToken), ...changes }])[0];
      }

      it("another user's ID token (401)", async () => {
        const bobs = await login(bob);
        expectErrorBody(await awsCredentials(session.accessToken, { idToken: bobs.idToken }), 401);
      });

      it('an access token sent as the ID token (401)', async () => {
        expectErrorBody(
          await awsCredentials(session.accessToken, { idToken: session.accessToken }),
          401,
        );
      });

      it('a garbage or tampered ID token (401)', async () => {
        expectErrorBody(await awsCredentials(session.accessToken, { idToken: 'not-a-jwt' }), 401);
        const [header, , signature] = session.idToken.split('.');
        const payload = Buffer.from(
          JSON.stringify({ ...claimsOf(session.idToken), 'cognito:groups': ['admin'] }),
        ).toString('base64url');
        expectErrorBody(
          await awsCredentials(session.accessToken, {
            idToken: `${header}.${payload}.${signature}`,
          }),
          401,
        );
      });

      it('an expired ID token of the same user, validly signed (401)', async () => {
        const now = Math.floor(Date.now() / 1000);
        const expired = aliceIdTokenWith({ iat: now - 7200, auth_time: now - 7200, exp: now - 60 });
        expectErrorBody(await awsCredentials(session.accessToken, { idToken: expired }), 401);
      });

      it('no ID token, and no cookie holding one (401)', async () => {
        expectErrorBody(await awsCredentials(session.accessToken, {}), 401);
      });

      it('a token of another user pool, signed with the same moto key (401)', async () => {
        expect(claimsOf(carolSession.idToken).iss).toBe(other.issuer);
        expectErrorBody(
          await awsCredentials(session.accessToken, { idToken: carolSession.idToken }),
          401,
        );
        // The same user's claims but another pool's issuer, or another app client's audience.
        const claims = claimsOf(session.idToken);
        const forged = signWithMotoKey([
          { ...claims, iss: other.issuer, aud: other.clientId },
          { ...claims, iss: other.issuer },
          { ...claims, aud: other.clientId },
        ]);
        for (const idToken of forged) {
          expectErrorBody(await awsCredentials(session.accessToken, { idToken }), 401);
        }
      });

      it('no access token (401), even with a good ID token', async () => {
        expectErrorBody(await awsCredentials(undefined, { idToken: session.idToken }), 401);
      });
    });

    it('takes the ID token from its session cookie, for a browser', async () => {
      const signedIn = await http().post('/auth/login').send(alice);
      expect(signedIn.status).toBe(200);
      rememberSecret((signedIn.body as Session).refreshToken, 'refresh token');
      const response = await http()
        .post('/auth/aws-credentials')
        .set(browserSession(signedIn, [COOKIE.access, COOKIE.idToken]))
        .send({});
      expect([response.status, response.body.error]).toEqual([200, undefined]);
      expect(response.body).toMatchObject(MOTO_CREDENTIALS);
    });

    it("a roleArn that is not among the token's cognito:roles (403)", async () => {
      // moto's tokens carry no cognito:roles at all, so no role may be asked for.
      expect(claimsOf(session.idToken)['cognito:roles']).toBeUndefined();
      expectErrorBody(
        await awsCredentials(session.accessToken, {
          idToken: session.idToken,
          roleArn: 'arn:aws:iam::123456789012:role/admin',
        }),
        403,
      );
    });

    it('after logout, the same tokens get nothing (401)', async () => {
      const ending = await login(alice);
      expect((await awsCredentials(ending.accessToken, { idToken: ending.idToken })).status).toBe(
        200,
      );
      const loggedOut = await http()
        .post('/auth/logout')
        .set('authorization', `Bearer ${ending.accessToken}`)
        .send({ refreshToken: ending.refreshToken });
      expect(loggedOut.status).toBe(204);
      expectErrorBody(await awsCredentials(ending.accessToken, { idToken: ending.idToken }), 401);
      // Nor does the ended session's ID token with the access token of a new sign-in.
      const next = await login(alice);
      expectErrorBody(await awsCredentials(next.accessToken, { idToken: ending.idToken }), 401);
      expect((await awsCredentials(next.accessToken, { idToken: next.idToken })).status).toBe(200);
    });
  });

  it('GET /health/ready checks the identity pool', async () => {
    const response = await http().get('/health/ready');
    expect([response.status, response.body.error]).toEqual([200, {}]);
    expect(response.body.info).toMatchObject({ identityPool: { status: 'up' } });
  });

  describe('POST /auth/aws-credentials/guest', () => {
    it('is refused while COGNITO_IDENTITY_ALLOW_GUESTS is unset (moto would give credentials)', async () => {
      const response = await http().post('/auth/aws-credentials/guest').send({});
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectErrorBody(response, response.status);
      // A refusal of the app's, not the answer to a route that does not exist.
      expect(response.body.message).not.toMatch(/^Cannot POST/);
    });

    it('answers credentials with COGNITO_IDENTITY_ALLOW_GUESTS=true', async () => {
      // An identity pool that allows guests, as the setting requires of Amazon Cognito's.
      const guestPoolId = await setup.createIdentityPool({ allowGuests: true });
      guestApp = await withEnv(
        motoEnv({ COGNITO_IDENTITY_POOL_ID: guestPoolId, COGNITO_IDENTITY_ALLOW_GUESTS: 'true' }),
        () => startTestApp(),
      );
      const response = await http(guestApp).post('/auth/aws-credentials/guest').send({});
      expect([response.status, response.body.error]).toEqual([200, undefined]);
      expect(response.headers['cache-control']).toContain('no-store');
      expect(response.body).toMatchObject({
        ...MOTO_CREDENTIALS,
        identityId: expect.stringMatching(/^[\w-]+:[0-9a-f-]+$/),
        expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    });
  });
});
