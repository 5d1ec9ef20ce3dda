import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomBytes } from 'node:crypto';
import request, { type Response } from 'supertest';
import { AppModule } from '../src/app.module';
import { findFreePort } from '../src/cognito/local/emulator-process';
import { SealedBox } from '../src/common/crypto/sealed-box';
import { REFRESH_COOKIE_PATHS } from '../src/guard/guard.constants';
import { signedInAccount } from './support/accounts';
import { COOKIE, setCookies } from './support/cookies';
import { ReportsModule } from './support/guarded-test.module';
import { MockManagedLogin } from './support/mock-managed-login';
import { release } from './support/teardown';
import { startTestApp, uniqueEmail, withEnv } from './support/test-app';
import { TestPool } from './support/test-pool';

/** The full app plus a guarded route that answers the verified user without calling Cognito. */
@Module({ imports: [AppModule, ReportsModule] })
class FederatedAppModule {}

const STATE_COOKIE = '__Host-oauth_state';
const CALLBACK_PATH = '/auth/oauth/callback';
const SESSION_COOKIES = [
  COOKIE.access,
  COOKIE.refresh,
  COOKIE.refreshUsername,
  COOKIE.csrfSecret,
  COOKIE.csrfToken,
];
const SEALING_KEY = randomBytes(32);
const OAUTH_PURPOSE = 'nest-cognito-auth oauth v1';
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** Cookies as a browser keeps them: by name, sent to the paths they are scoped to. */
class Browser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  absorb(response: Response): void {
    const lines = (response.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, ...rest] = pair.split('=');
      const value = rest.join('=');
      const path = /^Path=(.*)$/i.exec(attributes.find((a) => /^Path=/i.test(a)) ?? '')?.[1] ?? '/';
      const gone =
        attributes.some((a) => /^Max-Age=(0|-)/i.test(a)) ||
        attributes.some((a) => /^Expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now());
      const key = `${name} ${path}`;
      if (gone || value === '') this.jar.delete(key);
      else this.jar.set(key, { value, path });
    }
  }

  has(name: string): boolean {
    return [...this.jar.keys()].some((key) => key.startsWith(`${name} `));
  }

  value(name: string): string | undefined {
    return [...this.jar.entries()].find(([key]) => key.startsWith(`${name} `))?.[1].value;
  }

  set(name: string, value: string, path: string): void {
    this.jar.set(`${name} ${path}`, { value, path });
  }

  header(path: string): string {
    return [...this.jar.entries()]
      .filter(
        ([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map(([key, c]) => `${key.split(' ')[0]}=${c.value}`)
      .join('; ');
  }
}

describe('Sign-in with a provider against an independent OAuth server (e2e)', () => {
  const pool = new TestPool();
  const poolId = process.env.COGNITO_USER_POOL_ID ?? 'us-east-1_Ab12Cd34';
  const clientId = process.env.COGNITO_CLIENT_ID ?? '1example23456789abcdefghij';
  const clientSecret = process.env.COGNITO_CLIENT_SECRET ?? 'mocksecret0123456789abcdefghijk';
  let mock: MockManagedLogin;
  let app: NestFastifyApplication;
  let appOrigin: string;
  let redirectUri: string;
  let logoutUri: string;

  const appHttp = () => request(appOrigin);

  function appEnv(extra: Record<string, string | undefined> = {}) {
    return {
      COGNITO_CLIENT_ID: clientId,
      COGNITO_CLIENT_SECRET: clientSecret,
      COGNITO_ISSUER: mock.issuer,
      COGNITO_JWKS_URI: mock.jwksUri,
      COGNITO_DOMAIN: mock.domain,
      OAUTH_REDIRECT_URI: redirectUri,
      OAUTH_LOGOUT_URI: logoutUri,
      OAUTH_PROVIDERS: 'Google,COGNITO',
      OAUTH_SCOPES: 'openid email profile',
      OAUTH_RETURN_ORIGINS: 'https://app.example,com.example.app:',
      CHALLENGE_SESSION_KEY: SEALING_KEY.toString('base64'),
      ...extra,
    };
  }

  beforeAll(async () => {
    const port = await findFreePort();
    appOrigin = `http://127.0.0.1:${port}`;
    redirectUri = `${appOrigin}${CALLBACK_PATH}`;
    logoutUri = `${appOrigin}/signed-out`;
    mock = await MockManagedLogin.start({
      poolId,
      clientId,
      clientSecret,
      callbackUrls: [redirectUri],
      logoutUrls: [logoutUri],
    });
    app = await withEnv(appEnv(), () => startTestApp(FederatedAppModule));
    await app.listen(port, '127.0.0.1');
  });
  afterAll(() => release(app, mock));
  beforeEach(() => {
    mock.faults = {};
    mock.nextUser = undefined;
  });

  /** GET /auth/oauth/authorize: 302 to the managed login, the state cookie kept. */
  async function authorize(browser: Browser, query: Record<string, string> = {}): Promise<URL> {
    const response = await appHttp().get('/auth/oauth/authorize').query(query);
    expect([response.status, response.body]).toEqual([302, {}]);
    browser.absorb(response);
    return new URL(response.headers.location);
  }

  /** The browser at the managed login: the provider signs the user in and it redirects back. */
  async function atManagedLogin(location: URL): Promise<URL> {
    const response = await fetch(location, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') ?? '');
  }

  /** The browser back at the app's callback, with the cookies scoped to it. */
  async function callback(browser: Browser, back: URL): Promise<Response> {
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    const response = await appHttp()
      .get(`${back.pathname}${back.search}`)
      .set('cookie', browser.header(back.pathname));
    browser.absorb(response);
    return response;
  }

  async function signIn(browser: Browser, query: Record<string, string> = { provider: 'Google' }) {
    return callback(browser, await atManagedLogin(await authorize(browser, query)));
  }

  /** A refusal: the one error body, the state cookie cleared, no session cookie set. */
  function expectRefused(response: Response, status: number, error: string): void {
    expect([response.status, response.body]).toEqual([
      status,
      { statusCode: status, error, message: expect.any(String), requestId: expect.any(String) },
    ]);
    for (const name of SESSION_COOKIES) expect(setCookies(response, name)).toEqual([]);
    expect(response.headers.location).toBeUndefined();
  }

  function expectStateCleared(response: Response): void {
    const [line] = setCookies(response, STATE_COOKIE);
    expect(line).toMatch(/Max-Age=0/);
    expect(line).toContain('Path=/;');
  }

  /** Each cookie line without its value and expiry date: what a password sign-in must equal. */
  function cookieShapes(response: Response): string[] {
    const lines = (response.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    return lines
      .filter((line) => !line.startsWith(`${STATE_COOKIE}=`))
      .map((line) => {
        const [pair, ...attributes] = line.split(';').map((part) => part.trim());
        const kept = attributes.filter((a) => !/^Expires=/i.test(a) && !/^Max-Age=/i.test(a));
        return [pair.split('=')[0], ...kept.sort()].join('; ');
      })
      .sort();
  }

  describe('a browser sign-in', () => {
    it('starts at the managed login with code, PKCE S256, state, nonce, the provider and the configured callback', async () => {
      const browser = new Browser();
      const response = await appHttp()
        .get('/auth/oauth/authorize')
        .query({ provider: 'Google', returnTo: '/account?tab=2' });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(`${mock.domain}/oauth2/authorize`);
      const query = Object.fromEntries(location.searchParams);
      expect(query).toEqual({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        code_challenge_method: 'S256',
        identity_provider: 'Google',
      });
      // The state cookie: sealed (nothing of the request readable in it), HttpOnly, Lax, and a
      // __Host- cookie (Path=/), which no sibling subdomain can plant.
      const [stateLine] = setCookies(response, STATE_COOKIE);
      expect(stateLine).toMatch(/; HttpOnly/);
      expect(stateLine).toMatch(/; Secure/);
      expect(stateLine).toMatch(/; SameSite=Lax/);
      expect(stateLine).toContain('Path=/;');
      expect(stateLine).not.toMatch(/Domain=/i);
      expect(stateLine).toMatch(/Max-Age=600/);
      browser.absorb(response);
      const sealed = browser.value(STATE_COOKIE) ?? '';
      for (const value of [query.state, query.nonce, 'account']) {
        expect(sealed).not.toContain(value);
      }
      for (const name of SESSION_COOKIES) expect(setCookies(response, name)).toEqual([]);
    });

    it('ends in the session a password sign-in gives, the state cookie cleared, and the session works on a guarded route', async () => {
      const browser = new Browser();
      mock.nextUser = {
        sub: '104807371287432987254',
        email: 'ada@example.com',
        provider: 'Google',
      };
      const back = await atManagedLogin(
        await authorize(browser, { provider: 'Google', returnTo: '/account?tab=2#top' }),
      );
      const done = await callback(browser, back);
      expect([done.status, done.headers.location]).toEqual([302, '/account?tab=2#top']);
      expect(done.headers['cache-control']).toBe('no-store');
      expectStateCleared(done);
      expect(browser.has(STATE_COOKIE)).toBe(false);
      for (const name of SESSION_COOKIES) expect(browser.has(name)).toBe(true);
      const [access] = setCookies(done, COOKIE.access);
      expect(access).toMatch(/; HttpOnly/);
      expect(access).toMatch(/; Secure/);
      expect(access).toMatch(/; SameSite=Strict/);
      expect(access).toMatch(/; Path=\/(;|$)/);
      expect(
        setCookies(done, COOKIE.refresh)
          .map((line) => /Path=([^;]+)/.exec(line)?.[1])
          .sort(),
      ).toEqual([...REFRESH_COOKIE_PATHS].sort());
      expect(decodeURIComponent(browser.value(COOKIE.refreshUsername) ?? '')).toBe(
        'Google_104807371287432987254',
      );

      // The same cookies, with the same attributes, as a password sign-in of this app sets.
      const login = await signedInAccount(app, pool, uniqueEmail('oauth-compare'));
      expect(cookieShapes(done)).toEqual(cookieShapes(login));
      // Access, the two CSRF cookies, and the refresh pair on each path; no ID token cookie, which
      // only an app with an identity pool sets.
      expect(cookieShapes(done)).toHaveLength(3 + 2 * REFRESH_COOKIE_PATHS.length);

      const mine = await appHttp()
        .get('/reports/mine')
        .set('cookie', browser.header('/reports/mine'));
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({
        username: 'Google_104807371287432987254',
        groups: [mock.providerGroup('Google')],
        clientId,
        scopes: ['openid', 'email', 'profile'],
      });
    });

    it('sent the token request with HTTP Basic and the secret, the code verifier and the configured redirect_uri', async () => {
      const browser = new Browser();
      const location = await authorize(browser);
      const challenge = location.searchParams.get('code_challenge');
      const before = mock.tokenRequests.length;
      expect((await callback(browser, await atManagedLogin(location))).status).toBe(302);
      const received = mock.tokenRequests.slice(before);
      expect(received).toHaveLength(1);
      const [{ authorization, contentType, body }] = received;
      expect(authorization).toBe(
        `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      );
      expect(contentType).toMatch(/^application\/x-www-form-urlencoded/);
      expect(body).toEqual({
        grant_type: 'authorization_code',
        code: expect.any(String),
        redirect_uri: redirectUri,
        code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43,128}$/),
      });
      // The secret travels only in the header; the verifier is the one of the challenge sent.
      expect(JSON.stringify(body)).not.toContain(clientSecret);
      expect(s256(body.code_verifier)).toBe(challenge);
    });

    it('takes a callback that also carries iss (RFC 9207), as a managed login may send it', async () => {
      const browser = new Browser();
      const back = await atManagedLogin(await authorize(browser));
      back.searchParams.set('iss', mock.issuer);
      expect((await callback(browser, back)).status).toBe(302);
    });

    it('lists the configured providers', async () => {
      const response = await appHttp().get('/auth/oauth/providers');
      expect([response.status, response.body]).toEqual([
        200,
        [
          { name: 'Google', type: 'social' },
          { name: 'COGNITO', type: 'cognito' },
        ],
      ]);
    });
  });

  describe('refuses a callback that is not this browser’s sign-in', () => {
    it('without the state cookie', async () => {
      const back = await atManagedLogin(await authorize(new Browser()));
      const response = await callback(new Browser(), back);
      expectRefused(response, 400, 'OAUTH_STATE_INVALID');
    });

    it('with the state cookie of another sign-in (a login CSRF)', async () => {
      const attacker = new Browser();
      const victim = new Browser();
      const attackersCallback = await atManagedLogin(await authorize(attacker));
      await authorize(victim);
      // The victim's browser is sent to the attacker's callback URL: its own cookie does not match.
      const response = await callback(victim, attackersCallback);
      expectRefused(response, 400, 'OAUTH_STATE_INVALID');
      // The victim's own sign-in stays in place: a stray callback cannot cancel it.
      expect(setCookies(response, STATE_COOKIE)).toEqual([]);
    });

    it('with a state that differs from the cookie’s', async () => {
      const browser = new Browser();
      const back = await atManagedLogin(await authorize(browser));
      back.searchParams.set('state', 'x'.repeat(43));
      expectRefused(await callback(browser, back), 400, 'OAUTH_STATE_INVALID');
      const noState = await atManagedLogin(await authorize(browser));
      noState.searchParams.delete('state');
      expectRefused(await callback(browser, noState), 400, 'OAUTH_STATE_INVALID');
    });

    it('replayed: the same URL with the same cookie a second time', async () => {
      const browser = new Browser();
      const back = await atManagedLogin(await authorize(browser));
      const cookie = browser.header(CALLBACK_PATH);
      const first = await appHttp().get(`${back.pathname}${back.search}`).set('cookie', cookie);
      expect(first.status).toBe(302);
      const again = await appHttp().get(`${back.pathname}${back.search}`).set('cookie', cookie);
      expectRefused(again, 400, 'OAUTH_STATE_INVALID');
    });

    it('with a state cookie sealed by another key, or expired', async () => {
      const browser = new Browser();
      const location = await authorize(browser);
      // The test seals the state itself, with its own verifier sent to the managed login.
      const verifier = randomBytes(32).toString('base64url');
      location.searchParams.set('code_challenge', s256(verifier));
      const state = {
        state: location.searchParams.get('state'),
        nonce: location.searchParams.get('nonce'),
        codeVerifier: verifier,
        returnTo: '/',
        delivery: { kind: 'cookies' },
      };
      const sealedAt = (key: Buffer, minutesAgo: number) =>
        new SealedBox(key, OAUTH_PURPOSE, () => Date.now() - minutesAgo * 60_000).seal(state, 600, [
          'oauth-state',
        ]);
      const attempt = async (sealed: string) => {
        const back = await atManagedLogin(location);
        return appHttp()
          .get(`${back.pathname}${back.search}`)
          .set('cookie', `${STATE_COOKIE}=${sealed}`);
      };
      expectRefused(await attempt(sealedAt(randomBytes(32), 0)), 400, 'OAUTH_STATE_INVALID');
      expectRefused(await attempt(sealedAt(SEALING_KEY, 11)), 400, 'OAUTH_STATE_INVALID');
      // The same state sealed with the app's key, in time: accepted, so only the key or expiry failed.
      const inTime = await attempt(sealedAt(SEALING_KEY, 9));
      expect(inTime.status).toBe(302);
    });
  });

  describe('refuses a sign-in the managed login or its tokens did not complete', () => {
    it('a verifier that is not the one of the challenge sent (the managed login answers invalid_grant)', async () => {
      const browser = new Browser();
      const location = await authorize(browser);
      const state = {
        state: location.searchParams.get('state'),
        nonce: location.searchParams.get('nonce'),
        codeVerifier: randomBytes(32).toString('base64url'),
        returnTo: '/',
        delivery: { kind: 'cookies' },
      };
      const sealed = new SealedBox(SEALING_KEY, OAUTH_PURPOSE).seal(state, 600, ['oauth-state']);
      const back = await atManagedLogin(location);
      const response = await appHttp()
        .get(`${back.pathname}${back.search}`)
        .set('cookie', `${STATE_COOKIE}=${sealed}`);
      expectRefused(response, 400, 'OAUTH_CALLBACK_INVALID');
    });

    it('the provider refused (error=access_denied)', async () => {
      mock.faults.authorizeError = 'access_denied';
      const browser = new Browser();
      const back = await atManagedLogin(await authorize(browser));
      expect(back.searchParams.get('code')).toBeNull();
      const response = await callback(browser, back);
      expectRefused(response, 400, 'OAUTH_PROVIDER_ERROR');
      expect(response.body.message).toContain('access_denied');
      expectStateCleared(response);
    });

    it('a code used once already (a second sign-in with the same code)', async () => {
      const browser = new Browser();
      const first = await atManagedLogin(await authorize(browser));
      expect((await callback(browser, first)).status).toBe(302);
      // A new sign-in of the same browser, whose callback brings the first one's code.
      const second = await atManagedLogin(await authorize(browser));
      second.searchParams.set('code', first.searchParams.get('code') ?? '');
      const response = await callback(browser, second);
      expectRefused(response, 400, 'OAUTH_CALLBACK_INVALID');
    });

    it('an ID token with another nonce', async () => {
      mock.faults.idTokenNonce = 'a-nonce-of-another-sign-in';
      expectRefused(await signIn(new Browser()), 400, 'OAUTH_CALLBACK_INVALID');
    });

    it('an ID token signed by a key the pool never published', async () => {
      mock.faults.idTokenForeignKey = true;
      expectRefused(await signIn(new Browser()), 400, 'OAUTH_CALLBACK_INVALID');
    });

    it('an access token issued to another app client', async () => {
      mock.faults.accessTokenClientId = 'anotherclient0123456789abc';
      expectRefused(await signIn(new Browser()), 400, 'OAUTH_CALLBACK_INVALID');
    });

    it('a token endpoint answering 5xx: 503, and a new sign-in works once it answers again', async () => {
      mock.faults.tokenFailure = {
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'server_error' }),
      };
      expectRefused(await signIn(new Browser()), 503, 'UPSTREAM_UNAVAILABLE');
      mock.faults.tokenFailure = {
        status: 502,
        contentType: 'text/html',
        body: '<html><body>Bad Gateway</body></html>',
      };
      expectRefused(await signIn(new Browser()), 503, 'UPSTREAM_UNAVAILABLE');
      mock.faults = {};
      expect((await signIn(new Browser())).status).toBe(302);
    });

    it('the managed login unreachable: 503, and a new sign-in works once it is back', async () => {
      const browser = new Browser();
      const back = await atManagedLogin(await authorize(browser));
      await mock.stopDomain();
      try {
        const response = await callback(browser, back);
        expectRefused(response, 503, 'UPSTREAM_UNAVAILABLE');
        expect(response.headers['retry-after']).toBe('5');
      } finally {
        await mock.startDomain();
      }
      expect((await signIn(new Browser())).status).toBe(302);
    });
  });

  describe('refuses at the start', () => {
    it.each([
      ['//evil.example'],
      ['https://evil.example/account'],
      ['/\\evil.example'],
      // Dot segments: a later parse would have made these //evil.example, another site.
      ['/..//evil.example'],
      ['/%2e%2e//evil.example'],
      ['javascript:alert(1)'],
      ['https://app.example.evil.example/'],
    ])('a returnTo that leaves the site: %s', async (returnTo) => {
      const response = await appHttp().get('/auth/oauth/authorize').query({ returnTo });
      expectRefused(response, 400, 'RETURN_TO_NOT_ALLOWED');
      expect(setCookies(response, STATE_COOKIE)).toEqual([]);
    });

    it('sends the browser to a returnTo outside ASCII percent-encoded, on this site', async () => {
      const done = await signIn(new Browser(), {
        provider: 'Google',
        returnTo: '/／/evil.example',
      });
      expect([done.status, done.headers.location]).toEqual([302, '/%EF%BC%8F/evil.example']);
    });

    it('accepts a returnTo on OAUTH_RETURN_ORIGINS and sends the browser there', async () => {
      const browser = new Browser();
      const done = await signIn(browser, { returnTo: 'https://app.example/welcome' });
      expect([done.status, done.headers.location]).toEqual([302, 'https://app.example/welcome']);
    });

    it('a provider that is not offered', async () => {
      const response = await appHttp().get('/auth/oauth/authorize').query({ provider: 'Facebook' });
      expectRefused(response, 400, 'PROVIDER_NOT_OFFERED');
      expect(setCookies(response, STATE_COOKIE)).toEqual([]);
    });
  });

  describe('a bearer client', () => {
    async function loginCode(verifier: string): Promise<URL> {
      const browser = new Browser();
      const done = await signIn(browser, {
        provider: 'Google',
        returnTo: 'com.example.app:/signed-in',
        codeChallenge: s256(verifier),
      });
      expect(done.status).toBe(302);
      for (const name of SESSION_COOKIES) expect(setCookies(done, name)).toEqual([]);
      expectStateCleared(done);
      const location = new URL(done.headers.location);
      expect(`${location.protocol}${location.pathname}`).toBe('com.example.app:/signed-in');
      expect([...location.searchParams.keys()]).toEqual(['loginCode']);
      return location;
    }

    it('gets a login code, redeemed once with its verifier for the tokens', async () => {
      const verifier = randomBytes(48).toString('base64url');
      const code = (await loginCode(verifier)).searchParams.get('loginCode') ?? '';
      // No token in the address the browser is sent to.
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const tokens = await appHttp()
        .post('/auth/oauth/token')
        .send({ loginCode: code, codeVerifier: verifier });
      expect(tokens.status).toBe(200);
      expect(tokens.body).toEqual({
        accessToken: expect.any(String),
        idToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 3600,
        tokenType: 'Bearer',
      });
      for (const name of SESSION_COOKIES) expect(setCookies(tokens, name)).toEqual([]);
      const mine = await appHttp()
        .get('/reports/mine')
        .set('authorization', `Bearer ${tokens.body.accessToken as string}`);
      expect(mine.status).toBe(200);
      const again = await appHttp()
        .post('/auth/oauth/token')
        .send({ loginCode: code, codeVerifier: verifier });
      expectRefused(again, 400, 'LOGIN_CODE_INVALID');
    });

    it('a path returnTo comes back as a path of this site with the login code, never another host', async () => {
      const browser = new Browser();
      const done = await signIn(browser, {
        provider: 'Google',
        returnTo: '/a/../signed-in',
        codeChallenge: s256('v'.repeat(43)),
      });
      expect(done.status).toBe(302);
      expect(done.headers.location).toMatch(/^\/signed-in\?loginCode=[\w-]{43}$/);
    });

    it('a wrong verifier is refused and spends the code', async () => {
      const verifier = randomBytes(48).toString('base64url');
      const code = (await loginCode(verifier)).searchParams.get('loginCode') ?? '';
      const wrong = await appHttp()
        .post('/auth/oauth/token')
        .send({ loginCode: code, codeVerifier: randomBytes(48).toString('base64url') });
      expectRefused(wrong, 400, 'LOGIN_CODE_INVALID');
      const right = await appHttp()
        .post('/auth/oauth/token')
        .send({ loginCode: code, codeVerifier: verifier });
      expectRefused(right, 400, 'LOGIN_CODE_INVALID');
    });
  });

  describe('logout', () => {
    it('answers the managed login’s /logout with client_id and logout_uri, and clears the session cookies', async () => {
      const browser = new Browser();
      expect((await signIn(browser)).status).toBe(302);
      const csrf = decodeURIComponent(browser.value(COOKIE.csrfToken) ?? '');
      const stolen = browser.header('/reports/mine');
      expect((await appHttp().get('/reports/mine').set('cookie', stolen)).status).toBe(200);
      const response = await appHttp()
        .post('/auth/oauth/logout')
        .set('cookie', browser.header('/auth/oauth/logout'))
        .set('x-xsrf-token', csrf)
        .send({});
      expect(response.status).toBe(200);
      const logoutUrl = new URL(response.body.logoutUrl as string);
      expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${mock.domain}/logout`);
      expect(Object.fromEntries(logoutUrl.searchParams)).toEqual({
        client_id: clientId,
        logout_uri: logoutUri,
      });
      for (const name of [COOKIE.access, COOKIE.csrfSecret, COOKIE.csrfToken]) {
        expect(setCookies(response, name)[0]).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
      }
      expect(
        setCookies(response, COOKIE.refresh)
          .map((line) => /Path=([^;]+)/.exec(line)?.[1])
          .sort(),
      ).toEqual([...REFRESH_COOKIE_PATHS].sort());
      browser.absorb(response);
      for (const name of SESSION_COOKIES) expect(browser.has(name)).toBe(false);
      // The access token of the ended session is refused even by someone who kept a copy.
      const after = await appHttp().get('/reports/mine').set('cookie', stolen);
      expect([after.status, after.body.error]).toEqual([401, 'UNAUTHORIZED']);
      // The managed login takes that address and sends the browser back to OAUTH_LOGOUT_URI.
      const managed = await fetch(logoutUrl, { redirect: 'manual' });
      expect([managed.status, managed.headers.get('location')]).toEqual([302, logoutUri]);
    });
  });

  describe('with COGNITO_DOMAIN unset', () => {
    let discovering: NestFastifyApplication;
    let discoveringOrigin: string;

    beforeAll(async () => {
      const port = await findFreePort();
      discoveringOrigin = `http://127.0.0.1:${port}`;
      mock.options.callbackUrls.push(`${discoveringOrigin}${CALLBACK_PATH}`);
      discovering = await withEnv(
        appEnv({
          COGNITO_DOMAIN: undefined,
          OAUTH_REDIRECT_URI: `${discoveringOrigin}${CALLBACK_PATH}`,
        }),
        () => startTestApp(FederatedAppModule),
      );
      await discovering.listen(port, '127.0.0.1');
    });
    afterAll(() => release(discovering));

    it('ends the session at logout even while the discovery document is unreachable (logoutUrl null)', async () => {
      // A session of this pool, from the app that knows its domain.
      const browser = new Browser();
      const done = await signIn(browser);
      expect(done.status).toBe(302);
      browser.absorb(done);
      const token = browser.value(COOKIE.access);
      expect(token).toBeDefined();
      await mock.stopIssuer();
      try {
        const out = await request(discoveringOrigin)
          .post('/auth/oauth/logout')
          .set('authorization', `Bearer ${token ?? ''}`)
          .send({});
        expect([out.status, out.body]).toEqual([200, { logoutUrl: null }]);
      } finally {
        await mock.startIssuer();
      }
      const after = await request(discoveringOrigin)
        .get('/reports/mine')
        .set('authorization', `Bearer ${token ?? ''}`);
      expect([after.status, after.body.error]).toEqual([401, 'UNAUTHORIZED']);
    });

    it('finds the managed login in the issuer’s discovery document, and retries after a failed discovery', async () => {
      await mock.stopIssuer();
      try {
        const down = await request(discoveringOrigin).get('/auth/oauth/authorize');
        expectRefused(down, 503, 'UPSTREAM_UNAVAILABLE');
      } finally {
        await mock.startIssuer();
      }
      const browser = new Browser();
      const started = await request(discoveringOrigin)
        .get('/auth/oauth/authorize')
        .query({ provider: 'Google' });
      expect(started.status).toBe(302);
      browser.absorb(started);
      const location = new URL(started.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(`${mock.domain}/oauth2/authorize`);
      const back = await atManagedLogin(location);
      expect(`${back.origin}${back.pathname}`).toBe(`${discoveringOrigin}${CALLBACK_PATH}`);
      const done = await request(discoveringOrigin)
        .get(`${back.pathname}${back.search}`)
        .set('cookie', browser.header(CALLBACK_PATH));
      expect([done.status, done.headers.location]).toEqual([302, '/']);
      expect(setCookies(done, COOKIE.access)).toHaveLength(1);
    });
  });

  describe('with a client secret the managed login does not know', () => {
    let misconfigured: NestFastifyApplication;
    let origin: string;

    beforeAll(async () => {
      const port = await findFreePort();
      origin = `http://127.0.0.1:${port}`;
      mock.options.callbackUrls.push(`${origin}${CALLBACK_PATH}`);
      misconfigured = await withEnv(
        appEnv({
          COGNITO_CLIENT_SECRET: 'notthesecret0123456789abcdefg',
          OAUTH_REDIRECT_URI: `${origin}${CALLBACK_PATH}`,
        }),
        () => startTestApp(FederatedAppModule),
      );
      await misconfigured.listen(port, '127.0.0.1');
    });
    afterAll(() => release(misconfigured));

    it('answers 502 UPSTREAM_ERROR (invalid_client is this service’s set-up, not the user’s sign-in)', async () => {
      const browser = new Browser();
      const started = await request(origin).get('/auth/oauth/authorize');
      browser.absorb(started);
      const back = await atManagedLogin(new URL(started.headers.location));
      const response = await request(origin)
        .get(`${back.pathname}${back.search}`)
        .set('cookie', browser.header(CALLBACK_PATH));
      expectRefused(response, 502, 'UPSTREAM_ERROR');
    });
  });

  describe('the stand-in itself enforces what Cognito enforces', () => {
    const verifier = randomBytes(32).toString('base64url');

    async function code(): Promise<string> {
      const location = new URL(`${mock.domain}/oauth2/authorize`);
      location.search = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid email',
        state: 's',
        nonce: 'n',
        code_challenge: s256(verifier),
        code_challenge_method: 'S256',
      }).toString();
      return (await atManagedLogin(location)).searchParams.get('code') ?? '';
    }

    async function redeem(
      body: Record<string, string>,
      secret = clientSecret,
    ): Promise<{ status: number; body: Record<string, unknown> }> {
      const response = await fetch(`${mock.domain}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          redirect_uri: redirectUri,
          code_verifier: verifier,
          ...body,
        }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    const claimsOf = (jwt: unknown) =>
      JSON.parse(Buffer.from(String(jwt).split('.')[1], 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;

    it('issues Cognito-shaped tokens once, to the client with its secret, redirect_uri and verifier', async () => {
      mock.nextUser = { sub: '1234567890', email: 'grace@example.com', provider: 'Google' };
      expect(await redeem({ code: await code() }, 'wrongsecret')).toEqual({
        status: 400,
        body: { error: 'invalid_client' },
      });
      expect(await redeem({ code: await code(), redirect_uri: `${appOrigin}/elsewhere` })).toEqual({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect(
        await redeem({ code: await code(), code_verifier: randomBytes(32).toString('base64url') }),
      ).toEqual({ status: 400, body: { error: 'invalid_grant' } });
      // No verifier for a code issued with a challenge.
      expect(await redeem({ code: await code(), code_verifier: '' })).toEqual({
        status: 400,
        body: { error: 'invalid_grant' },
      });

      const good = await code();
      const tokens = await redeem({ code: good });
      expect(tokens.status).toBe(200);
      expect(tokens.body).toEqual({
        access_token: expect.any(String),
        id_token: expect.any(String),
        refresh_token: expect.any(String),
        expires_in: 3600,
        token_type: 'Bearer',
      });
      expect(claimsOf(tokens.body.id_token)).toEqual({
        sub: expect.any(String),
        aud: clientId,
        iss: mock.issuer,
        token_use: 'id',
        nonce: 'n',
        'cognito:username': 'Google_1234567890',
        'cognito:groups': [mock.providerGroup('Google')],
        identities: [expect.objectContaining({ userId: '1234567890', providerName: 'Google' })],
        email: 'grace@example.com',
        email_verified: false,
        origin_jti: expect.any(String),
        jti: expect.any(String),
        auth_time: expect.any(Number),
        iat: expect.any(Number),
        exp: expect.any(Number),
      });
      const access = claimsOf(tokens.body.access_token);
      expect(access).toEqual({
        sub: claimsOf(tokens.body.id_token).sub,
        iss: mock.issuer,
        version: 2,
        client_id: clientId,
        token_use: 'access',
        scope: 'openid email',
        username: 'Google_1234567890',
        'cognito:groups': [mock.providerGroup('Google')],
        origin_jti: expect.any(String),
        jti: expect.any(String),
        auth_time: expect.any(Number),
        iat: expect.any(Number),
        exp: expect.any(Number),
      });
      expect(await redeem({ code: good })).toEqual({
        status: 400,
        body: { error: 'invalid_grant' },
      });
    });
  });
});
