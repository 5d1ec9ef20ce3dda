import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { IssuedTokens } from './cognito-identity.port';

/** What the app asks the managed login to do at `/oauth2/authorize`. */
export interface AuthorizationRequest {
  /** The app's callback, as the app client lists it. */
  redirectUri: string;
  scopes: string[];
  state: string;
  nonce: string;
  /** S256 of the code verifier kept for the exchange. */
  codeChallenge: string;
  /** A provider as the pool names it (`Google`, `COGNITO`...); unset: the managed login page. */
  identityProvider?: string;
}

/** A callback to complete: where it arrived, and the values the authorization request kept. */
export interface CodeExchange {
  /** The configured callback URL with the query string the browser brought. */
  callbackUrl: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
}

/** The outcome of a completed callback: the pool's tokens, the ID token checked. */
export interface FederatedSignIn {
  tokens: IssuedTokens & { refreshToken: string };
  /** The verified ID token's claims (issuer, audience, nonce, signature checked). */
  idClaims: Readonly<Record<string, unknown>>;
}

/**
 * The pool's managed login (its domain's OAuth 2.0 endpoints), as the app's OAuth client sees it.
 * Implementations throw AppException with a mapped code, never a library error.
 */
export abstract class ManagedLoginPort {
  /** The managed login's `/oauth2/authorize` address for this request (code, PKCE S256). */
  abstract authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  /**
   * Redeems the callback's code at `/oauth2/token` with the verifier and the client's secret,
   * checking state, and the ID token's signature, issuer, audience and nonce.
   */
  abstract exchangeCode(exchange: CodeExchange): Promise<FederatedSignIn>;
  /** The managed login's `/logout` address that sends the browser back to `logoutUri`. */
  abstract logoutUrl(logoutUri: string): Promise<URL>;
}

/** 404: no managed login is set up (no COGNITO_DOMAIN nor OAUTH_REDIRECT_URI, or no domain). */
export function notConfigured(): AppException {
  return new AppException(
    HttpStatus.NOT_FOUND,
    ErrorCode.FEDERATION_NOT_CONFIGURED,
    'Sign-in with a provider is not set up on this service.',
  );
}

/** 400: a callback that cannot become a session (its code, or the tokens it gave). */
export function callbackRefused(cause?: unknown): AppException {
  return new AppException(
    HttpStatus.BAD_REQUEST,
    ErrorCode.OAUTH_CALLBACK_INVALID,
    'The sign-in could not be completed: its code is invalid, used or expired, or its answer ' +
      'did not check out. Sign in again.',
    { cause },
  );
}
