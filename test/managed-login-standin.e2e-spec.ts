import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticator } from 'otplib';
import request from 'supertest';
import { CognitoConnection } from '../src/cognito/cognito-connection';
import { findLocalCodes } from '../src/cognito/local/local-codes';
import { localProviderSubject } from '../src/cognito/local/managed-login/managed-login.server';
import { computeSecretHash } from '../src/cognito/secret-hash';
import { eventually } from './support/processes';
import { rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import {
  embeddedEnv,
  STRONG_PASSWORD,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';

/**
 * The embedded mode's local stand-in for the pool's managed login (src/cognito/local/managed-login),
 * driven as an OAuth client would drive Cognito's: plain fetch, PKCE computed here. The app is
 * started in the embedded mode with its own data folder, so the stand-in and its emulator are the
 * app's own (the suite's shared emulator has no stand-in).
 */
const ADMIN_EMAIL = 'standin-admin@example.com';
const ADMIN_PASSWORD = 'Admin-Passw0rd!';
const CALLBACK = 'http://localhost:3999/auth/oauth/callback';
/** The scopes the app asks for when it calls Cognito's user operations with the access token. */
const SCOPES = 'openid email profile aws.cognito.signin.user.admin';

interface TokenAnswer {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
}

function claims(token: string): Record<string, unknown> {
  return decomposeUnverifiedJwt(token).payload;
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('The managed login stand-in of the embedded mode (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-standin-'));
  let app: NestFastifyApplication;
  let connection: CognitoConnection;
  let domain: string;
  let clientSecret: string;
  let sdk: CognitoIdentityProviderClient;
  let adminToken: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await withEnv(
      {
        ...embeddedEnv(dataDir),
        COGNITO_LOCAL_ADMIN_EMAIL: ADMIN_EMAIL,
        COGNITO_LOCAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        // The app's own client of the stand-in (src/federation): supertest does not listen, so
        // the callback is named; the scope that Cognito's user operations need is asked for.
        OAUTH_REDIRECT_URI: CALLBACK,
        OAUTH_SCOPES: SCOPES,
      },
      () => startTestApp(),
    );
    connection = app.get(CognitoConnection);
    domain = connection.domain ?? '';
    clientSecret = (
      JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as { clientSecret: string }
    ).clientSecret;
    rememberSecret(clientSecret, 'client secret');
    rememberSecret(ADMIN_PASSWORD, 'password');
    sdk = new CognitoIdentityProviderClient({
      region: 'us-east-1',
      endpoint: connection.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const login = await http()
      .post('/auth/login')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    adminToken = login.body.accessToken as string;
  }, 60000);

  afterAll(async () => {
    sdk?.destroy();
    await release(app);
  });

  const basic = () =>
    `Basic ${Buffer.from(`${encodeURIComponent(connection.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;

  /** GET /oauth2/authorize: the answer, not followed. */
  function authorize(params: Record<string, string | undefined>): Promise<Response> {
    const query = new URLSearchParams(
      Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    return fetch(`${domain}/oauth2/authorize?${query.toString()}`, { redirect: 'manual' });
  }

  function postForm(path: string, form: Record<string, string>): Promise<Response> {
    return fetch(`${domain}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
  }

  function requestIdOf(page: string): string {
    const id = /name="request" value="([^"]+)"/.exec(page)?.[1];
    if (!id) throw new Error(`No sign-in form in the page: ${page.slice(0, 300)}`);
    return id;
  }

  /** A valid authorization request's sign-in page, with what the client keeps. */
  async function signInPage(identityProvider?: string, scope = SCOPES) {
    const { verifier, challenge } = pkce();
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const page = await authorize({
      client_id: connection.clientId,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      identity_provider: identityProvider,
    });
    expect(page.status).toBe(200);
    return { verifier, state, nonce, requestId: requestIdOf(await page.text()) };
  }

  /** The code (and state) a sign-in's redirect carries back to the client. */
  function callbackOf(answer: Response): URL {
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    return location;
  }

  async function redeem(code: string, verifier: string): Promise<Response> {
    rememberSecret(code, 'code');
    return fetch(`${domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
    });
  }

  /** The whole flow with the simulated provider, as the person with `email`. */
  async function providerSignIn(email: string, scope = SCOPES) {
    const { verifier, state, nonce, requestId } = await signInPage('LocalProvider', scope);
    const callback = callbackOf(await postForm('/login/provider', { request: requestId, email }));
    expect(callback.searchParams.get('state')).toBe(state);
    const answer = await redeem(callback.searchParams.get('code') ?? '', verifier);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const tokens = (await answer.json()) as TokenAnswer;
    rememberSecret(tokens.refresh_token, 'refresh token');
    return { tokens, nonce, id: claims(tokens.id_token), access: claims(tokens.access_token) };
  }

  async function nativeUser(
    label: string,
    email = uniqueEmail(label),
  ): Promise<{ email: string; accessToken: string }> {
    expect(
      (await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD })).status,
    ).toBe(201);
    const code = (): string | undefined => {
      try {
        return findLocalCodes(dataDir, connection.userPoolId, email)?.confirmationCode;
      } catch {
        return undefined; // The emulator is rewriting its file.
      }
    };
    await eventually(() => Boolean(code()), 2000, 'the confirmation code');
    expect((await http().post('/auth/confirm-sign-up').send({ email, code: code() })).status).toBe(
      204,
    );
    const login = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    expect(login.status).toBe(200);
    return { email, accessToken: login.body.accessToken as string };
  }

  const asAdmin = () => ({ authorization: `Bearer ${adminToken}` });

  it('runs on loopback as the connection’s domain, and its discovery names the pool’s issuer and keys', async () => {
    expect(domain).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(domain).not.toBe(connection.endpoint);
    const answer = await fetch(`${domain}/.well-known/openid-configuration`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      issuer: connection.issuer,
      jwks_uri: connection.jwksUri,
      authorization_endpoint: `${domain}/oauth2/authorize`,
      token_endpoint: `${domain}/oauth2/token`,
      userinfo_endpoint: `${domain}/oauth2/userInfo`,
      end_session_endpoint: `${domain}/logout`,
      revocation_endpoint: `${domain}/oauth2/revoke`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    const jwks = await fetch(connection.jwksUri);
    expect(jwks.status).toBe(200);
  });

  it('signs a provider user in with genuine pool tokens the app accepts: nonce, username, identities, group', async () => {
    const email = uniqueEmail('federated');
    const subject = localProviderSubject(email);
    const { tokens, nonce, id, access } = await providerSignIn(email);

    expect(tokens).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
    expect(tokens.expires_in).toBeGreaterThan(3500);
    expect(id).toMatchObject({
      nonce,
      iss: connection.issuer,
      aud: connection.clientId,
      token_use: 'id',
      'cognito:username': `LocalProvider_${subject}`,
      email,
      // The simulated provider asserts nothing about the address.
      email_verified: false,
      'cognito:groups': [`${connection.userPoolId}_LocalProvider`],
      identities: [
        {
          userId: subject,
          providerName: 'LocalProvider',
          providerType: 'OIDC',
          issuer: null,
          primary: 'true',
          dateCreated: expect.stringMatching(/^\d+$/),
        },
      ],
      origin_jti: expect.any(String),
    });
    expect(access).toMatchObject({
      username: `LocalProvider_${subject}`,
      scope: SCOPES,
      client_id: connection.clientId,
      origin_jti: id.origin_jti,
    });
    expect(access.nonce).toBeUndefined();

    // The app's guard takes the access token like any other of the pool.
    const me = await http().get('/auth/me').set('authorization', `Bearer ${tokens.access_token}`);
    expect([me.status, me.body.email]).toEqual([200, email]);
    // The app's refresh works with the refresh token (SECRET_HASH of the token's username).
    const refreshed = await http()
      .post('/auth/refresh')
      .set('authorization', `Bearer ${tokens.access_token}`)
      .send({ refreshToken: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(claims(refreshed.body.accessToken as string).username).toBe(`LocalProvider_${subject}`);

    // userInfo, with the access token, through the pool.
    const info = await fetch(`${domain}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({
      sub: id.sub,
      email,
      email_verified: 'false',
      username: `LocalProvider_${subject}`,
      identities: expect.stringContaining(`"userId":"${subject}"`),
    });

    // The same email is the same provider account: the same user, no second one.
    const again = await providerSignIn(email.toUpperCase());
    expect(again.id['cognito:username']).toBe(`LocalProvider_${subject}`);
    expect(again.id.sub).toBe(id.sub);
    expect(again.id.nonce).toBe(again.nonce);
  });

  it('refreshes at its token endpoint without a new refresh token, as Cognito', async () => {
    const { tokens, id } = await providerSignIn(uniqueEmail('refresh'));
    const answer = await fetch(`${domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
        client_id: connection.clientId,
        client_secret: clientSecret,
      }),
    });
    expect(answer.status).toBe(200);
    const refreshed = (await answer.json()) as TokenAnswer;
    expect(refreshed.refresh_token).toBeUndefined();
    expect(claims(refreshed.id_token)).toMatchObject({ sub: id.sub, origin_jti: id.origin_jti });
    // A refresh is no new authentication: no nonce.
    expect(claims(refreshed.id_token).nonce).toBeUndefined();
  });

  it('gives the access token the scopes asked for: without aws.cognito.signin.user.admin, Cognito’s user operations refuse it', async () => {
    const { tokens } = await providerSignIn(uniqueEmail('scopes'), 'openid email');
    expect(claims(tokens.access_token).scope).toBe('openid email');
    // As on Amazon Cognito ("Access Token does not have required scopes"): GetUser refuses it.
    const me = await http().get('/auth/me').set('authorization', `Bearer ${tokens.access_token}`);
    expect(me.status).toBe(401);
    // userInfo takes it (it wants openid).
    const info = await fetch(`${domain}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    // A refresh keeps the sign-in's scopes.
    const refreshed = await http()
      .post('/auth/refresh')
      .set('authorization', `Bearer ${tokens.access_token}`)
      .send({ refreshToken: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(claims(refreshed.body.accessToken as string).scope).toBe('openid email');

    // The app's own sign-in has the one scope that Cognito's InitiateAuth gives; userInfo refuses it.
    const { accessToken } = await nativeUser('scopes-native');
    expect(claims(accessToken).scope).toBe('aws.cognito.signin.user.admin');
    const refused = await fetch(`${domain}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(refused.status).toBe(401);
  });

  it('the app’s admin routes and a password sign-in treat the provider user as Cognito does', async () => {
    const email = uniqueEmail('admin-federated');
    const username = `LocalProvider_${localProviderSubject(email)}`;
    const { tokens, id } = await providerSignIn(email);
    const path = `/admin/users/${encodeURIComponent(username)}`;

    const read = await http().get(path).set(asAdmin());
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      username,
      status: 'EXTERNAL_PROVIDER',
      identities: [expect.objectContaining({ providerName: 'LocalProvider', primary: true })],
    });
    const list = await http().get('/admin/users').set(asAdmin());
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain(username);

    // A federated user has no password to sign in with.
    await expect(
      sdk.send(
        new InitiateAuthCommand({
          ClientId: connection.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: {
            USERNAME: username,
            PASSWORD: '',
            SECRET_HASH: computeSecretHash(username, connection.clientId, clientSecret),
          },
        }),
      ),
    ).rejects.toBeInstanceOf(NotAuthorizedException);

    // Disabled: the stand-in refuses the sign-in (back to the client), the app the tokens.
    expect((await http().post(`${path}/disable`).set(asAdmin())).status).toBe(204);
    const { requestId, state } = await signInPage('LocalProvider');
    const refused = callbackOf(await postForm('/login/provider', { request: requestId, email }));
    expect(Object.fromEntries(refused.searchParams)).toEqual({
      error: 'invalid_request',
      error_description: 'User is disabled.',
      state,
    });
    const me = await http().get('/auth/me').set('authorization', `Bearer ${tokens.access_token}`);
    expect(me.status).toBe(401);
    expect((await http().post(`${path}/enable`).set(asAdmin())).status).toBe(204);
    const enabled = await providerSignIn(email);
    expect(enabled.id.sub).toBe(id.sub);

    expect((await http().post(`${path}/sign-out`).set(asAdmin())).status).toBe(204);
    const signedOut = await http()
      .get('/auth/me')
      .set('authorization', `Bearer ${enabled.tokens.access_token}`);
    expect(signedOut.status).toBe(401);

    // Deleted: the next sign-in through the provider makes a new user.
    expect((await http().delete(path).set(asAdmin())).status).toBe(204);
    expect((await http().get(path).set(asAdmin())).status).toBe(404);
    const anew = await providerSignIn(email);
    expect(anew.id['cognito:username']).toBe(username);
    expect(anew.id.sub).not.toBe(id.sub);
  });

  it('keeps the pool’s own user with the same email apart from the provider user', async () => {
    const email = uniqueEmail('same-email');
    const federated = await providerSignIn(email);
    // The provider user's email is no sign-in alias: signing up and in with it makes and finds
    // the pool's own user, a different one.
    const { accessToken } = await nativeUser('same-email', email);
    const native = claims(accessToken);
    expect(native.username).not.toBe(federated.id['cognito:username']);
    expect(native.sub).not.toBe(federated.id.sub);
    const again = await providerSignIn(email);
    expect(again.id.sub).toBe(federated.id.sub);
  });

  it('signs an identity an administrator linked to a pool user in as that user', async () => {
    const { email, accessToken } = await nativeUser('linked');
    const own = claims(accessToken);
    const providerEmail = uniqueEmail('linked-provider');
    const linked = await http()
      .post(`/admin/users/${encodeURIComponent(email)}/identities`)
      .set(asAdmin())
      .send({ providerName: 'LocalProvider', providerUserId: localProviderSubject(providerEmail) });
    expect(linked.status).toBe(204);

    const { id, tokens } = await providerSignIn(providerEmail);
    expect(id['cognito:username']).toBe(own.username);
    expect(id.sub).toBe(own.sub);
    expect(id.email).toBe(email);
    expect(id.identities).toEqual([
      expect.objectContaining({ providerName: 'LocalProvider', primary: 'false' }),
    ]);
    const me = await http().get('/auth/me').set('authorization', `Bearer ${tokens.access_token}`);
    expect([me.status, me.body.email]).toEqual([200, email]);
  });

  it('signs the pool’s own users in with their password, with the nonce; the app’s own sign-in has none', async () => {
    const { email } = await nativeUser('password');
    const { verifier, nonce, requestId } = await signInPage('COGNITO');
    const wrong = await postForm('/login/password', {
      request: requestId,
      email,
      password: 'Wrong-Passw0rd!',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Incorrect username or password.');

    const callback = callbackOf(
      await postForm('/login/password', { request: requestId, email, password: STRONG_PASSWORD }),
    );
    const answer = await redeem(callback.searchParams.get('code') ?? '', verifier);
    const tokens = (await answer.json()) as TokenAnswer;
    expect(claims(tokens.id_token)).toMatchObject({ nonce, email, token_use: 'id' });
    expect(claims(tokens.access_token).scope).toBe(SCOPES);

    const login = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    expect(login.status).toBe(200);
    expect(claims(login.body.idToken as string).nonce).toBeUndefined();
  });

  it('names a step the page does not offer, and a disabled user, on the password form', async () => {
    const invited = uniqueEmail('invited');
    await sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: connection.userPoolId,
        Username: invited,
        TemporaryPassword: 'Temp-Passw0rd!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: invited }],
      }),
    );
    const { requestId } = await signInPage('COGNITO');
    const step = await postForm('/login/password', {
      request: requestId,
      email: invited,
      password: 'Temp-Passw0rd!',
    });
    expect(step.status).toBe(400);
    const page = await step.text();
    expect(page).toContain('NEW_PASSWORD_REQUIRED');
    expect(page).toContain('POST /auth/login');

    const { email } = await nativeUser('disabled-native');
    expect(
      (
        await http()
          .post(`/admin/users/${encodeURIComponent(email)}/disable`)
          .set(asAdmin())
      ).status,
    ).toBe(204);
    const disabled = await postForm('/login/password', {
      request: requestId,
      email,
      password: STRONG_PASSWORD,
    });
    expect(disabled.status).toBe(400);
    expect(await disabled.text()).toContain('User is disabled.');
  });

  it('LocalFederatedSignIn, the layer’s private operation, refuses another pool’s client and Cognito as a provider', async () => {
    const call = (body: Record<string, unknown>) =>
      fetch(`${connection.endpoint}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.LocalFederatedSignIn',
        },
        body: JSON.stringify({
          UserPoolId: connection.userPoolId,
          ClientId: connection.clientId,
          ProviderName: 'LocalProvider',
          ProviderUserId: 'abc',
          Email: 'x@example.com',
          ...body,
        }),
      });
    const foreign = await call({ UserPoolId: 'local_Other' });
    expect([foreign.status, ((await foreign.json()) as { __type: string }).__type]).toEqual([
      400,
      'ResourceNotFoundException',
    ]);
    const cognito = await call({ ProviderName: 'Cognito' });
    expect([cognito.status, ((await cognito.json()) as { __type: string }).__type]).toEqual([
      400,
      'InvalidParameterException',
    ]);
    const spaced = await call({ ProviderUserId: 'a b' });
    expect(spaced.status).toBe(400);
  });

  it('asks a TOTP user for the code after the password, then completes the sign-in', async () => {
    const { email, accessToken } = await nativeUser('totp');
    const auth = { authorization: `Bearer ${accessToken}` };
    const setup = await http()
      .post('/account/mfa/totp')
      .set(auth)
      .send({ password: STRONG_PASSWORD });
    const secret = setup.body.secretCode as string;
    expect(
      (
        await http()
          .post('/account/mfa/totp/verify')
          .set(auth)
          .send({ code: authenticator.generate(secret), deviceName: 'Phone' })
      ).status,
    ).toBe(204);
    expect(
      (
        await http()
          .put('/account/mfa')
          .set(auth)
          .send({ totpEnabled: true, password: STRONG_PASSWORD })
      ).status,
    ).toBe(200);

    const { verifier, nonce, requestId } = await signInPage();
    const step = await postForm('/login/password', {
      request: requestId,
      email,
      password: STRONG_PASSWORD,
    });
    expect(step.status).toBe(200);
    const page = await step.text();
    expect(page).toContain('Code from your authenticator app');
    expect(requestIdOf(page)).toBe(requestId);
    const callback = callbackOf(
      await postForm('/login/code', { request: requestId, code: authenticator.generate(secret) }),
    );
    const tokens = (await (
      await redeem(callback.searchParams.get('code') ?? '', verifier)
    ).json()) as TokenAnswer;
    expect(claims(tokens.id_token)).toMatchObject({ nonce, email });
    const me = await http().get('/auth/me').set('authorization', `Bearer ${tokens.access_token}`);
    expect(me.status).toBe(200);
  });

  it('refuses a code twice, a wrong verifier and a wrong secret', async () => {
    const email = uniqueEmail('refusals');
    const first = await signInPage('LocalProvider');
    const code = callbackOf(
      await postForm('/login/provider', { request: first.requestId, email }),
    ).searchParams.get('code');
    const wrongSecret = await fetch(`${domain}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${connection.clientId}:nope`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code ?? '' }),
    });
    expect([wrongSecret.status, await wrongSecret.json()]).toEqual([
      401,
      { error: 'invalid_client' },
    ]);
    expect((await redeem(code ?? '', first.verifier)).status).toBe(200);
    const replay = await redeem(code ?? '', first.verifier);
    expect([replay.status, ((await replay.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_grant',
    ]);

    const second = await signInPage('LocalProvider');
    const other = callbackOf(
      await postForm('/login/provider', { request: second.requestId, email }),
    ).searchParams.get('code');
    const wrongVerifier = await redeem(other ?? '', pkce().verifier);
    expect([
      wrongVerifier.status,
      ((await wrongVerifier.json()) as { error: string }).error,
    ]).toEqual([400, 'invalid_grant']);
  });

  it('completes a sign-in through the app’s own routes (/auth/oauth/*) and openid-client', async () => {
    const email = uniqueEmail('app-client');
    const { verifier, challenge } = pkce();
    const start = await http()
      .get('/auth/oauth/authorize')
      .query({ provider: 'LocalProvider', returnTo: '/signed-in', codeChallenge: challenge });
    expect(start.status).toBe(302);
    const location = new URL(start.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(`${domain}/oauth2/authorize`);
    const stateCookie = ([] as string[])
      .concat(start.headers['set-cookie'] ?? [])
      .map((cookie) => cookie.split(';')[0])
      .join('; ');

    const page = await fetch(location, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const callback = callbackOf(
      await postForm('/login/provider', { request: requestIdOf(await page.text()), email }),
    );
    const back = await http()
      .get('/auth/oauth/callback')
      .query(Object.fromEntries(callback.searchParams))
      .set('cookie', stateCookie);
    expect(back.status).toBe(302);
    const landing = new URL(back.headers.location, 'http://app.invalid');
    expect(landing.pathname).toBe('/signed-in');
    expect([...landing.searchParams.keys()]).toEqual(['loginCode']);
    const loginCode = landing.searchParams.get('loginCode');
    expect(loginCode).toMatch(/^[\w-]{43}$/);
    rememberSecret(loginCode ?? undefined, 'code');

    const tokens = await http()
      .post('/auth/oauth/token')
      .send({ loginCode, codeVerifier: verifier });
    expect(tokens.status).toBe(200);
    rememberSecret(tokens.body.refreshToken as string, 'refresh token');
    expect(claims(tokens.body.idToken as string)['cognito:username']).toBe(
      `LocalProvider_${localProviderSubject(email)}`,
    );
    const me = await http()
      .get('/auth/me')
      .set('authorization', `Bearer ${tokens.body.accessToken as string}`);
    expect([me.status, me.body.email]).toEqual([200, email]);
    // A federated sign-in's ID token gets AWS credentials from the identity pool as any other.
    const aws = await http()
      .post('/auth/aws-credentials')
      .set('authorization', `Bearer ${tokens.body.accessToken as string}`)
      .send({ idToken: tokens.body.idToken as string });
    expect([aws.status, aws.body.accessKeyId]).toEqual([200, expect.stringMatching(/^LOCAL/)]);
    rememberSecret(aws.body.secretAccessKey as string, 'aws credentials');
    rememberSecret(aws.body.sessionToken as string, 'aws credentials');

    const logout = await http()
      .post('/auth/oauth/logout')
      .set('authorization', `Bearer ${tokens.body.accessToken as string}`)
      .send({ refreshToken: tokens.body.refreshToken as string });
    expect(logout.status).toBe(200);
    const ended = await http()
      .get('/auth/me')
      .set('authorization', `Bearer ${tokens.body.accessToken as string}`);
    expect(ended.status).toBe(401);
    const noCredentials = await http()
      .post('/auth/aws-credentials')
      .set('authorization', `Bearer ${tokens.body.accessToken as string}`)
      .send({ idToken: tokens.body.idToken as string });
    expect(noCredentials.status).toBe(401);
    const signOut = await fetch(logout.body.logoutUrl as string, { redirect: 'manual' });
    expect(signOut.status).toBe(302);
  });

  it('refuses through the app’s routes what is not this browser’s sign-in, with the one error body and no session', async () => {
    /** /auth/oauth/authorize, then the stand-in's provider form: the callback's query and cookie. */
    const startAndSignIn = async (email: string) => {
      const start = await http()
        .get('/auth/oauth/authorize')
        .query({ provider: 'LocalProvider', returnTo: '/signed-in' });
      expect(start.status).toBe(302);
      const cookie = ([] as string[])
        .concat(start.headers['set-cookie'] ?? [])
        .map((line) => line.split(';')[0])
        .join('; ');
      const page = await fetch(start.headers.location, { redirect: 'manual' });
      const callback = callbackOf(
        await postForm('/login/provider', { request: requestIdOf(await page.text()), email }),
      );
      return { query: Object.fromEntries(callback.searchParams), cookie };
    };
    const refused = (response: request.Response, error: string) => {
      expect([response.status, response.body.error]).toEqual([400, error]);
      const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      expect(cookies.filter((line) => /access_token=[^;]/.test(line))).toEqual([]);
      expect(response.headers.location).toBeUndefined();
    };
    const email = uniqueEmail('app-refusals');

    const first = await startAndSignIn(email);
    // Without the state cookie (another browser), then with another sign-in's cookie.
    refused(await http().get('/auth/oauth/callback').query(first.query), 'OAUTH_STATE_INVALID');
    const other = await startAndSignIn(email);
    refused(
      await http().get('/auth/oauth/callback').query(first.query).set('cookie', other.cookie),
      'OAUTH_STATE_INVALID',
    );
    // Answered once: the same callback with the same cookie a second time.
    const done = await http()
      .get('/auth/oauth/callback')
      .query(first.query)
      .set('cookie', first.cookie);
    expect(done.status).toBe(302);
    refused(
      await http().get('/auth/oauth/callback').query(first.query).set('cookie', first.cookie),
      'OAUTH_STATE_INVALID',
    );
    // The first sign-in's code, spent, under a new sign-in's own state and cookie.
    const fresh = await startAndSignIn(email);
    refused(
      await http()
        .get('/auth/oauth/callback')
        .query({ code: first.query.code, state: fresh.query.state })
        .set('cookie', fresh.cookie),
      'OAUTH_CALLBACK_INVALID',
    );
    // The provider's refusal, on a sign-in of this browser.
    const denied = await startAndSignIn(email);
    refused(
      await http()
        .get('/auth/oauth/callback')
        .query({ error: 'access_denied', state: denied.query.state })
        .set('cookie', denied.cookie),
      'OAUTH_PROVIDER_ERROR',
    );
    // A returnTo that leaves the site never reaches the stand-in.
    const foreign = await http()
      .get('/auth/oauth/authorize')
      .query({ provider: 'LocalProvider', returnTo: '/..//evil.example' });
    refused(foreign, 'RETURN_TO_NOT_ALLOWED');
  });

  it('sends the browser to a loopback logout_uri of the client, and refuses others', async () => {
    const ok = await fetch(
      `${domain}/logout?client_id=${connection.clientId}&logout_uri=${encodeURIComponent('http://localhost:3999/')}`,
      { redirect: 'manual' },
    );
    expect([ok.status, ok.headers.get('location')]).toEqual([302, 'http://localhost:3999/']);
    const foreign = await fetch(
      `${domain}/logout?client_id=${connection.clientId}&logout_uri=${encodeURIComponent('https://evil.example/')}`,
      { redirect: 'manual' },
    );
    expect(foreign.status).toBe(400);
  });
});
