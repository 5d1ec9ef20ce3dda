import { HttpStatus, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  FetchError,
  JwksNotAvailableInCacheError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { LRUCache } from 'lru-cache';
import { CognitoConnection } from '../../cognito/cognito-connection';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { withoutStack } from '../../common/errors/without-stack';
import { authConfig } from '../../config';
import type { AuthUser } from '../auth-user';
import { RevocationService } from '../revocation/revocation.service';
import { JwksFetcher } from './jwks-fetcher';

/** The token is not acceptable: answer 401. */
export class InvalidAccessTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidAccessTokenError';
  }
}

function refusal(reason: string): InvalidAccessTokenError {
  return withoutStack(() => new InvalidAccessTokenError(reason));
}

/** The signing keys could not be fetched: answer 503, never let the request through. */
export class KeysUnavailableError extends AppException {
  constructor(cause: unknown) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      ErrorCode.UPSTREAM_UNAVAILABLE,
      'Tokens cannot be verified right now. Try again shortly.',
      { cause, retryAfterSeconds: 5 },
    );
    this.name = 'KeysUnavailableError';
  }
}

/** What the guard answers for an error of the token check: 401, or 503 when keys are missing. */
function refusalFor(error: unknown): InvalidAccessTokenError | KeysUnavailableError {
  if (error instanceof InvalidAccessTokenError) return error;
  if (error instanceof FetchError) return new KeysUnavailableError(error);
  // Malformed input can surface as other errors from parsing; it is still not a valid token.
  return refusal(error instanceof Error ? error.message : String(error));
}

/** The result of `check` as a promise: resolved with its value, or rejected with what it threw. */
function settle<T>(check: () => T): Promise<T> {
  try {
    return Promise.resolve(check());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The user of a verified token. Frozen: one cached object serves many requests. */
export function toAuthUser(payload: JwtPayload): AuthUser {
  return deepFreeze({
    sub: text(payload.sub),
    username: text(payload.username) || text(payload.sub),
    groups: stringList(payload['cognito:groups']),
    scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
    clientId: text(payload.client_id),
    tokenId: text(payload.jti) || undefined,
    originTokenId: text(payload.origin_jti) || undefined,
    tokenExpiresAt: Number(payload.exp),
    authTime: typeof payload.auth_time === 'number' ? payload.auth_time : undefined,
    issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
  });
}

function deepFreeze(user: AuthUser): AuthUser {
  Object.freeze(user.groups);
  Object.freeze(user.scopes);
  return Object.freeze(user);
}

/** How far in the future `iat` may be, for clocks that differ a little. */
const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * Header fields that point at keys. The keys come from the configured JWKS only, so a token that
 * names its own key (RFC 7515 4.1.2-4.1.6) is refused outright rather than merely not followed.
 */
const KEY_POINTING_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'];

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Checks aws-jwt-verify leaves to the caller: key-pointing headers, a missing `exp`, `iat`. */
function extraChecks(header: JwtHeader, payload: JwtPayload): void {
  const pointer = KEY_POINTING_HEADERS.find((name) => name in header);
  if (pointer) throw refusal(`the token header names a key (${pointer})`);
  // aws-jwt-verify checks `exp` only when present; a token that never expires is not acceptable.
  if (typeof payload.exp !== 'number') throw refusal('the token has no expiry');
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds() + MAX_CLOCK_SKEW_SECONDS) {
    throw refusal('the token was issued in the future');
  }
}

/**
 * aws-jwt-verify for one kind of the pool's tokens: signature with the pool's keys (fetched over
 * HTTP too, for an emulator), `iss`, `token_use`, the app client (`client_id` of access tokens,
 * `aud` of ID tokens), plus the checks above.
 */
export function poolTokenVerifier(connection: CognitoConnection, tokenUse: 'access' | 'id') {
  return JwtVerifier.create(
    {
      issuer: connection.issuer,
      jwksUri: connection.jwksUri,
      audience: null,
      customJwtCheck: ({ header, payload }) => {
        validateCognitoJwtFields(payload, {
          tokenUse,
          clientId: connection.clientId,
          groups: null,
        });
        extraChecks(header, payload);
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: new JwksFetcher() }) },
  );
}

