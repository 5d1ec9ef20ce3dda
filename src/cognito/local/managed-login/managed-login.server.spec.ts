import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import {
  SignInRefused,
  type LoginBackend,
  type LoginTokens,
  type PasswordOutcome,
} from './login-backend.adapter';
import {
  CODE_TTL_MS,
  ManagedLoginStandIn,
  PENDING_TTL_MS,
  localProviderSubject,
} from './managed-login.server';

const CLIENT_ID = 'client-1';
const SECRET = 'se cret+/=';
const ISSUER = 'http://127.0.0.1:9229/local_Pool';
const CALLBACK = 'http://localhost:3000/auth/oauth/callback';

const TOKENS: LoginTokens = {
  accessToken: 'access.token.x',
  idToken: 'id.token.x',
  refreshToken: 'refresh.token.x',
  expiresIn: 3600,
};

/** A backend double: records what the stand-in asked of the pool. */
function fakeBackend(): jest.Mocked<LoginBackend> {
  return {
    federatedSignIn: jest.fn().mockResolvedValue(TOKENS),
    passwordSignIn: jest
      .fn<Promise<PasswordOutcome>, Parameters<LoginBackend['passwordSignIn']>>()
      .mockResolvedValue({ kind: 'signed-in', tokens: TOKENS }),
    answerCode: jest
      .fn<Promise<PasswordOutcome>, Parameters<LoginBackend['answerCode']>>()
      .mockResolvedValue({ kind: 'signed-in', tokens: TOKENS }),
    refresh: jest.fn().mockResolvedValue({ ...TOKENS, refreshToken: undefined }),
    userInfo: jest.fn().mockResolvedValue(undefined),
    revoke: jest.fn().mockResolvedValue(undefined),
  };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** RFC 6749 §2.3.1: form-encoded id and secret, then Basic. */
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret).replace(/%20/g, '+')}`).toString('base64')}`;

