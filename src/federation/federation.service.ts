import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:net';
import * as oidc from 'openid-client';
import { callbackRefused, ManagedLoginPort, notConfigured } from '../cognito/managed-login.port';
import type { SealedBox } from '../common/crypto/sealed-box';
import { sameText } from '../common/crypto/same-text';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { usernameOfToken } from '../common/jwt/unverified-claims';
import { appConfig, authConfig, federationConfig, type OAuthProvider } from '../config';
import { AccessTokenVerifier, InvalidAccessTokenError, type SessionTokens } from '../guard';
import type { AuthorizeQueryDto, CallbackQueryDto, LoginCodeDto } from './dto/federation.dto';
import { OneTimeValues } from './one-time-values';
import { openState, sealState, type OAuthState } from './oauth-state';
import { checkedReturnTo } from './return-to';
import { SEALED_BOX } from './sealed-box.token';

/** The app's callback route, as the default redirect URI of the embedded mode names it. */
export const CALLBACK_PATH = '/auth/oauth/callback';
/** How long a bearer client has to redeem its login code. */
export const LOGIN_CODE_TTL_SECONDS = 60;

/** A completed callback: a session for cookies, or the address that carries a login code. */
export type CompletedSignIn =
  { kind: 'session'; tokens: SessionTokens; returnTo: string } | { kind: 'code'; location: string };

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const loginCodeKey = (code: string) => `code:${s256(code)}`;

function stateRefused(): AppException {
  return new AppException(
    HttpStatus.BAD_REQUEST,
    ErrorCode.OAUTH_STATE_INVALID,
    'This sign-in was not started here, was completed already, or took too long. Sign in again.',
  );
}

function loginCodeRefused(): AppException {
  return new AppException(
    HttpStatus.BAD_REQUEST,
    ErrorCode.LOGIN_CODE_INVALID,
    'The login code is invalid, used or expired, or the verifier does not match.',
  );
}

/** `returnTo` with `loginCode` added to its query, keeping its path, query and fragment. */
function withLoginCode(returnTo: string, loginCode: string): string {
  const relative = returnTo.startsWith('/');
  const url = new URL(returnTo, 'http://relative.invalid');
  url.searchParams.set('loginCode', loginCode);
  if (!relative) return url.href;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // checkedReturnTo gives paths of this site only; a code must never leave for another host.
  if (path.startsWith('//')) throw new Error('returnTo would leave the site');
  return path;
}

/**
 * Sign-in with a provider as a backend-for-frontend: the app is the OAuth 2.0 client of the pool's
 * managed login. The authorization request's secrets (state, nonce, PKCE verifier, where to
 * return) travel sealed in a `__Host-` cookie of this browser; the callback checks them, redeems the
 * code, checks the ID token and the access token, and ends in the session a password sign-in
 * gives, or, for a bearer client, in a login code redeemed once with the client's own verifier.
 */
@Injectable()
export class FederationService {
  private readonly logger = new Logger('Federation');

