import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { authenticator } from 'otplib';
import {
  createAuthClient,
  csrfTokenIn,
  isChallenge,
  type AuthClient,
  type SignInResult,
  type Tokens,
} from '../clients/typescript/src';
import { rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import { STRONG_PASSWORD, startTestApp, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';

/** The tokens of an answer that must be tokens (a step fails the test with its name). */
function tokensOf(result: SignInResult | undefined): Tokens {
  if (!result || isChallenge(result)) {
    throw new Error(`expected tokens, got ${result ? result.nextStep : 'no answer'}`);
  }
  if (result.refreshToken) rememberSecret(result.refreshToken, 'refresh token');
  return result;
}

/**
 * A fetch that keeps cookies as a browser would (name=value per name; Max-Age=0 removes one):
 * enough for Node to hold a cookie session with the typed client.
 */
function cookieJarFetch(): {
  fetch: (request: Request) => Promise<Response>;
  cookies: () => string;
} {
  const jar = new Map<string, string>();
  const cookies = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  return {
    cookies,
    fetch: async (request: Request) => {
      if (jar.size > 0) request.headers.set('cookie', cookies());
      const response = await fetch(request);
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';');
        const name = pair.slice(0, pair.indexOf('='));
        const value = pair.slice(pair.indexOf('=') + 1);
        // The refresh cookies are scoped to the refresh and logout paths: kept as one jar here.
        if (attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute))) jar.delete(name);
        else jar.set(name, value);
      }
      return response;
    },
  };
}

/**
 * The generated TypeScript client (clients/typescript) against the running app, used as a
 * frontend would: every call below goes through it, none through supertest.
 */
describe('The typed TypeScript client (e2e)', () => {
  const pool = new TestPool();
  const created: string[] = [];
  let app: NestFastifyApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startTestApp();
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    rememberSecret(STRONG_PASSWORD, 'password');
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  async function signUp(api: AuthClient, label: string): Promise<string> {
    const email = uniqueEmail(label);
    created.push(email);
    const signUp = await api.POST('/auth/sign-up', { body: { email, password: STRONG_PASSWORD } });
    expect(signUp.response.status).toBe(201);
    expect(signUp.data?.userConfirmed).toBe(false);
    const code = await pool.code(email);
    rememberSecret(code, 'code');
    const confirmed = await api.POST('/auth/confirm-sign-up', { body: { email, code } });
    expect([confirmed.response.status, confirmed.error]).toEqual([204, undefined]);
    return email;
  }

  (pool.emulated ? it : it.skip)(
    'bearer: sign-up -> confirm -> login -> MFA set-up -> login with the MFA step -> me -> refresh -> logout',
    async () => {
      let accessToken: string | undefined;
      const api = createAuthClient({ baseUrl, accessToken: () => accessToken });
      const email = await signUp(api, 'client-bearer');

      const login = await api.POST('/auth/login', { body: { email, password: STRONG_PASSWORD } });
      accessToken = tokensOf(login.data).accessToken;

      // An authenticator app, then MFA on.
      const totp = await api.POST('/account/mfa/totp', { body: { password: STRONG_PASSWORD } });
      expect(totp.data?.qrCode).toMatch(/^data:image\/png;base64,/);
      const secret = totp.data?.secretCode ?? '';
      const verified = await api.POST('/account/mfa/totp/verify', {
        body: { code: authenticator.generate(secret), deviceName: 'Typed client' },
      });
      expect(verified.response.status).toBe(204);
      const mfa = await api.PUT('/account/mfa', {
        body: { totpEnabled: true, password: STRONG_PASSWORD },
      });
      expect(mfa.data?.totpEnabled).toBe(true);

      // The login now answers a step: the nextStep union narrows it.
      accessToken = undefined;
      const step = await api.POST('/auth/login', { body: { email, password: STRONG_PASSWORD } });
      const answer = step.data;
      if (!answer || !isChallenge(answer)) throw new Error('expected the SOFTWARE_TOKEN_MFA step');
      expect(answer.nextStep).toBe('SOFTWARE_TOKEN_MFA');
      const challenged = await api.POST('/auth/challenge', {
        body: {
          email,
          nextStep: answer.nextStep,
          session: answer.session,
          code: authenticator.generate(secret),
        },
      });
      const tokens = tokensOf(challenged.data);
      accessToken = tokens.accessToken;

      const me = await api.GET('/auth/me');
      expect(me.data?.email).toBe(email);

      const refreshed = await api.POST('/auth/refresh', {
        body: { refreshToken: tokens.refreshToken },
      });
      const next = tokensOf(refreshed.data);
      expect(next.accessToken).not.toBe(tokens.accessToken);
      accessToken = next.accessToken;

      const logout = await api.POST('/auth/logout', {
        body: { refreshToken: tokens.refreshToken },
      });
      expect(logout.response.status).toBe(204);
      // The access token is refused at once, with the one error body, typed.
      const after = await api.GET('/auth/me');
      expect(after.response.status).toBe(401);
      expect(after.error).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
      expect(after.error?.requestId).toBe(after.response.headers.get('x-request-id'));
    },
    30000,
  );

  (pool.emulated ? it : it.skip)(
    'cookies: the session lives in cookies, and unsafe requests carry the CSRF token',
    async () => {
      const jar = cookieJarFetch();
      const api = createAuthClient({
        baseUrl,
        fetch: jar.fetch,
        csrfToken: () => csrfTokenIn(jar.cookies()),
      });
      const email = await signUp(api, 'client-cookie');
      const login = await api.POST('/auth/login', { body: { email, password: STRONG_PASSWORD } });
      expect(login.response.status).toBe(200);
      expect(jar.cookies()).toContain('__Host-access_token=');
      expect((await api.GET('/auth/me')).data?.email).toBe(email);

      // The CSRF rule: without the token, a cookie session's unsafe request is refused.
      const noCsrf = createAuthClient({ baseUrl, fetch: jar.fetch, csrfToken: () => '' });
      const refused = await noCsrf.PATCH('/account', { body: { attributes: { name: 'Mallory' } } });
      expect([refused.response.status, refused.error?.error]).toEqual([403, 'CSRF_REJECTED']);

      const updated = await api.PATCH('/account', { body: { attributes: { name: 'Alice' } } });
      expect(updated.response.status).toBe(200);
      const refreshed = await api.POST('/auth/refresh', { body: {} });
      expect(refreshed.response.status).toBe(200);
      const logout = await api.POST('/auth/logout', { body: {} });
      expect(logout.response.status).toBe(204);
      expect(jar.cookies()).not.toContain('__Host-access_token=');
      expect((await api.GET('/auth/me')).response.status).toBe(401);
    },
    30000,
  );

  it('reads the CSRF token from a cookie string, whichever name the API gave it', () => {
    expect(csrfTokenIn('a=1; __Host-XSRF-TOKEN=abc%3D; b=2')).toBe('abc=');
    expect(csrfTokenIn('XSRF-TOKEN=plain')).toBe('plain');
    expect(csrfTokenIn('other=1')).toBeUndefined();
  });
});