describe('ManagedLoginStandIn', () => {
  let standIn: ManagedLoginStandIn;
  let backend: jest.Mocked<LoginBackend>;
  let now: number;

  beforeEach(async () => {
    backend = fakeBackend();
    now = Date.now();
    standIn = await ManagedLoginStandIn.start({
      backend,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      issuer: ISSUER,
      nodeEnv: 'test',
      now: () => now,
    });
  });
  afterEach(() => standIn.stop());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${standIn.origin}${path}`, { redirect: 'manual', headers });
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${standIn.origin}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form),
    });

  function authorizeQuery(overrides: Record<string, string | undefined> = {}): string {
    const params: Record<string, string | undefined> = {
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email',
      state: 'st<ate>',
      nonce: 'n0nce',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...overrides,
    };
    return new URLSearchParams(
      Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();
  }

  const requestIdOf = (page: string) => /name="request" value="([^"]+)"/.exec(page)?.[1] ?? '';

  /** A completed provider sign-in: the code the redirect carries, and the verifier. */
  async function issuedCode(): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkce();
    const page = await get(`/oauth2/authorize?${authorizeQuery({ code_challenge: challenge })}`);
    const requestId = requestIdOf(await page.text());
    const done = await post('/login/provider', { request: requestId, email: 'a@example.com' });
    const location = new URL(done.headers.get('location') ?? '');
    return { code: location.searchParams.get('code') ?? '', verifier };
  }

  const redeem = (form: Record<string, string>, auth = basic(CLIENT_ID, SECRET)) =>
    post(
      '/oauth2/token',
      { grant_type: 'authorization_code', redirect_uri: CALLBACK, ...form },
      { authorization: auth },
    );

  it('refuses to start under NODE_ENV=production', async () => {
    await expect(
      ManagedLoginStandIn.start({
        backend,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        issuer: ISSUER,
        nodeEnv: 'production',
      }),
    ).rejects.toThrow(/development only/);
  });

  it('listens on loopback and describes itself as the pool domain, with the pool issuer', async () => {
    expect(standIn.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await get('/.well-known/openid-configuration');
    expect(await answer.json()).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      authorization_endpoint: `${standIn.origin}/oauth2/authorize`,
      token_endpoint: `${standIn.origin}/oauth2/token`,
      end_session_endpoint: `${standIn.origin}/logout`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('answers only under its loopback names (no DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request(
          `${standIn.origin}/.well-known/openid-configuration`,
          { headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
          .on('error', reject)
          .end();
      });
    expect(await status(`evil.example:${standIn.port}`)).toBe(421);
    expect(await status(`127.0.0.1:${standIn.port}`)).toBe(200);
    expect(await status(`localhost:${standIn.port}`)).toBe(200);
  });

  describe('/oauth2/authorize', () => {
    it('shows both sign-ins on an accessible, escaped page with a strict CSP and the local notice', async () => {
      const answer = await get(`/oauth2/authorize?${authorizeQuery()}`);
      expect(answer.status).toBe(200);
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      // A form's redirects end at the client's returnTo, anywhere: form-action would block them.
      expect(csp).not.toContain('form-action');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      const page = await answer.text();
      expect(page).toContain('<h1>Sign in</h1>');
      expect(page).toContain('development only, not Amazon Cognito');
      expect(page).toContain('Sign in with LocalProvider (simulated)');
      expect(page).toContain('action="/login/password"');
      expect(page).toContain('<label for="provider-email">');
      // Only the request's id is in the page: the state and the redirect stay on the server.
      expect(page).not.toContain('st<ate>');
      expect(page).not.toContain('st&lt;ate&gt;');
      expect(page).not.toMatch(/https?:\/\/(?!127)/);
    });

    it('shows only the provider, or only the pool, as identity_provider says', async () => {
      const provider = await (
        await get(`/oauth2/authorize?${authorizeQuery({ identity_provider: 'LocalProvider' })}`)
      ).text();
      expect(provider).toContain('action="/login/provider"');
      expect(provider).not.toContain('action="/login/password"');
      const pool = await (
        await get(`/oauth2/authorize?${authorizeQuery({ identity_provider: 'COGNITO' })}`)
      ).text();
      expect(pool).not.toContain('action="/login/provider"');
      expect(pool).toContain('action="/login/password"');
    });

    it.each([
      ['an unknown client', { client_id: 'other' }],
      ['no client', { client_id: undefined }],
      ['a non-loopback redirect', { redirect_uri: 'https://evil.example/cb' }],
      ['an https loopback redirect', { redirect_uri: 'https://localhost:3000/cb' }],
      ['a redirect with a fragment', { redirect_uri: `${CALLBACK}#x` }],
      ['a redirect with credentials', { redirect_uri: 'http://u:p@localhost:3000/cb' }],
      ['no redirect', { redirect_uri: undefined }],
    ])('answers %s with an error page, never a redirect', async (_, overrides) => {
      const answer = await get(`/oauth2/authorize?${authorizeQuery(overrides)}`);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    });

    it('refuses a parameter given twice with an error page', async () => {
      const answer = await get(
        `/oauth2/authorize?${authorizeQuery()}&redirect_uri=${encodeURIComponent('http://127.0.0.1:1/x')}`,
      );
      expect(answer.status).toBe(400);
    });

    it.each([
      ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
      ['the plain PKCE method', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['a challenge without its method', { code_challenge_method: undefined }, 'invalid_request'],
      ['an unknown scope', { scope: 'openid admin' }, 'invalid_scope'],
      ['an unknown identity provider', { identity_provider: 'Google' }, 'invalid_request'],
    ])('sends %s back to the client as Cognito does', async (_, overrides, error) => {
      const answer = await get(`/oauth2/authorize?${authorizeQuery(overrides)}`);
      expect(answer.status).toBe(302);
      const location = new URL(answer.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('error_description')).toEqual(expect.any(String));
      expect(location.searchParams.get('state')).toBe('st<ate>');
      expect(location.searchParams.get('code')).toBeNull();
    });
  });

  describe('the sign-in forms', () => {
    async function requestId(overrides: Record<string, string | undefined> = {}) {
      return requestIdOf(
        await (await get(`/oauth2/authorize?${authorizeQuery(overrides)}`)).text(),
      );
    }

    it('signs in with the simulated provider as the stable subject of the email, with the nonce', async () => {
      const done = await post('/login/provider', {
        request: await requestId(),
        email: ' Alice@Example.com ',
      });
      expect(done.status).toBe(302);
      const location = new URL(done.headers.get('location') ?? '');
      expect(location.searchParams.get('state')).toBe('st<ate>');
      expect(location.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
      expect(backend.federatedSignIn).toHaveBeenCalledWith(
        {
          providerName: 'LocalProvider',
          providerUserId: localProviderSubject('alice@example.com'),
          email: 'Alice@Example.com',
        },
        { nonce: 'n0nce', scope: 'openid email' },
      );
      expect(localProviderSubject('alice@example.com')).toMatch(/^[0-9a-f]{21}$/);
    });

    it('takes each sign-in page once, and none that expired or never existed', async () => {
      const id = await requestId();
      expect((await post('/login/provider', { request: id, email: 'a@example.com' })).status).toBe(
        302,
      );
      const again = await post('/login/provider', { request: id, email: 'a@example.com' });
      expect(again.status).toBe(400);
      expect(await again.text()).toContain('expired');
      expect(
        (await post('/login/provider', { request: 'forged', email: 'a@example.com' })).status,
      ).toBe(400);

      const late = await requestId();
      now += PENDING_TTL_MS + 1;
      expect(
        (await post('/login/provider', { request: late, email: 'a@example.com' })).status,
      ).toBe(400);
      expect(backend.federatedSignIn).toHaveBeenCalledTimes(1);
    });

    it('offers no form that identity_provider left out', async () => {
      const poolOnly = await requestId({ identity_provider: 'COGNITO' });
      expect(
        (await post('/login/provider', { request: poolOnly, email: 'a@example.com' })).status,
      ).toBe(400);
      const providerOnly = await requestId({ identity_provider: 'LocalProvider' });
      expect(
        (
          await post('/login/password', {
            request: providerOnly,
            email: 'a@example.com',
            password: 'x',
          })
        ).status,
      ).toBe(400);
      expect(backend.federatedSignIn).not.toHaveBeenCalled();
      expect(backend.passwordSignIn).not.toHaveBeenCalled();
    });

    it('sends a refused provider sign-in (a disabled user) back to the client', async () => {
      backend.federatedSignIn.mockRejectedValueOnce(new SignInRefused('User is disabled.'));
      const done = await post('/login/provider', {
        request: await requestId(),
        email: 'a@example.com',
      });
      const location = new URL(done.headers.get('location') ?? '');
      expect(Object.fromEntries(location.searchParams)).toEqual({
        error: 'invalid_request',
        error_description: 'User is disabled.',
        state: 'st<ate>',
      });
    });

    it('locks the account out after repeated wrong passwords, without asking the pool, as Cognito does', async () => {
      backend.passwordSignIn.mockResolvedValue({
        kind: 'refused',
        message: 'Incorrect username or password.',
      });
      const id = await requestId();
      const attempt = () =>
        post('/login/password', { request: id, email: 'a@example.com', password: 'wrong' });
      for (let i = 0; i < 6; i++) expect((await attempt()).status).toBe(400);
      const locked = await attempt();
      expect(locked.status).toBe(429);
      expect(await locked.text()).toContain('Too many failed attempts. Try again in 2 seconds.');
      expect(backend.passwordSignIn).toHaveBeenCalledTimes(6);
      now += 2000;
      expect((await attempt()).status).toBe(400);
      expect(backend.passwordSignIn).toHaveBeenCalledTimes(7);
    });

    it('shows the form again with Cognito’s words after a wrong password, the email escaped', async () => {
      backend.passwordSignIn.mockResolvedValueOnce({
        kind: 'refused',
        message: 'Incorrect username or password.',
      });
      const id = await requestId();
      const answer = await post('/login/password', {
        request: id,
        email: 'a"<b>@example.com',
        password: 'wrong',
      });
      expect(answer.status).toBe(400);
      const page = await answer.text();
      expect(page).toContain('Incorrect username or password.');
      expect(page).toContain('value="a&quot;&lt;b&gt;@example.com"');
      expect(page).not.toContain('wrong');
      expect(backend.passwordSignIn).toHaveBeenCalledWith('a"<b>@example.com', 'wrong', {
        nonce: 'n0nce',
        scope: 'openid email',
      });
      // The same page can be tried again.
      expect(
        (
          await post('/login/password', {
            request: id,
            email: 'a@example.com',
            password: 'right',
          })
        ).status,
      ).toBe(302);
    });

    it('asks for the code of an MFA step and answers it with the step', async () => {
      const step = { name: 'SOFTWARE_TOKEN_MFA' as const, session: 'sess', username: 'uuid-1' };
      backend.passwordSignIn.mockResolvedValueOnce({ kind: 'code', step });
      const id = await requestId();
      const answer = await post('/login/password', {
        request: id,
        email: 'a@example.com',
        password: 'right',
      });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('Code from your authenticator app');
      const done = await post('/login/code', { request: id, code: '123456' });
      expect(done.status).toBe(302);
      expect(backend.answerCode).toHaveBeenCalledWith(step, '123456', {
        nonce: 'n0nce',
        scope: 'openid email',
      });
    });

    it('counts guesses sent together: no more than the lockout allows reach the pool', async () => {
      // A pool that takes its time, as a real one does: the guesses are all in flight at once.
      backend.passwordSignIn.mockImplementation(
        () =>
          new Promise((resolve) =>
            setTimeout(
              () => resolve({ kind: 'refused', message: 'Incorrect username or password.' }),
              100,
            ),
          ),
      );
      const ids = await Promise.all(Array.from({ length: 20 }, () => requestId()));
      const answers = await Promise.all(
        ids.map((id) =>
          post('/login/password', { request: id, email: 'a@example.com', password: 'guess' }),
        ),
      );
      expect(backend.passwordSignIn.mock.calls.length).toBeLessThanOrEqual(6);
      expect(answers.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(14);
    });

    it('answers one code per step, even sent together, and counts wrong codes against the account', async () => {
      const step = { name: 'SOFTWARE_TOKEN_MFA' as const, session: 'sess', username: 'uuid-1' };
      backend.passwordSignIn.mockResolvedValue({ kind: 'code', step });
      backend.answerCode.mockResolvedValue({ kind: 'refused', message: 'Incorrect code.' });
      const id = await requestId();
      await post('/login/password', { request: id, email: 'a@example.com', password: 'right' });
      const codes = await Promise.all(
        ['111111', '222222', '333333'].map((code) => post('/login/code', { request: id, code })),
      );
      expect(backend.answerCode).toHaveBeenCalledTimes(1);
      expect(codes.filter((answer) => answer.status === 400)).toHaveLength(3);
      // Password then a wrong code, again and again: the account locks, though the password is right.
      for (let round = 0; round < 3; round++) {
        const again = await requestId();
        await post('/login/password', {
          request: again,
          email: 'a@example.com',
          password: 'right',
        });
        await post('/login/code', { request: again, code: '444444' });
      }
      const locked = await post('/login/password', {
        request: await requestId(),
        email: 'a@example.com',
        password: 'right',
      });
      expect(locked.status).toBe(429);
    });

    it('refuses a code for a sign-in that is not waiting for one', async () => {
      const answer = await post('/login/code', { request: await requestId(), code: '123456' });
      expect(answer.status).toBe(400);
      expect(backend.answerCode).not.toHaveBeenCalled();
    });
  });

  describe('/oauth2/token', () => {
    it('redeems a code once, with the Basic secret and the verifier, answering no-store tokens', async () => {
      const { code, verifier } = await issuedCode();
      const answer = await redeem({ code, code_verifier: verifier });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(await answer.json()).toEqual({
        access_token: TOKENS.accessToken,
        id_token: TOKENS.idToken,
        refresh_token: TOKENS.refreshToken,
        token_type: 'Bearer',
        expires_in: 3600,
      });
      const replay = await redeem({ code, code_verifier: verifier });
      expect([replay.status, await replay.json()]).toEqual([400, { error: 'invalid_grant' }]);
    });

    it('takes client_secret_post too', async () => {
      const { code, verifier } = await issuedCode();
      const answer = await post('/oauth2/token', {
        grant_type: 'authorization_code',
        redirect_uri: CALLBACK,
        code,
        code_verifier: verifier,
        client_id: CLIENT_ID,
        client_secret: SECRET,
      });
      expect(answer.status).toBe(200);
    });

    it.each([
      ['a wrong secret', basic(CLIENT_ID, 'nope')],
      ['another client', basic('other', SECRET)],
      ['no credentials', ''],
    ])('refuses %s with 401 invalid_client, and the code stays unspent', async (_, auth) => {
      const { code, verifier } = await issuedCode();
      const answer = await redeem({ code, code_verifier: verifier }, auth);
      expect([answer.status, await answer.json()]).toEqual([401, { error: 'invalid_client' }]);
      expect((await redeem({ code, code_verifier: verifier })).status).toBe(200);
    });

    it('refuses a wrong or missing verifier, and the code is spent by it', async () => {
      const { code, verifier } = await issuedCode();
      const wrong = await redeem({ code, code_verifier: pkce().verifier });
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
      expect((await redeem({ code, code_verifier: verifier })).status).toBe(400);

      const other = await issuedCode();
      const missing = await redeem({ code: other.code });
      expect(((await missing.json()) as { error: string }).error).toBe('invalid_grant');
    });

    it('refuses a redirect_uri other than the authorize one', async () => {
      const { code, verifier } = await issuedCode();
      const answer = await redeem({
        code,
        code_verifier: verifier,
        redirect_uri: 'http://localhost:3000/other',
      });
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toBe('invalid_grant');
    });

    it('refuses a code older than 5 minutes', async () => {
      const { code, verifier } = await issuedCode();
      now += CODE_TTL_MS + 1;
      const answer = await redeem({ code, code_verifier: verifier });
      expect([answer.status, await answer.json()]).toEqual([400, { error: 'invalid_grant' }]);
    });

    it('refreshes without a new refresh token, and refuses an unknown grant type', async () => {
      const refreshed = await post(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: 'refresh.token.x' },
        { authorization: basic(CLIENT_ID, SECRET) },
      );
      expect(await refreshed.json()).toEqual({
        access_token: TOKENS.accessToken,
        id_token: TOKENS.idToken,
        token_type: 'Bearer',
        expires_in: 3600,
      });
      expect(backend.refresh).toHaveBeenCalledWith('refresh.token.x');
      backend.refresh.mockResolvedValueOnce(undefined);
      const refused = await post(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: 'revoked' },
        { authorization: basic(CLIENT_ID, SECRET) },
      );
      expect([refused.status, await refused.json()]).toEqual([400, { error: 'invalid_grant' }]);
      const password = await post(
        '/oauth2/token',
        { grant_type: 'password', username: 'a', password: 'b' },
        { authorization: basic(CLIENT_ID, SECRET) },
      );
      expect([password.status, await password.json()]).toEqual([
        400,
        { error: 'unsupported_grant_type' },
      ]);
    });
  });

  describe('/oauth2/userInfo and /logout', () => {
    it('answers the user’s attributes for a valid access token, 401 otherwise', async () => {
      backend.userInfo.mockImplementation((token) =>
        Promise.resolve(token === 'good' ? { sub: 's', username: 'u' } : undefined),
      );
      const good = await get('/oauth2/userInfo', { authorization: 'Bearer good' });
      expect([good.status, await good.json()]).toEqual([200, { sub: 's', username: 'u' }]);
      const bad = await get('/oauth2/userInfo', { authorization: 'Bearer bad' });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
      expect((await get('/oauth2/userInfo')).status).toBe(401);
    });

    it('redirects to a loopback logout_uri of the client only', async () => {
      const to = encodeURIComponent('http://localhost:3000/signed-out');
      const ok = await get(`/logout?client_id=${CLIENT_ID}&logout_uri=${to}`);
      expect([ok.status, ok.headers.get('location')]).toEqual([
        302,
        'http://localhost:3000/signed-out',
      ]);
      expect((await get(`/logout?client_id=other&logout_uri=${to}`)).status).toBe(400);
      const foreign = encodeURIComponent('https://evil.example/');
      const refused = await get(`/logout?client_id=${CLIENT_ID}&logout_uri=${foreign}`);
      expect([refused.status, refused.headers.get('location')]).toEqual([400, null]);
    });

    it('sends a logout_uri with CR, LF or non-ASCII characters encoded, never a failed answer', async () => {
      const to = encodeURIComponent('http://localhost:3000/signed\r\n-out/é');
      const answer = await get(`/logout?client_id=${CLIENT_ID}&logout_uri=${to}`);
      expect([answer.status, answer.headers.get('location')]).toEqual([
        302,
        'http://localhost:3000/signed-out/%C3%A9',
      ]);
    });
  });
});
