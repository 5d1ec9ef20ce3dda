import { Module, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { JwtVerifier } from 'aws-jwt-verify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import autocannon from 'autocannon';
import request from 'supertest';
import { CsrfProtection } from '../src/guard';
import { COGNITO_SDK_CLIENT } from '../src/cognito/cognito.tokens';
import { AppModule } from '../src/app.module';
import { IS_PUBLIC_KEY } from '../src/guard/decorators/auth-metadata';
import { GuardedAppModule, KitOnlyAppModule } from './support/guarded-test.module';
import { isNoStore } from '../src/common/http/no-store.decorator';
import { COOKIE } from './support/cookies';
import { CACHEABLE_ROUTES, PUBLIC_ROUTES } from './support/public-routes';
import { signedInAccount } from './support/accounts';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';
import { TestPool } from './support/test-pool';
import { TokenForge } from './support/token-forge';
import { release } from './support/teardown';

describe('Guard on a foreign module (e2e)', () => {
  let forge: TokenForge;
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    forge = await TokenForge.start();
    app = await withEnv(forge.env, () => startTestApp(GuardedAppModule));
  });
  afterAll(() => release(app, forge));

  it('protects every route of a module that only imported AuthModule, except @Public ones', async () => {
    expect((await http().get('/reports/status')).status).toBe(200);
    for (const [method, path] of [
      ['get', '/reports/mine'],
      ['get', '/reports/sub'],
      ['get', '/reports/all'],
      ['post', '/reports/unsafe'],
    ] as const) {
      const response = await http()[method](path);
      expect([path, response.status, response.body.error]).toEqual([path, 401, 'UNAUTHORIZED']);
    }
  });

  it("runs the same strategy through @nestjs/passport's AuthGuard('cognito') on a route of its own", async () => {
    const claims = forge.claims();
    const token = forge.accessToken(claims);
    const ok = await http().get('/reports/passport').set('authorization', `Bearer ${token}`);
    expect([ok.status, ok.body]).toEqual([200, { sub: claims.sub }]);
    const cookie = await http().get('/reports/passport').set('Cookie', `${COOKIE.access}=${token}`);
    expect(cookie.status).toBe(200);
    for (const authorization of [undefined, 'Bearer not.a.jwt', `Bearer ${token}x`]) {
      const call = http().get('/reports/passport');
      const refused = await (authorization ? call.set('authorization', authorization) : call);
      expect([authorization, refused.status, refused.body.error]).toEqual([
        authorization,
        401,
        'UNAUTHORIZED',
      ]);
    }
    // Revoked by logout: refused by the Passport route too, cached or not.
    expect(
      (await http().post('/auth/logout').set('authorization', `Bearer ${token}`).send({})).status,
    ).toBe(204);
    const revoked = await http().get('/reports/passport').set('authorization', `Bearer ${token}`);
    expect(revoked.status).toBe(401);
  });

  it('guards a module through the kit alone (GuardModule from its front door, no sign-in flows)', async () => {
    const kitOnly = await withEnv(forge.env, () => startTestApp(KitOnlyAppModule));
    try {
      const kit = () => request(kitOnly.getHttpServer());
      expect((await kit().get('/reports/status')).status).toBe(200);
      expect((await kit().get('/reports/mine')).status).toBe(401);
      const token = forge.accessToken();
      expect(
        (await kit().get('/reports/mine').set('authorization', `Bearer ${token}`)).status,
      ).toBe(200);
      expect((await kit().post('/auth/login').send({})).status).toBe(404);
    } finally {
      await kitOnly.close();
    }
    // This app's AuthGuard('cognito') route still has a strategy after the other app closed.
    const token = forge.accessToken();
    expect(
      (await http().get('/reports/passport').set('authorization', `Bearer ${token}`)).status,
    ).toBe(200);
  });

  it('hands the route the typed user, or one field of it', async () => {
    const claims = forge.claims({ 'cognito:groups': ['editors'], scope: 'openid profile' });
    const token = forge.accessToken(claims);
    const mine = await http().get('/reports/mine').set('authorization', `Bearer ${token}`);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      sub: claims.sub,
      username: claims.username,
      groups: ['editors'],
      scopes: ['openid', 'profile'],
      clientId: claims.client_id,
      tokenId: claims.jti,
      originTokenId: claims.origin_jti,
      tokenExpiresAt: claims.exp,
      authTime: claims.auth_time,
      issuedAt: claims.iat,
    });
    const sub = await http().get('/reports/sub').set('authorization', `Bearer ${token}`);
    expect(sub.body).toEqual({ sub: claims.sub });
  });

  it('takes the token from the access cookie as well as the bearer header', async () => {
    const token = forge.accessToken();
    const response = await http().get('/reports/mine').set('Cookie', `${COOKIE.access}=${token}`);
    expect(response.status).toBe(200);
    // Only under the app's own name: `__Host-` when Secure, which nobody can plant over http or
    // from a sibling subdomain.
    const plain = await http().get('/reports/mine').set('Cookie', `access_token=${token}`);
    expect(plain.status).toBe(401);
  });

  it('applies the CSRF rule to cookie-authenticated unsafe requests of a foreign module', async () => {
    const token = forge.accessToken();
    const { secret, token: csrf } = app.get(CsrfProtection).issue([token]);
    // The global guard's routes, and a route run by AuthGuard('cognito') alone: the same rule.
    for (const path of ['/reports/unsafe', '/reports/passport']) {
      const unsafe = () => http().post(path);
      const refused = await unsafe().set('cookie', `${COOKIE.access}=${token}`);
      expect([path, refused.status, refused.body.error]).toEqual([path, 403, 'CSRF_REJECTED']);
      expect(
        (
          await unsafe()
            .set('cookie', `${COOKIE.access}=${token}; ${COOKIE.csrfSecret}=${secret}`)
            .set('x-xsrf-token', csrf)
        ).status,
      ).toBe(201);
      expect((await unsafe().set('authorization', `Bearer ${token}`)).status).toBe(201);
    }
  });

  it('answers @Groups with 401 without a token, 403 without the group, 200 with any listed group', async () => {
    expect((await http().get('/reports/all')).status).toBe(401);
    const outsider = forge.accessToken({ 'cognito:groups': ['editors'] });
    const forbidden = await http().get('/reports/all').set('authorization', `Bearer ${outsider}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'FORBIDDEN' });
    const noGroups = forge.accessToken();
    expect(
      (await http().get('/reports/all').set('authorization', `Bearer ${noGroups}`)).status,
    ).toBe(403);
    for (const group of ['admin', 'auditors']) {
      const member = forge.accessToken({ 'cognito:groups': ['editors', group] });
      const allowed = await http().get('/reports/all').set('authorization', `Bearer ${member}`);
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ groups: ['editors', group] });
    }
  });

  it('applies @Groups the same to a token seen before (the fast path)', async () => {
    const member = forge.accessToken({ 'cognito:groups': ['auditors'] });
    const outsider = forge.accessToken({ 'cognito:groups': ['editors'] });
    for (let i = 0; i < 3; i++) {
      expect(
        (await http().get('/reports/all').set('authorization', `Bearer ${member}`)).status,
      ).toBe(200);
      expect(
        (await http().get('/reports/all').set('authorization', `Bearer ${outsider}`)).status,
      ).toBe(403);
    }
  });

  it('runs an @OptionalAuth route without a token, with a valid one, and refuses an invalid one', async () => {
    expect((await http().get('/reports/teaser')).body).toEqual({ personalised: false });
    const claims = forge.claims();
    const withUser = await http()
      .get('/reports/teaser')
      .set('authorization', `Bearer ${forge.accessToken(claims)}`);
    expect(withUser.body).toEqual({ personalised: true, sub: claims.sub });
    const invalid = await http()
      .get('/reports/teaser')
      .set('authorization', `Bearer ${forge.accessToken({ exp: 1 })}`);
    expect(invalid.status).toBe(401);
  });

  it('refuses a token revoked by logout at once, even when it is cached', async () => {
    const token = forge.accessToken();
    // Cached by a first verified request.
    expect((await http().get('/reports/mine').set('authorization', `Bearer ${token}`)).status).toBe(
      200,
    );
    const logout = await http()
      .post('/auth/logout')
      .set('authorization', `Bearer ${token}`)
      .send({});
    expect(logout.status).toBe(204);
    const after = await http().get('/reports/mine').set('authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    // Another session of the same user is not affected.
    expect(
      (await http().get('/reports/mine').set('authorization', `Bearer ${forge.accessToken()}`))
        .status,
    ).toBe(200);
  });

  it('revokes every token of the sign-in session through origin_jti', async () => {
    const session = forge.claims();
    const first = forge.accessToken({ origin_jti: session.origin_jti });
    const refreshed = forge.accessToken({ origin_jti: session.origin_jti });
    expect(
      (await http().post('/auth/logout').set('authorization', `Bearer ${first}`).send({})).status,
    ).toBe(204);
    expect(
      (await http().get('/reports/mine').set('authorization', `Bearer ${refreshed}`)).status,
    ).toBe(401);
  });
});

describe('Verified-token cache (e2e)', () => {
  let forge: TokenForge;
  beforeAll(async () => {
    forge = await TokenForge.start();
  });
  afterAll(() => release(forge));

  async function signatureChecks(
    env: Record<string, string>,
    requests: (http: () => request.Agent) => Promise<void>,
  ) {
    const app = await withEnv({ ...forge.env, ...env }, () => startTestApp(GuardedAppModule));
    // The keys are loaded at start, so each check is synchronous (`verifySync`); `verify`, the
    // asynchronous path, only runs when a key has to be fetched first. Both are counted.
    const checks = [
      jest.spyOn(JwtVerifier.prototype, 'verifySync'),
      jest.spyOn(JwtVerifier.prototype, 'verify'),
    ];
    try {
      await requests(() => request.agent(app.getHttpServer()));
      return checks.reduce((sum, check) => sum + check.mock.calls.length, 0);
    } finally {
      for (const check of checks) check.mockRestore();
      await app.close();
    }
  }

  it('checks each token signature once while caching, every time when told not to', async () => {
    const token = forge.accessToken();
    const threeRequests = async (http: () => request.Agent) => {
      for (let i = 0; i < 3; i++) {
        expect(
          (await http().get('/reports/mine').set('authorization', `Bearer ${token}`)).status,
        ).toBe(200);
      }
    };
    expect(await signatureChecks({}, threeRequests)).toBe(1);
    expect(await signatureChecks({ AUTH_TOKEN_CACHE: 'false' }, threeRequests)).toBe(3);
  });

  it('still refuses a cached token once it expires', async () => {
    const token = forge.accessToken({ exp: Math.floor(Date.now() / 1000) + 2 });
    await signatureChecks({}, async (http) => {
      expect(
        (await http().get('/reports/mine').set('authorization', `Bearer ${token}`)).status,
      ).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(
        (await http().get('/reports/mine').set('authorization', `Bearer ${token}`)).status,
      ).toBe(401);
    });
  });
});

describe('Guarded routes under load (e2e)', () => {
  it('serve 2,000 requests over 50 connections with no 5xx and no Cognito call', async () => {
    const forge = await TokenForge.start();
    const app = await withEnv(forge.env, () => startTestApp(GuardedAppModule));
    const send = jest.spyOn(app.get<CognitoIdentityProviderClient>(COGNITO_SDK_CLIENT), 'send');
    try {
      await app.listen(0, '127.0.0.1');
      const tokens = Array.from({ length: 200 }, () => forge.accessToken());
      let next = 0;
      const result = await autocannon({
        url: `${await app.getUrl()}/reports/mine`,
        connections: 50,
        amount: 2000,
        requests: [
          {
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` },
            }),
          },
        ],
      });
      expect(result['2xx']).toBe(2000);
      expect(result['5xx'] + result.errors + result.timeouts).toBe(0);
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
      await app.close();
      await forge.close();
    }
  });
});