/**
 * Verifies Cognito access tokens with aws-jwt-verify: RS256 signature with the pool's keys, `exp`,
 * `nbf`, `iss`, `token_use = access` and `client_id`, plus `iat` and the header's key fields.
 * Access tokens carry `client_id`, not `aud`, so no audience is checked. The same code serves every
 * mode; only the issuer and key address differ.
 *
 * Each token's signature is checked once: the verified user is remembered, keyed by the exact
 * token string, in a bounded LRU; every hit still checks expiry and revocation. An RS256 check
 * costs far more CPU than the rest of a request.
 */
@Injectable()
export class AccessTokenVerifier implements OnModuleInit {
  private readonly logger = new Logger('AccessTokenVerifier');
  private readonly verifier;
  private readonly cache?: LRUCache<string, AuthUser>;
  private keysReady = false;

  constructor(
    connection: CognitoConnection,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    private readonly revocations: RevocationService,
  ) {
    this.verifier = poolTokenVerifier(connection, 'access');
    if (auth.tokenCache.enabled) {
      this.cache = new LRUCache({ max: auth.tokenCache.maxEntries });
    }
  }

  /** Loads the signing keys at start so the first requests need no fetch. */
  async onModuleInit(): Promise<void> {
    await this.loadKeys();
  }

  /** Whether the signing keys are loaded (readiness waits for this). */
  async loadKeys(): Promise<boolean> {
    if (this.keysReady) return true;
    try {
      await this.verifier.hydrate();
      this.keysReady = true;
    } catch (error) {
      this.logger.warn(`Signing keys not loaded (${(error as Error).message}); retrying on use`);
    }
    return this.keysReady;
  }

  /**
   * The user of a token this instance has verified before, if it is still acceptable (not
   * expired, not revoked); otherwise undefined, and `verify` gives the reason. Synchronous: the
   * guard's fast path for the common case of a token seen before.
   */
  peek(token: string): AuthUser | undefined {
    const cached = this.cache?.get(token);
    if (!cached) return undefined;
    if (!(cached.tokenExpiresAt > nowSeconds())) {
      this.cache?.delete(token);
      return undefined;
    }
    return this.revocations.isRevoked(cached) ? undefined : cached;
  }

  /**
   * Resolves to the token's user, or rejects: InvalidAccessTokenError (401) or
   * KeysUnavailableError (503). The usual case is synchronous: the token's key is already loaded,
   * so the check needs no I/O, and a refusal is one error built without a stack trace and
   * returned as a rejected promise, never thrown again on its way (a profile of invalid tokens
   * had shown 7.7% of the time in capturing the library error's stack). Only when the key is not
   * loaded does the asynchronous check run; it fetches the key set, with the library's limit on
   * refetches for unknown key ids.
   */
  verify(token: string): Promise<AuthUser> {
    const cached = this.cache?.get(token);
    if (cached) return settle(() => this.accept(cached, token));
    const checked = this.checkWithLoadedKeys(token);
    if (checked === undefined) {
      return this.verifier.verify(token).then(
        (payload) => this.remember(token, payload),
        (error: unknown) => Promise.reject(refusalFor(error)),
      );
    }
    if (checked instanceof Error) return Promise.reject(checked);
    return settle(() => this.remember(token, checked));
  }

  /** The payload, the refusal, or undefined when the token's key is not loaded. */
  private checkWithLoadedKeys(
    token: string,
  ): JwtPayload | InvalidAccessTokenError | KeysUnavailableError | undefined {
    return withoutStack(() => {
      try {
        return this.verifier.verifySync(token);
      } catch (error) {
        if (error instanceof JwksNotAvailableInCacheError) return undefined;
        if (error instanceof KidNotFoundInJwksError) return undefined;
        return refusalFor(error);
      }
    });
  }

  private remember(token: string, payload: JwtPayload): AuthUser {
    const user = toAuthUser(payload);
    this.keysReady = true;
    this.cache?.set(token, user);
    return this.accept(user, token);
  }

  /** The checks that hold on every request, cached or not. */
  private accept(user: AuthUser, token: string): AuthUser {
    if (!(user.tokenExpiresAt > nowSeconds())) {
      this.cache?.delete(token);
      throw refusal('the token has expired');
    }
    if (this.revocations.isRevoked(user)) {
      throw refusal('the token was revoked');
    }
    return user;
  }
}
