import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Response } from 'supertest';
import { signedInAccount } from './support/accounts';
import { browserSession, COOKIE, cookieValue, setCookies } from './support/cookies';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

const APP_ORIGIN = 'https://app.example.com';

/** CSRF protection of cookie sessions, CORS, and the security headers. */
describe('Browser protections (e2e)', () => {
  const pool = new TestPool();
  const created: string[] = [];
  let app: NestFastifyApplication;
  let login: Response;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await withEnv({ CORS_ORIGINS: APP_ORIGIN }, () => startTestApp());
    const email = uniqueEmail('browser');
    created.push(email);
    login = await signedInAccount(app, pool, email);
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  it('names the session cookies __Host- (Secure, Path=/, no Domain) and the refresh cookies __Secure-', () => {
    expect(COOKIE).toEqual({
      access: '__Host-access_token',
      refresh: '__Secure-refresh_token',
      refreshUsername: '__Secure-refresh_username',
      idToken: '__Secure-id_token',
      csrfSecret: '__Host-csrf_secret',
      csrfToken: '__Host-XSRF-TOKEN',
    });
    for (const name of [COOKIE.access, COOKIE.csrfSecret, COOKIE.csrfToken]) {
      const [line] = setCookies(login, name);
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/; Path=\/(;|$)/);
      expect(line).not.toMatch(/Domain=/i);
    }
    for (const name of [COOKIE.refresh, COOKIE.refreshUsername]) {
      for (const line of setCookies(login, name)) expect(line).toMatch(/; Secure/);
    }
    const names = (response: Response) =>
      (response.headers['set-cookie'] as unknown as string[]).map((line) => line.split('=')[0]);
    expect(names(login)).not.toContain('access_token');
  });

  it('uses __Secure- with COOKIE_DOMAIN, and the plain names on plain-http development', async () => {
    for (const [env, access, token] of [
      [{ COOKIE_DOMAIN: 'example.com' }, '__Secure-access_token', '__Secure-XSRF-TOKEN'],
      [{ COOKIE_SECURE: 'false' }, 'access_token', 'XSRF-TOKEN'],
    ] as const) {
      const other = await withEnv(env, () => startTestApp());
      try {
        const signedIn = await request(other.getHttpServer())
          .post('/auth/login')
          .send({ email: created[0], password: STRONG_PASSWORD });
        expect(setCookies(signedIn, access)).toHaveLength(1);
        expect(setCookies(signedIn, token)).toHaveLength(1);
        const me = await request(other.getHttpServer())
          .get('/auth/me')
          .set('cookie', cookieValue(signedIn, access));
        expect(me.status).toBe(200);
      } finally {
        await other.close();
      }
    }
  });

  it('sets an httpOnly CSRF secret and a readable XSRF-TOKEN cookie with the session', () => {
    const [secret] = setCookies(login, COOKIE.csrfSecret);
    const [token] = setCookies(login, COOKIE.csrfToken);
    expect(secret).toMatch(/; HttpOnly/);
    expect(token).not.toMatch(/HttpOnly/);
    for (const cookie of [secret, token]) {
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Path=\/(;|$)/);
    }
  });

  describe('a cookie-authenticated unsafe request', () => {
    // An empty body fails validation (400) after the CSRF check, so 400 means "let through".
    const changePassword = () => http().post('/auth/change-password').send({});

    it('is refused with 403 CSRF_REJECTED without the token header', async () => {
      const response = await changePassword().set(
        'cookie',
        browserSession(login).cookie, // cookies only, as a forged cross-site form would send
      );
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('CSRF_REJECTED');
    });

    it('is refused with a token that does not match the secret', async () => {
      const session = browserSession(login);
      const other = await http()
        .post('/auth/login')
        .send({ email: created[0], password: STRONG_PASSWORD });
      const forged = await changePassword().set({
        ...session,
        'x-xsrf-token': browserSession(other)['x-xsrf-token'],
      });
      expect(forged.status).toBe(403);
      expect((await changePassword().set({ ...session, 'x-xsrf-token': 'x' })).status).toBe(403);
    });

    it("is refused with the victim's session cookies and an attacker's own secret and token", async () => {
      // The attacker signs in to their own account and plants its CSRF secret beside the
      // victim's session (a cookie set from a sibling subdomain, say), then sends its token.
      const attackerEmail = uniqueEmail('attacker');
      created.push(attackerEmail);
      const attacker = browserSession(await signedInAccount(app, pool, attackerEmail));
      const victim = [COOKIE.access, COOKIE.refresh, COOKIE.refreshUsername].map((name) =>
        cookieValue(login, name),
      );
      const forged = {
        cookie: [...victim, ...attacker.cookie.split('; ').slice(3)].join('; '),
        'x-xsrf-token': attacker['x-xsrf-token'],
      };
      const guarded = await changePassword().set(forged);
      expect([guarded.status, guarded.body.error]).toEqual([403, 'CSRF_REJECTED']);
      const refreshed = await http().post('/auth/refresh').set(forged).send({});
      expect([refreshed.status, refreshed.body.error]).toEqual([403, 'CSRF_REJECTED']);
      // The attacker's pair is good for the attacker's own session only.
      expect((await changePassword().set(attacker)).status).toBe(400);
    });

    it('passes after a refresh with the token issued for the refreshed session', async () => {
      const refreshed = await http().post('/auth/refresh').set(browserSession(login)).send({});
      expect(refreshed.status).toBe(200);
      const session = {
        cookie: [
          cookieValue(refreshed, COOKIE.access),
          cookieValue(refreshed, COOKIE.csrfSecret),
        ].join('; '),
        'x-xsrf-token': decodeURIComponent(cookieValue(refreshed, COOKIE.csrfToken).split('=')[1]),
      };
      expect((await changePassword().set(session)).status).toBe(400);
      // The secret and token of the session before the refresh do not fit its new access token.
      const stale = {
        cookie: [cookieValue(refreshed, COOKIE.access), cookieValue(login, COOKIE.csrfSecret)].join(
          '; ',
        ),
        'x-xsrf-token': browserSession(login)['x-xsrf-token'],
      };
      expect((await changePassword().set(stale)).status).toBe(403);
    });

    it('is refused from a foreign Origin even with the token', async () => {
      const response = await changePassword()
        .set(browserSession(login))
        .set('origin', 'https://evil.example');
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('CSRF_REJECTED');
    });

    it('passes with the token from this site or a configured origin, and in the other header name', async () => {
      const session = browserSession(login);
      expect((await changePassword().set(session)).status).toBe(400);
      const host = `127.0.0.1`;
      expect(
        (await changePassword().set(session).set('host', host).set('origin', `http://${host}`))
          .status,
      ).toBe(400);
      expect((await changePassword().set(session).set('origin', APP_ORIGIN)).status).toBe(400);
      expect(
        (
          await changePassword()
            .set('cookie', session.cookie)
            .set('x-csrf-token', session['x-xsrf-token'])
        ).status,
      ).toBe(400);
    });

    it('covers refresh and logout, which read the session cookies', async () => {
      const cookies = browserSession(login).cookie;
      expect((await http().post('/auth/refresh').set('cookie', cookies).send({})).status).toBe(403);
      expect((await http().post('/auth/logout').set('cookie', cookies).send({})).status).toBe(403);
    });
  });

  it('exempts bearer requests and safe methods', async () => {
    const bearer = { authorization: `Bearer ${login.body.accessToken as string}` };
    const unsafe = await http()
      .post('/auth/change-password')
      .set(bearer)
      .set('origin', 'https://evil.example')
      .send({});
    expect(unsafe.status).toBe(400);
    const safe = await http().get('/auth/me').set('cookie', cookieValue(login, COOKIE.access));
    expect(safe.status).toBe(200);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      http()
        .options('/auth/me')
        .set('origin', origin)
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'content-type,x-xsrf-token');
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-allow-headers']).toContain('x-xsrf-token');
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await http().get('/health/live').set('origin', 'https://evil.example');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers at all when no origin is configured', async () => {
    const plain = await startTestApp();
    try {
      const response = await request(plain.getHttpServer())
        .options('/auth/login')
        .set('origin', APP_ORIGIN)
        .set('access-control-request-method', 'POST');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('keeps tokens out of every body in cookie-only mode, and the cookie session works end to end', async () => {
    const cookieOnly = await withEnv({ TOKEN_DELIVERY: 'cookie' }, () => startTestApp());
    const browser = () => request(cookieOnly.getHttpServer());
    try {
      const signedIn = await browser()
        .post('/auth/login')
        .send({ email: created[0], password: STRONG_PASSWORD });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body).toEqual({ expiresIn: expect.any(Number), tokenType: 'Bearer' });
      const session = browserSession(signedIn);
      expect((await browser().get('/auth/me').set('cookie', session.cookie)).status).toBe(200);
      const refreshed = await browser().post('/auth/refresh').set(session).send({});
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toEqual({ expiresIn: expect.any(Number), tokenType: 'Bearer' });
      const loggedOut = await browser().post('/auth/logout').set(session).send({});
      expect(loggedOut.status).toBe(204);
      for (const name of [COOKIE.access, COOKIE.csrfSecret, COOKIE.csrfToken]) {
        expect(setCookies(loggedOut, name)[0]).toMatch(/Max-Age=0/);
      }
    } finally {
      await cookieOnly.close();
    }
  });

  it('sets the security headers on every answer, Swagger UI included', async () => {
    for (const path of ['/health/live', '/auth/me', '/docs']) {
      const response = await http().get(path);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      // Not in development: the browser would fetch Swagger UI's files over https.
      expect(response.headers['content-security-policy']).not.toContain(
        'upgrade-insecure-requests',
      );
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('has Swagger UI send the CSRF token from its cookie, so cookie sessions work there', async () => {
    const init = await http().get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('requestInterceptor');
    expect(init.text).toContain('XSRF-TOKEN');
    expect(init.text).toContain('X-XSRF-TOKEN');
  });
});