  constructor(
    @Inject(federationConfig.KEY) private readonly config: ConfigType<typeof federationConfig>,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(SEALED_BOX) private readonly box: SealedBox,
    private readonly managedLogin: ManagedLoginPort,
    private readonly verifier: AccessTokenVerifier,
    private readonly once: OneTimeValues,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  providers(): OAuthProvider[] {
    return this.config.enabled ? this.config.providers : [];
  }

  /** The managed login's address for this sign-in, and the sealed state for the cookie. */
  async start(query: AuthorizeQueryDto): Promise<{ location: string; sealedState: string }> {
    this.ensureEnabled();
    const provider = query.provider;
    if (provider !== undefined && !this.config.providers.some((p) => p.name === provider)) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.PROVIDER_NOT_OFFERED,
        'provider must be one of GET /auth/oauth/providers.',
      );
    }
    const returnTo = checkedReturnTo(query.returnTo, this.config.returnOrigins);
    const state: OAuthState = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      returnTo,
      delivery: this.delivery(query.codeChallenge),
    };
    const location = await this.managedLogin.authorizationUrl({
      redirectUri: this.redirectUri(),
      scopes: this.config.scopes,
      state: state.state,
      nonce: state.nonce,
      codeChallenge: await oidc.calculatePKCECodeChallenge(state.codeVerifier),
      identityProvider: provider,
    });
    return { location: location.href, sealedState: sealState(this.box, state) };
  }

  /**
   * Completes a callback: the state must be the one sealed in this browser's cookie, answered
   * once; a provider's error, a missing or refused code, a wrong nonce or an ID or access token
   * that does not check out never becomes a session.
   */
  async complete(
    query: CallbackQueryDto,
    sealedState: string | undefined,
    accepted: () => void = () => undefined,
  ): Promise<CompletedSignIn> {
    this.ensureEnabled();
    const opened = openState(this.box, sealedState);
    if (!opened || query.state === undefined || !sameText(query.state, opened.value.state)) {
      throw stateRefused();
    }
    // This browser's sign-in from here on: `accepted` spends its cookie, answered or not.
    accepted();
    if (!(await this.once.claim(`state:${opened.id}`, opened.expiresAt - Date.now()))) {
      throw stateRefused();
    }
    const { value } = opened;
    if (query.error !== undefined) {
      const known = /^[a-z_]{1,64}$/.test(query.error) ? ` (${query.error})` : '';
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.OAUTH_PROVIDER_ERROR,
        `The provider did not sign you in${known}. Sign in again.`,
      );
    }
    if (!query.code) throw callbackRefused();
    const callbackUrl = new URL(this.redirectUri());
    callbackUrl.search = new URLSearchParams({ code: query.code, state: query.state }).toString();
    const { tokens, idClaims } = await this.managedLogin.exchangeCode({
      callbackUrl,
      codeVerifier: value.codeVerifier,
      state: value.state,
      nonce: value.nonce,
    });
    // The access token is what the guard will check on every request: check it the same way now.
    let user;
    try {
      user = await this.verifier.verify(tokens.accessToken);
    } catch (error) {
      if (!(error instanceof InvalidAccessTokenError)) throw error;
      this.logger.warn(`A sign-in's access token was refused: ${error.reason}`);
      throw callbackRefused(error);
    }
    if (user.sub !== idClaims.sub) throw callbackRefused();
    const session: SessionTokens = { ...tokens, username: usernameOfToken(tokens.accessToken) };
    if (value.delivery.kind === 'cookies') {
      return { kind: 'session', tokens: session, returnTo: value.returnTo };
    }
    const loginCode = randomBytes(32).toString('base64url');
    const sealed = this.box.seal(
      { tokens: session, codeChallenge: value.delivery.codeChallenge },
      LOGIN_CODE_TTL_SECONDS,
      ['login-code'],
    );
    await this.once.put(loginCodeKey(loginCode), sealed, LOGIN_CODE_TTL_SECONDS * 1000);
    return { kind: 'code', location: withLoginCode(value.returnTo, loginCode) };
  }

  /** A login code's tokens, once, for the client holding the verifier of its challenge. */
  async redeem(dto: LoginCodeDto): Promise<SessionTokens> {
    this.ensureEnabled();
    // Taken before the verifier is checked: a wrong guess spends the code.
    const sealed = await this.once.take(loginCodeKey(dto.loginCode));
    const opened = sealed ? this.box.open(sealed, ['login-code']) : undefined;
    const value = opened?.value as { tokens?: SessionTokens; codeChallenge?: string } | undefined;
    if (!value?.tokens || !value.codeChallenge) throw loginCodeRefused();
    if (!sameText(s256(dto.codeVerifier), value.codeChallenge)) throw loginCodeRefused();
    return value.tokens;
  }

  /** 404 `FEDERATION_NOT_CONFIGURED` unless sign-in with a provider is set up. */
  ensureEnabled(): void {
    if (!this.config.enabled) throw notConfigured();
  }

  /**
   * The managed login's /logout, which sends the browser back to OAUTH_LOGOUT_URI; null when the
   * managed login's address cannot be learnt now (its discovery document unreachable), since the
   * logout it follows has ended the session anyway.
   */
  async logoutUrl(): Promise<string | null> {
    this.ensureEnabled();
    const back = this.config.logoutUri ?? `${new URL(this.redirectUri()).origin}/`;
    try {
      return (await this.managedLogin.logoutUrl(back)).href;
    } catch (error) {
      if (!(error instanceof AppException) || error.getStatus() < 500) throw error;
      this.logger.warn(`No managed login address for the logout: ${error.code}`);
      return null;
    }
  }

  /**
   * Outside production: a sign-in started on another loopback name of this very server than the
   * callback's (the page opened on `localhost`, the callback on `127.0.0.1`) would set its state
   * cookie where the callback never sees it. Answers the same request on the callback's origin to
   * start again from, else undefined. Only the configured callback's origin is ever answered, so
   * no request can send a browser anywhere else.
   */
  sameOriginAsCallback(host: string | undefined, path: string): string | undefined {
    if (this.app.nodeEnv === 'production' || !host) return undefined;
    let callback: URL;
    let asked: URL;
    try {
      callback = new URL(this.redirectUri());
      asked = new URL(`${callback.protocol}//${host}`);
    } catch {
      return undefined;
    }
    const loopback = (name: string) =>
      name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
    const sameServer = asked.port === callback.port && asked.hostname !== callback.hostname;
    if (!sameServer || !loopback(asked.hostname) || !loopback(callback.hostname)) return undefined;
    return `${callback.origin}${path}`;
  }

  /**
   * OAUTH_REDIRECT_URI; in the embedded mode without it, this app's own callback at the address
   * it listens on (known once it listens), never one taken from a request's headers.
   */
  redirectUri(): string {
    if (this.config.redirectUri) return this.config.redirectUri;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    const address = server?.address();
    if (!address || typeof address === 'string') throw notConfigured();
    const host = ['0.0.0.0', '::'].includes(this.app.host) ? '127.0.0.1' : this.app.host;
    const shown = host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${address.port}${CALLBACK_PATH}`;
  }

  private delivery(codeChallenge: string | undefined): OAuthState['delivery'] {
    const { tokenDelivery } = this.auth;
    if (codeChallenge) {
      if (tokenDelivery === 'cookie') {
        throw new AppException(
          HttpStatus.BAD_REQUEST,
          ErrorCode.VALIDATION_FAILED,
          'codeChallenge is for bearer clients, and TOKEN_DELIVERY=cookie gives tokens only as cookies.',
        );
      }
      return { kind: 'code', codeChallenge };
    }
    if (tokenDelivery === 'body') {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.VALIDATION_FAILED,
        'codeChallenge is required: TOKEN_DELIVERY=body sets no session cookie.',
      );
    }
    return { kind: 'cookies' };
  }
}
