import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy } from 'passport-strategy';
import { ACCESS_STRATEGY_NAME } from '../guard.constants';
import type { AuthUser } from '../auth-user';
import { AccessTokenVerifier, InvalidAccessTokenError } from './access-token.verifier';
import { extractAccessToken, isCookieAuthenticated } from './token-extractors';

/**
 * The 401 names the credential it refused: a stale `Authorization` header (Swagger UI keeps a
 * pasted token) hides a good session cookie, and the caller must know which one to drop.
 */
export const INVALID_BEARER_MESSAGE =
  'The access token in the Authorization header is invalid, expired or revoked. Sign in again, ' +
  'or send no Authorization header to use the session cookie (Swagger UI: Authorize, then Logout).';
export const INVALID_COOKIE_MESSAGE =
  'The access token in the session cookie is invalid, expired or revoked. Refresh, or sign in again.';

/** Why authentication did not produce a user; handed to the guard as Passport's `info`. */
export interface AuthFailure {
  reason: 'missing' | 'invalid';
  message: string;
}

type Verify = (token: string, done: (error: unknown, user?: AuthUser | false) => void) => void;

/**
 * A Passport strategy that takes the access token from the request and hands it to the verify
 * callback. aws-jwt-verify does all the verification (passport-jwt's strategy would use
 * jsonwebtoken instead).
 */
class AccessTokenStrategyBase extends Strategy {
  constructor(
    readonly name: string,
    private readonly verifyToken: Verify,
  ) {
    super();
  }

  override authenticate(request: unknown): void {
    const token = extractAccessToken(request);
    if (!token) {
      this.fail(
        { reason: 'missing', message: 'An access token is required.' } satisfies AuthFailure,
        401,
      );
      return;
    }
    this.verifyToken(token, (error, user) => {
      if (error instanceof InvalidAccessTokenError) {
        this.fail(
          {
            reason: 'invalid',
            message: isCookieAuthenticated(request)
              ? INVALID_COOKIE_MESSAGE
              : INVALID_BEARER_MESSAGE,
          } satisfies AuthFailure,
          401,
        );
      } else if (error) {
        this.error(error as Error);
      } else if (user) {
        this.success(user);
      }
    });
  }
}

/** Registered with Passport under this app's own name (see ACCESS_STRATEGY_NAME). */
@Injectable()
export class CognitoAccessStrategy
  extends PassportStrategy(AccessTokenStrategyBase)
  implements OnModuleDestroy
{
  constructor(
    private readonly verifier: AccessTokenVerifier,
    @Inject(ACCESS_STRATEGY_NAME) name: string,
  ) {
    super(name);
  }

  onModuleDestroy(): void {
    passport.unuse(this.name);
  }

  /** Called by the mixin with the extracted token; the result becomes `request.user`. */
  validate(token: string): Promise<AuthUser> {
    return this.verifier.verify(token);
  }
}