describe('Logout against the emulator (e2e)', () => {
  const pool = new TestPool();

  (pool.emulated ? it : it.skip)(
    'refuses the old access token on the guard although Cognito (here the emulator) would still accept it',
    async () => {
      const app = await startTestApp();
      try {
        const http = () => request(app.getHttpServer());
        const email = uniqueEmail('revoked');
        await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD });
        await http()
          .post('/auth/confirm-sign-up')
          .send({ email, code: await pool.code(email) });
        const { accessToken } = (
          await http().post('/auth/login').send({ email, password: STRONG_PASSWORD })
        ).body as { accessToken: string };
        expect(
          (await http().get('/auth/me').set('authorization', `Bearer ${accessToken}`)).status,
        ).toBe(200);
        expect(
          (await http().post('/auth/logout').set('authorization', `Bearer ${accessToken}`).send({}))
            .status,
        ).toBe(204);
        const after = await http().get('/auth/me').set('authorization', `Bearer ${accessToken}`);
        expect(after.status).toBe(401);
        expect(after.body.error).toBe('UNAUTHORIZED');
      } finally {
        await app.close();
      }
    },
  );
});

describe('Logout ends the whole sign-in (e2e)', () => {
  const pool = new TestPool();
  const created: string[] = [];
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  const mine = (accessToken: string) =>
    http().get('/reports/mine').set('authorization', `Bearer ${accessToken}`);

  beforeAll(async () => {
    app = await startTestApp(GuardedAppModule);
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  it('refuses the access tokens refreshed from a logged-out sign-in (origin_jti), not those of another', async () => {
    const email = uniqueEmail('origin');
    created.push(email);
    const login = await signedInAccount(app, pool, email);
    const { accessToken, refreshToken } = login.body as Record<string, string>;
    const other = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    // The access token names the Cognito username the refresh needs.
    const refreshed = await http()
      .post('/auth/refresh')
      .set('authorization', `Bearer ${accessToken}`)
      .send({ refreshToken });
    expect(refreshed.status).toBe(200);
    const refreshedToken = refreshed.body.accessToken as string;

    // The refreshed token belongs to the sign-in: its origin_jti and its sign-in time.
    const [signedIn, continued] = [
      (await mine(accessToken)).body,
      (await mine(refreshedToken)).body,
    ];
    expect(signedIn.originTokenId).toEqual(expect.any(String));
    expect(continued).toMatchObject({
      originTokenId: signedIn.originTokenId,
      authTime: signedIn.authTime,
    });
    expect(continued.tokenId).not.toBe(signedIn.tokenId);

    const logout = await http()
      .post('/auth/logout')
      .set('authorization', `Bearer ${accessToken}`)
      .send({ refreshToken });
    expect(logout.status).toBe(204);
    expect([(await mine(accessToken)).status, (await mine(refreshedToken)).status]).toEqual([
      401, 401,
    ]);
    expect((await mine(other.body.accessToken as string)).status).toBe(200);
  });
});

@Module({ imports: [AppModule, DiscoveryModule] })
class InventoryModule {}

describe('Route inventory (e2e)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp(InventoryModule);
  });
  afterAll(() => release(app));

  /** Every route of the application, from the controllers' own metadata. */
  function routes(): { route: string; isPublic: boolean; noStore: boolean }[] {
    const reflector = app.get(Reflector);
    const scanner = app.get(MetadataScanner);
    return app
      .get(DiscoveryService)
      .getControllers()
      .flatMap((wrapper) => {
        const controller = wrapper.metatype as new (...args: unknown[]) => unknown;
        const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string;
        const prototype = controller.prototype as Record<string, (...args: unknown[]) => unknown>;
        return scanner.getAllMethodNames(prototype).flatMap((name) => {
          const handler = prototype[name];
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
          if (path === undefined) return [];
          const method =
            RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
          const isPublic =
            reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, controller]) ?? false;
          const full = [prefix, path].map((part) => part.replace(/^\/+|\/+$/g, '')).filter(Boolean);
          return [{ route: `${method} /${full.join('/')}`, isPublic, noStore: isNoStore(handler) }];
        });
      });
  }

  it('declares exactly these routes public', () => {
    expect(
      routes()
        .filter((r) => r.isPublic)
        .map((r) => r.route)
        .sort(),
    ).toEqual(PUBLIC_ROUTES);
  });

  it('answers every route with Cache-Control: no-store, except those listed as cacheable', () => {
    expect(
      routes()
        .filter((r) => !r.noStore)
        .map((r) => r.route)
        .sort(),
    ).toEqual(CACHEABLE_ROUTES);
  });

  it('refuses every other route without a token', async () => {
    const protectedRoutes = routes().filter((r) => !r.isPublic);
    expect(protectedRoutes.length).toBeGreaterThan(0);
    for (const { route } of protectedRoutes) {
      const [method, path] = route.split(' ');
      const response = await request(app.getHttpServer())[method.toLowerCase() as 'get'](path);
      expect([route, response.status]).toEqual([route, 401]);
    }
  });
});
