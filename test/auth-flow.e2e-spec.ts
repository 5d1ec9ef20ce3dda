import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Response } from 'supertest';
import { OTHER_PASSWORD, STRONG_PASSWORD, startTestApp, uniqueEmail } from './support/test-app';
import { browserSession, COOKIE, cookieValue, setCookies } from './support/cookies';
import { rememberSecret } from './support/suite-log';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';
import { signedInAccount } from './support/accounts';

const ERROR_KEYS = ['error', 'message', 'requestId', 'statusCode'];

function expectErrorBody(response: Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(
    Object.keys(response.body as object)
      .filter((k) => k !== 'details')
      .sort(),
  ).toEqual(ERROR_KEYS);
  expect(response.body).toMatchObject({ statusCode: status, error: code });
  expect(response.body.requestId).toBe(response.headers['x-request-id']);
}

describe('Authentication flows (e2e)', () => {
  let app: NestFastifyApplication;
  const pool = new TestPool();
  const created: string[] = [];
  const http = () => request(app.getHttpServer());

  async function signUp(email: string, password = STRONG_PASSWORD): Promise<Response> {
    created.push(email);
    return http().post('/auth/sign-up').send({ email, password, name: 'E2E User' });
  }

  async function signUpConfirmed(email: string): Promise<void> {
    expect((await signUp(email)).status).toBe(201);
    if (pool.emulated) {
      const code = await pool.code(email);
      expect((await http().post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
    } else {
      await pool.adminConfirm(email);
    }
  }

  async function login(email: string, password = STRONG_PASSWORD): Promise<Response> {
    return http().post('/auth/login').send({ email, password });
  }

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  it('sign-up -> wrong code -> confirm -> login -> me -> refresh -> change password -> login -> logout', async () => {
    const email = uniqueEmail('journey');

    const signedUp = await signUp(` ${email.toUpperCase()} `);
    expect(signedUp.status).toBe(201);
    expect(signedUp.body).toMatchObject({ userSub: expect.any(String), userConfirmed: false });
    expect(signedUp.body.password).toBeUndefined();
    expect(JSON.stringify(signedUp.body)).not.toContain(email);
    expect(signedUp.body.codeDelivery.destination).toMatch(/^e\*\*\*@/);

    expectErrorBody(
      await http().post('/auth/confirm-sign-up').send({ email, code: '000000' }),
      400,
      'CODE_MISMATCH',
    );

    if (pool.emulated) {
      // The code is readable within a second of the request (from the emulator's data file).
      const code = await pool.code(email, 1000);
      expect(code).toMatch(/^\d{6}$/);
      expect((await http().post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
    } else {
      await pool.adminConfirm(email);
    }

    const loggedIn = await login(email);
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.headers['cache-control']).toBe('no-store');
    expect(loggedIn.body).toMatchObject({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
      tokenType: 'Bearer',
    });
    expect(loggedIn.body.expiresIn).toBeGreaterThan(0);
    const { accessToken } = loggedIn.body as { accessToken: string };

    const [accessCookie] = setCookies(loggedIn, COOKIE.access);
    expect(accessCookie).toMatch(/; HttpOnly/);
    expect(accessCookie).toMatch(/; Secure/);
    expect(accessCookie).toMatch(/; SameSite=Strict/);
    expect(accessCookie).toMatch(/; Path=\/(;|$)/);
    expect(
      setCookies(loggedIn, COOKIE.refresh)
        .map((c) => /Path=([^;]+)/.exec(c)?.[1])
        .sort(),
    ).toEqual(['/auth/logout', '/auth/oauth/logout', '/auth/refresh']);

    const me = await http().get('/auth/me').set('authorization', `Bearer ${accessToken}`);
    expect(me.status).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.body).toMatchObject({
      email,
      name: 'E2E User',
      groups: [],
      sub: signedUp.body.userSub,
    });

    const meByCookie = await http()
      .get('/auth/me')
      .set('cookie', cookieValue(loggedIn, COOKIE.access));
    expect(meByCookie.status).toBe(200);
    expect(meByCookie.body.email).toBe(email);

    const refreshed = await http()
      .post('/auth/refresh')
      .set(browserSession(loggedIn, [COOKIE.refresh, COOKIE.refreshUsername]))
      .send({});
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers['cache-control']).toBe('no-store');
    expect(refreshed.body.accessToken).toEqual(expect.any(String));
    const fresh = await http()
      .get('/auth/me')
      .set('authorization', `Bearer ${refreshed.body.accessToken}`);
    expect(fresh.status).toBe(200);

    const changed = await http()
      .post('/auth/change-password')
      .set('authorization', `Bearer ${accessToken}`)
      .send({ previousPassword: STRONG_PASSWORD, proposedPassword: OTHER_PASSWORD });
    expect(changed.status).toBe(204);
    expectErrorBody(await login(email, STRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    const again = await login(email, OTHER_PASSWORD);
    expect(again.status).toBe(200);

    const loggedOut = await http()
      .post('/auth/logout')
      .set('authorization', `Bearer ${again.body.accessToken}`)
      .send({ refreshToken: again.body.refreshToken });
    expect(loggedOut.status).toBe(204);
    for (const name of [COOKIE.access, COOKIE.refresh, COOKIE.refreshUsername]) {
      const cleared = setCookies(loggedOut, name);
      expect(cleared.length).toBeGreaterThan(0);
      for (const line of cleared) expect(line).toMatch(/Max-Age=0/);
    }

    const username = (me.body as { username: string }).username;
    expectErrorBody(
      await http().post('/auth/refresh').send({ refreshToken: again.body.refreshToken, username }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    // Logging out twice is not an error.
    expect(
      (await http().post('/auth/logout').send({ refreshToken: again.body.refreshToken })).status,
    ).toBe(204);
  });

  (pool.emulated ? it : it.skip)(
    'forgot password -> confirm with the code -> login with the new password',
    async () => {
      const email = uniqueEmail('forgot');
      await signUpConfirmed(email);

      const forgot = await http().post('/auth/forgot-password').send({ email });
      expect(forgot.status).toBe(202);
      const unknown = await http()
        .post('/auth/forgot-password')
        .send({ email: uniqueEmail('nobody') });
      expect(unknown.status).toBe(202);
      expect(unknown.body).toEqual(forgot.body);

      const code = await pool.code(email, 1000);
      expectErrorBody(
        await http()
          .post('/auth/confirm-forgot-password')
          .send({ email, code, newPassword: 'weak' }),
        400,
        'PASSWORD_POLICY',
      );
      const reset = await http()
        .post('/auth/confirm-forgot-password')
        .send({ email, code, newPassword: OTHER_PASSWORD });
      expect(reset.status).toBe(204);
      expect((await login(email, OTHER_PASSWORD)).status).toBe(200);
      expectErrorBody(await login(email, STRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    },
  );

  it('logs out with an expired or invalid access token, still revoking the refresh token', async () => {
    const email = uniqueEmail('stale-logout');
    await signUpConfirmed(email);
    const session = (await login(email)).body as { refreshToken: string; accessToken: string };
    const me = await http().get('/auth/me').set('authorization', `Bearer ${session.accessToken}`);
    const loggedOut = await http()
      .post('/auth/logout')
      .set('authorization', 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln')
      .send({ refreshToken: session.refreshToken });
    expect(loggedOut.status).toBe(204);
    expectErrorBody(
      await http()
        .post('/auth/refresh')
        .send({ refreshToken: session.refreshToken, username: me.body.username }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
  });

  it('logout signs the account out at Cognito too: another device can neither refresh nor read the profile', async () => {
    const email = uniqueEmail('global-logout');
    await signUpConfirmed(email);
    const phone = (await login(email)).body as { refreshToken: string; accessToken: string };
    const laptop = (await login(email)).body as { refreshToken: string; accessToken: string };
    rememberSecret(phone.refreshToken, 'refresh token');
    rememberSecret(laptop.refreshToken, 'refresh token');
    const asLaptop = { authorization: `Bearer ${laptop.accessToken}` };
    const { username } = (await http().get('/auth/me').set(asLaptop)).body as { username: string };

    const loggedOut = await http()
      .post('/auth/logout')
      .set('authorization', `Bearer ${phone.accessToken}`)
      .send({ refreshToken: phone.refreshToken });
    expect(loggedOut.status).toBe(204);

    expectErrorBody(
      await http().post('/auth/refresh').send({ refreshToken: laptop.refreshToken, username }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    // The profile comes from Cognito, which refuses the access tokens of before.
    expectErrorBody(await http().get('/auth/me').set(asLaptop), 401, 'UNAUTHORIZED');
    // A new sign-in is a new session.
    const again = (await login(email)).body as { accessToken: string };
    expect(
      (await http().get('/auth/me').set('authorization', `Bearer ${again.accessToken}`)).status,
    ).toBe(200);
  });

  it('answers a login that needs another step with nextStep and a session, not an error', async () => {
    const email = uniqueEmail('invited');
    created.push(email);
    await pool.adminInvite(email, 'Temp-Passw0rd!');
    const response = await login(email, 'Temp-Passw0rd!');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      nextStep: 'NEW_PASSWORD_REQUIRED',
      session: expect.any(String),
      parameters: expect.any(Object),
    });
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a second sign-up with the same email', async () => {
    const email = uniqueEmail('duplicate');
    expect((await signUp(email)).status).toBe(201);
    expectErrorBody(await signUp(email.toUpperCase()), 409, 'USER_ALREADY_EXISTS');
  });

  /** `Alice@x` in fullwidth forms (ＡＬＩＣＥ＠Ｘ), as some keyboards type it. */
  const fullwidth = (text: string) =>
    text.replace(/[!-~]/g, (c) => String.fromCodePoint(c.charCodeAt(0) + 0xfee0));

  it('reaches one account through every spelling of its email: login, sign-up and reset', async () => {
    const email = uniqueEmail('spelling');
    await signUpConfirmed(email);
    const spelled = ` ${fullwidth(email.toUpperCase())}\t`;
    expect((await login(spelled)).status).toBe(200);
    expectErrorBody(await signUp(spelled), 409, 'USER_ALREADY_EXISTS');
    if (!pool.emulated) return; // The reset code cannot be read from a real pool.
    expect((await http().post('/auth/forgot-password').send({ email: spelled })).status).toBe(202);
    const code = await pool.code(email, 1000);
    const reset = await http()
      .post('/auth/confirm-forgot-password')
      .send({ email: spelled, code, newPassword: OTHER_PASSWORD });
    expect(reset.status).toBe(204);
    expect((await login(email, OTHER_PASSWORD)).status).toBe(200);
  });

  it.each([
    ['a Cyrillic letter in the local part', '\u0430dmin@example.com'],
    ['a domain word mixing Latin and Cyrillic', 'admin@ex\u0430mple.com'],
    ['a domain word mixing Latin and Greek', 'admin@example.c\u03bfm'],
    ['a zero-width space', 'ad\u200bmin@example.com'],
    ['a right-to-left override', '\u202emoc.elpmaxe@nimda'],
    ['a trailing right-to-left override', 'admin@example.com\u202e'],
    ['a byte-order mark at the edge', '\ufeffadmin@example.com'],
  ])(
    'refuses an email with %s with 400 VALIDATION_FAILED wherever an email enters',
    async (_, lookalike) => {
      const routes: [string, Record<string, unknown>][] = [
        ['/auth/sign-up', { email: lookalike, password: STRONG_PASSWORD }],
        ['/auth/confirm-sign-up', { email: lookalike, code: '123456' }],
        ['/auth/resend-confirmation-code', { email: lookalike }],
        ['/auth/login', { email: lookalike, password: STRONG_PASSWORD }],
        ['/auth/forgot-password', { email: lookalike }],
        [
          '/auth/confirm-forgot-password',
          { email: lookalike, code: '123456', newPassword: STRONG_PASSWORD },
        ],
        [
          '/auth/challenge',
          { email: lookalike, nextStep: 'SOFTWARE_TOKEN_MFA', session: 's', code: '123456' },
        ],
      ];
      for (const [route, body] of routes) {
        const response = await http().post(route).send(body);
        expect([route, response.status, response.body.error]).toEqual([
          route,
          400,
          'VALIDATION_FAILED',
        ]);
        expect(response.body.details).toEqual([
          { field: 'email', messages: [expect.stringMatching(/^email /)] },
        ]);
      }
    },
  );

  it('refuses to sign in an unconfirmed account', async () => {
    const email = uniqueEmail('unconfirmed');
    expect((await signUp(email)).status).toBe(201);
    expectErrorBody(await login(email), 403, 'USER_NOT_CONFIRMED');
  });

  it('answers a wrong password, an unknown account and a disabled account identically', async () => {
    const email = uniqueEmail('enumeration');
    await signUpConfirmed(email);
    const responses = [
      await login(email, 'Wrong-Passw0rd'),
      await login(uniqueEmail('ghost'), 'Wrong-Passw0rd'),
    ];
    const disabledEmail = uniqueEmail('disabled');
    await signUpConfirmed(disabledEmail);
    await pool.adminDisable(disabledEmail);
    responses.push(await login(disabledEmail));
    for (const response of responses) {
      expectErrorBody(response, 401, 'INVALID_CREDENTIALS');
      expect({ ...response.body, requestId: 'x' }).toEqual({
        ...responses[0].body,
        requestId: 'x',
      });
    }
  });

  it('checks the password policy before Cognito does', async () => {
    const response = await signUp(uniqueEmail('weak'), 'password');
    expectErrorBody(response, 400, 'PASSWORD_POLICY');
    expect(response.body.message).toBe(
      'The password must have an uppercase letter, a number, a symbol.',
    );
  });

  it.each([
    [
      'an unknown field',
      { email: 'a@example.com', password: STRONG_PASSWORD, isAdmin: true },
      'isAdmin',
    ],
    ['a bad email', { email: 'not-an-email', password: STRONG_PASSWORD }, 'email'],
    ['a missing password', { email: 'a@example.com' }, 'password'],
    ['a password of the wrong type', { email: 'a@example.com', password: 12345678 }, 'password'],
  ])('answers %s with 400 VALIDATION_FAILED naming the field', async (_, body, field) => {
    const response = await http().post('/auth/login').send(body);
    expectErrorBody(response, 400, 'VALIDATION_FAILED');
    expect(response.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field })]),
    );
    expect(response.body.message).toContain(field);
  });

  it('requires a valid access token for the signed-in routes', async () => {
    expectErrorBody(await http().get('/auth/me'), 401, 'UNAUTHORIZED');
    expectErrorBody(
      await http().get('/auth/me').set('authorization', 'Bearer not.a.token'),
      401,
      'UNAUTHORIZED',
    );
    expectErrorBody(
      await http()
        .post('/auth/change-password')
        .send({ previousPassword: 'a', proposedPassword: 'b' }),
      401,
      'UNAUTHORIZED',
    );
  });

  it('refuses an ID token where an access token is required', async () => {
    const email = uniqueEmail('idtoken');
    await signUpConfirmed(email);
    const { idToken } = (await login(email)).body as { idToken: string };
    expectErrorBody(
      await http().get('/auth/me').set('authorization', `Bearer ${idToken}`),
      401,
      'UNAUTHORIZED',
    );
  });

  it('does not take the access token from the query string', async () => {
    const email = uniqueEmail('query');
    await signUpConfirmed(email);
    const { accessToken } = (await login(email)).body as { accessToken: string };
    for (const name of ['access_token', 'token', 'accessToken']) {
      expectErrorBody(await http().get(`/auth/me?${name}=${accessToken}`), 401, 'UNAUTHORIZED');
    }
  });

  it('answers resend the same for known and unknown accounts, whatever Cognito says after', async () => {
    const email = uniqueEmail('resend');
    expect((await signUp(email)).status).toBe(201);
    const known = await http().post('/auth/resend-confirmation-code').send({ email });
    const unknown = await http()
      .post('/auth/resend-confirmation-code')
      .send({ email: uniqueEmail('nobody') });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.text).not.toMatch(/CognitoLocal|Unsupported|__type|\$metadata|stack/);
    expect({ ...known.body, requestId: 'x' }).toEqual({ ...unknown.body, requestId: 'x' });
    // A confirmed account is told nothing more either.
    const confirmed = uniqueEmail('resend-confirmed');
    await signUpConfirmed(confirmed);
    const again = await http().post('/auth/resend-confirmation-code').send({ email: confirmed });
    expect(again.status).toBe(202);
    expect({ ...again.body, requestId: 'x' }).toEqual({ ...unknown.body, requestId: 'x' });
  });

  (pool.emulated ? it : it.skip)(
    'sign-up -> resend -> the new code confirms, the first one no longer does',
    async () => {
      const email = uniqueEmail('resent');
      expect((await signUp(email)).status).toBe(201);
      const first = await pool.code(email);
      expect((await http().post('/auth/resend-confirmation-code').send({ email })).status).toBe(
        202,
      );
      const second = await pool.code(email, 1000, first);
      expectErrorBody(
        await http().post('/auth/confirm-sign-up').send({ email, code: first }),
        400,
        'CODE_MISMATCH',
      );
      expect(
        (await http().post('/auth/confirm-sign-up').send({ email, code: second })).status,
      ).toBe(204);
      expect((await login(email)).status).toBe(200);
    },
  );

  (pool.emulated ? it : it.skip)(
    'answers a refresh sent with another account’s username with 401, never a 500',
    async () => {
      const mine = await signedInAccount(app, pool, uniqueEmail('refresh-mine'));
      const theirs = await signedInAccount(app, pool, uniqueEmail('refresh-theirs'));
      const them = await http()
        .get('/auth/me')
        .set('authorization', `Bearer ${theirs.body.accessToken}`);
      expect(them.status).toBe(200);
      expectErrorBody(
        await http()
          .post('/auth/refresh')
          .send({ refreshToken: mine.body.refreshToken, username: them.body.username }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
    },
  );

  it('asks for the username when refreshing without any hint of it', async () => {
    expectErrorBody(
      await http().post('/auth/refresh').send({ refreshToken: 'some-token' }),
      400,
      'USERNAME_REQUIRED',
    );
    expectErrorBody(await http().post('/auth/refresh').send({}), 401, 'REFRESH_TOKEN_REQUIRED');
  });
});
