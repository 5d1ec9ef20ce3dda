import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { HttpAdapterHost } from '@nestjs/core';
import { createHash, randomBytes } from 'node:crypto';
import {
  ManagedLoginPort,
  type AuthorizationRequest,
  type CodeExchange,
  type FederatedSignIn,
} from '../cognito/managed-login.port';
import { SealedBox } from '../common/crypto/sealed-box';
import { AppException } from '../common/errors/app.exception';
import type { appConfig, authConfig, federationConfig } from '../config';
import { InvalidAccessTokenError, type AccessTokenVerifier, type AuthUser } from '../guard';
import { FederationService } from './federation.service';
import { OneTimeValues } from './one-time-values';
import { openState } from './oauth-state';

const REDIRECT_URI = 'https://api.example/auth/oauth/callback';
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2ln`;
}

class FakeManagedLogin extends ManagedLoginPort {
  requests: AuthorizationRequest[] = [];
  exchanges: CodeExchange[] = [];
  idSub = 'sub-1';

  authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    this.requests.push(request);
    return Promise.resolve(
      new URL(`https://login.example/oauth2/authorize?state=${request.state}`),
    );
  }

  exchangeCode(exchange: CodeExchange): Promise<FederatedSignIn> {
    this.exchanges.push(exchange);
    return Promise.resolve({
      tokens: {
        accessToken: jwt({ sub: 'sub-1', username: 'Google_123' }),
        idToken: jwt({ sub: this.idSub }),
        refreshToken: 'refresh-1',
        expiresIn: 3600,
        tokenType: 'Bearer',
      },
      idClaims: { sub: this.idSub, token_use: 'id' },
    });
  }

  logoutUrl(logoutUri: string): Promise<URL> {
    return Promise.resolve(
      new URL(`https://login.example/logout?logout_uri=${encodeURIComponent(logoutUri)}`),
    );
  }
}

type Federation = ConfigType<typeof federationConfig>;

function setUp(
  options: {
    federation?: Partial<Federation>;
    tokenDelivery?: 'cookie' | 'body' | 'both';
    host?: string;
    port?: number;
    nodeEnv?: 'development' | 'production' | 'test';
  } = {},
) {
  const box = new SealedBox(randomBytes(32), 'test oauth');
  const managedLogin = new FakeManagedLogin();
  const verify = jest.fn<Promise<AuthUser>, [string]>(() =>
    Promise.resolve({ sub: 'sub-1' } as AuthUser),
  );
  const federation: Federation = {
    enabled: true,
    domain: 'https://login.example',
    redirectUri: REDIRECT_URI,
    logoutUri: undefined,
    scopes: ['openid', 'email'],
    providers: [{ name: 'Google', type: 'social' }],
    returnOrigins: ['https://app.example'],
    ...options.federation,
  };
  const adapterHost = {
    httpAdapter: {
      getHttpServer: () => ({ address: () => ({ port: options.port ?? 4321 }) }),
    },
  } as unknown as HttpAdapterHost;
  const service = new FederationService(
    federation,
    { tokenDelivery: options.tokenDelivery ?? 'both' } as ConfigType<typeof authConfig>,
    {
      host: options.host ?? '127.0.0.1',
      nodeEnv: options.nodeEnv ?? 'development',
    } as ConfigType<typeof appConfig>,
    box,
    managedLogin,
    { verify } as unknown as AccessTokenVerifier,
    new OneTimeValues(),
    adapterHost,
  );
  return { service, box, managedLogin, verify };
}

async function refusal(promise: Promise<unknown>): Promise<[number, string]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppException) return [error.getStatus(), error.code];
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('FederationService', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));

  describe('start', () => {
    it('asks for S256 of the verifier it seals, with a fresh state and nonce, and the configured callback', async () => {
      const { service, box, managedLogin } = setUp();
      const { location, sealedState } = await service.start({
        provider: 'Google',
        returnTo: '/account',
      });
      const [request] = managedLogin.requests;
      expect(location).toBe(`https://login.example/oauth2/authorize?state=${request.state}`);
      const opened = openState(box, sealedState);
      expect(opened?.value).toEqual({
        state: request.state,
        nonce: request.nonce,
        codeVerifier: expect.any(String),
        returnTo: '/account',
        delivery: { kind: 'cookies' },
      });
      expect(request).toEqual({
        redirectUri: REDIRECT_URI,
        scopes: ['openid', 'email'],
        state: expect.any(String),
        nonce: expect.any(String),
        codeChallenge: s256(opened?.value.codeVerifier ?? ''),
        identityProvider: 'Google',
      });
      await service.start({});
      const [first, second] = managedLogin.requests;
      expect(second.state).not.toBe(first.state);
      expect(second.nonce).not.toBe(first.nonce);
      expect(second.identityProvider).toBeUndefined();
    });

    it('refuses a provider not offered, and a returnTo that leaves the site', async () => {
      const { service, managedLogin } = setUp();
      await expect(refusal(service.start({ provider: 'Facebook' }))).resolves.toEqual([
        400,
        'PROVIDER_NOT_OFFERED',
      ]);
      await expect(refusal(service.start({ returnTo: '//evil.example' }))).resolves.toEqual([
        400,
        'RETURN_TO_NOT_ALLOWED',
      ]);
      expect(managedLogin.requests).toEqual([]);
    });

    it('takes codeChallenge only where tokens may leave as a body, and requires it where they must', async () => {
      const challenge = s256('v'.repeat(43));
      await expect(
        refusal(setUp({ tokenDelivery: 'cookie' }).service.start({ codeChallenge: challenge })),
      ).resolves.toEqual([400, 'VALIDATION_FAILED']);
      await expect(refusal(setUp({ tokenDelivery: 'body' }).service.start({}))).resolves.toEqual([
        400,
        'VALIDATION_FAILED',
      ]);
      const { service, box } = setUp({ tokenDelivery: 'body' });
      const { sealedState } = await service.start({ codeChallenge: challenge });
      expect(openState(box, sealedState)?.value.delivery).toEqual({
        kind: 'code',
        codeChallenge: challenge,
      });
    });

    it('is 404 FEDERATION_NOT_CONFIGURED when sign-in with a provider is not set up', async () => {
      const { service } = setUp({ federation: { enabled: false } });
      expect(service.providers()).toEqual([]);
      await expect(refusal(service.start({}))).resolves.toEqual([404, 'FEDERATION_NOT_CONFIGURED']);
      await expect(refusal(service.complete({}, undefined))).resolves.toEqual([
        404,
        'FEDERATION_NOT_CONFIGURED',
      ]);
    });
  });

  describe('complete', () => {
    async function started(
      setup = setUp(),
      query: Parameters<FederationService['start']>[0] = { returnTo: '/account#top' },
    ) {
      const { sealedState } = await setup.service.start(query);
      const state = setup.managedLogin.requests.at(-1)?.state ?? '';
      return { ...setup, sealedState, state };
    }

    it('redeems the code with the sealed verifier, state and nonce, at the configured callback', async () => {
      const { service, managedLogin, box, sealedState, state } = await started();
      const accepted = jest.fn();
      const done = await service.complete({ code: 'the-code', state }, sealedState, accepted);
      expect(accepted).toHaveBeenCalledTimes(1);
      expect(done).toEqual({
        kind: 'session',
        returnTo: '/account#top',
        tokens: expect.objectContaining({ refreshToken: 'refresh-1', username: 'Google_123' }),
      });
      const sealed = openState(box, sealedState)?.value;
      expect(managedLogin.exchanges).toEqual([
        {
          callbackUrl: new URL(`${REDIRECT_URI}?code=the-code&state=${state}`),
          codeVerifier: sealed?.codeVerifier,
          state,
          nonce: sealed?.nonce,
        },
      ]);
    });

    it('answers a state once: the same callback again is refused', async () => {
      const { service, sealedState, state } = await started();
      await service.complete({ code: 'c', state }, sealedState);
      await expect(refusal(service.complete({ code: 'c', state }, sealedState))).resolves.toEqual([
        400,
        'OAUTH_STATE_INVALID',
      ]);
    });

    it.each([
      ['no cookie', (s: string) => [{ code: 'c', state: s }, undefined] as const],
      ['no state', (_s: string, c: string) => [{ code: 'c' }, c] as const],
      [
        'another state',
        (_s: string, c: string) => [{ code: 'c', state: 'x'.repeat(43) }, c] as const,
      ],
      ['a cookie that is not sealed', (s: string) => [{ code: 'c', state: s }, 'garbage'] as const],
    ])('refuses %s before anything is redeemed', async (_label, make) => {
      const { service, managedLogin, sealedState, state } = await started();
      const [query, cookie] = make(state, sealedState);
      const accepted = jest.fn();
      await expect(refusal(service.complete(query, cookie, accepted))).resolves.toEqual([
        400,
        'OAUTH_STATE_INVALID',
      ]);
      expect(managedLogin.exchanges).toEqual([]);
      // This browser's own sign-in stays in place: a stray callback cannot cancel it.
      expect(accepted).not.toHaveBeenCalled();
    });

    it("reports the provider's error, naming it only when it is an OAuth error code", async () => {
      const setup = setUp();
      const first = await started(setup);
      const denied = setup.service.complete(
        { state: first.state, error: 'access_denied' },
        first.sealedState,
      );
      await expect(denied).rejects.toThrow('(access_denied)');
      const second = await started(setup);
      const odd = setup.service.complete(
        { state: second.state, error: '<script>alert(1)</script>' },
        second.sealedState,
      );
      const error = await odd.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppException);
      expect((error as AppException).code).toBe('OAUTH_PROVIDER_ERROR');
      expect((error as AppException).message).not.toContain('script');
      expect(setup.managedLogin.exchanges).toEqual([]);
    });

    it('refuses a callback without a code', async () => {
      const { service, sealedState, state } = await started();
      await expect(refusal(service.complete({ state }, sealedState))).resolves.toEqual([
        400,
        'OAUTH_CALLBACK_INVALID',
      ]);
    });

    it('refuses an access token the guard would refuse', async () => {
      const setup = setUp();
      setup.verify.mockRejectedValueOnce(new InvalidAccessTokenError('Client ID not allowed'));
      const { service, sealedState, state } = await started(setup);
      await expect(refusal(service.complete({ code: 'c', state }, sealedState))).resolves.toEqual([
        400,
        'OAUTH_CALLBACK_INVALID',
      ]);
    });

    it('refuses an access token of another user than the ID token', async () => {
      const setup = setUp();
      setup.managedLogin.idSub = 'sub-2';
      const { service, sealedState, state } = await started(setup);
      await expect(refusal(service.complete({ code: 'c', state }, sealedState))).resolves.toEqual([
        400,
        'OAUTH_CALLBACK_INVALID',
      ]);
    });

    it('gives a bearer client a login code on its returnTo, redeemed once with the verifier', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const setup = setUp();
      const { service, sealedState, state } = await started(setup, {
        returnTo: 'https://app.example/done?tab=2#end',
        codeChallenge: s256(verifier),
      });
      const done = await service.complete({ code: 'c', state }, sealedState);
      if (done.kind !== 'code') throw new Error('expected a login code');
      const location = new URL(done.location);
      expect(`${location.origin}${location.pathname}${location.hash}`).toBe(
        'https://app.example/done#end',
      );
      expect(location.searchParams.get('tab')).toBe('2');
      const loginCode = location.searchParams.get('loginCode') ?? '';
      const tokens = await service.redeem({ loginCode, codeVerifier: verifier });
      expect(tokens).toMatchObject({ refreshToken: 'refresh-1', username: 'Google_123' });
      await expect(refusal(service.redeem({ loginCode, codeVerifier: verifier }))).resolves.toEqual(
        [400, 'LOGIN_CODE_INVALID'],
      );
    });

    it('keeps a relative returnTo relative when adding the login code; a wrong verifier spends the code', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const { service, sealedState, state } = await started(setUp(), {
        returnTo: '/signed-in',
        codeChallenge: s256(verifier),
      });
      const done = await service.complete({ code: 'c', state }, sealedState);
      if (done.kind !== 'code') throw new Error('expected a login code');
      expect(done.location).toMatch(/^\/signed-in\?loginCode=[A-Za-z0-9_-]{43}$/);
      const loginCode = new URL(done.location, 'https://x.invalid').searchParams.get('loginCode');
      const wrong = randomBytes(32).toString('base64url');
      await expect(
        refusal(service.redeem({ loginCode: loginCode ?? '', codeVerifier: wrong })),
      ).resolves.toEqual([400, 'LOGIN_CODE_INVALID']);
      await expect(
        refusal(service.redeem({ loginCode: loginCode ?? '', codeVerifier: verifier })),
      ).resolves.toEqual([400, 'LOGIN_CODE_INVALID']);
    });
  });

  describe('addresses', () => {
    it('sends the managed login back to OAUTH_LOGOUT_URI, or to the callback’s origin', async () => {
      await expect(
        setUp({ federation: { logoutUri: 'https://app.example/bye' } }).service.logoutUrl(),
      ).resolves.toBe('https://login.example/logout?logout_uri=https%3A%2F%2Fapp.example%2Fbye');
      await expect(setUp().service.logoutUrl()).resolves.toBe(
        'https://login.example/logout?logout_uri=https%3A%2F%2Fapi.example%2F',
      );
    });

    it('without OAUTH_REDIRECT_URI: its own callback where it listens, never a wildcard address', () => {
      const embedded = { federation: { redirectUri: undefined }, port: 4321 };
      expect(setUp({ ...embedded, host: '0.0.0.0' }).service.redirectUri()).toBe(
        'http://127.0.0.1:4321/auth/oauth/callback',
      );
      expect(setUp({ ...embedded, host: '::1' }).service.redirectUri()).toBe(
        'http://[::1]:4321/auth/oauth/callback',
      );
    });

    it('a sign-in started on another loopback name of this server starts again on the callback’s', () => {
      const { service } = setUp({ federation: { redirectUri: undefined }, port: 4321 });
      const path = '/auth/oauth/authorize?provider=LocalProvider&returnTo=%2Fdemo';
      expect(service.sameOriginAsCallback('localhost:4321', path)).toBe(
        `http://127.0.0.1:4321${path}`,
      );
      // The callback's own name, another port (another server), a name that is not loopback,
      // no Host at all, or production: nothing to do.
      for (const host of ['127.0.0.1:4321', 'localhost:4000', 'evil.example:4321', undefined]) {
        expect(service.sameOriginAsCallback(host, path)).toBeUndefined();
      }
      const production = setUp({
        federation: { redirectUri: undefined },
        port: 4321,
        nodeEnv: 'production',
      }).service;
      expect(production.sameOriginAsCallback('localhost:4321', path)).toBeUndefined();
      // A callback that is not on loopback (a real deployment): never.
      expect(setUp().service.sameOriginAsCallback('localhost:443', path)).toBeUndefined();
    });
  });
});
