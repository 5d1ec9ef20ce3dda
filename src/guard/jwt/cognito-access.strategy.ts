import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy } from 'passport-strategy';
import { COGNITO_STRATEGY } from '../guard.constants';
import type { AuthUser } from '../auth-user';
import { CsrfProtection, type CsrfRequest } from '../session/csrf';
import { AccessTokenVerifier, InvalidAccessTokenError } from './access-token.verifier';
import { presentedAccessToken } from './token-extractors';

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

const MISSING: AuthFailure = { reason: 'missing', message: 'An access token is required.' };
const INVALID_BEARER: AuthFailure = { reason: 'invalid', message: INVALID_BEARER_MESSAGE };
const INVALID_COOKIE: AuthFailure = { reason: 'invalid', message: INVALID_COOKIE_MESSAGE };

/** The strategies of the apps alive in this process, latest last (Passport names the latest). */
const alive: CognitoAccessStrategy[] = [];

/**
 * The one Passport strategy, registered with Passport as `cognito` (COGNITO_STRATEGY): the global
 * guard runs it for every guarded route, and `@UseGuards(AuthGuard('cognito'))` (from
 * @nestjs/passport) runs the same strategy on a route of your own.
 *
 * It takes the access token the request presents (a bearer header, else the session cookie; an
 * unsafe request that relies on the cookie must pass the CSRF check first, 403 otherwise) and
 * hands it to AccessTokenVerifier (aws-jwt-verify: passport-jwt's strategy would verify with
 * jsonwebtoken instead). A token verified before, still unexpired and unrevoked, succeeds at once,
 * without a promise: measured here, a promise round per request cost a guarded route about a
 * quarter of its throughput even when nothing had to be verified.
 */
@Injectable()
export class CognitoAccessStrategy
  extends PassportStrategy(Strategy, COGNITO_STRATEGY)
  implements OnModuleDestroy
{
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly csrf: CsrfProtection,
  ) {
    super();
    alive.push(this);
  }

  /** Passport's Strategy API: ends in exactly one of success, fail or error. */
  override authenticate(request: unknown): void {
    const presented = presentedAccessToken(request);
    if (!presented) {
      this.fail(MISSING, 401);
      return;
    }
    if (presented.viaCookie) {
      try {
        this.csrf.verify(request as CsrfRequest, presented.token);
      } catch (rejection) {
        this.error(rejection as Error);
        return;
      }
    }
    const known = this.verifier.peek(presented.token);
    if (known) {
      this.success(known);
      return;
    }
    this.validate(presented.token).then(
      (user) => this.success(user),
      (error: unknown) => {
        if (error instanceof InvalidAccessTokenError) {
          this.fail(presented.viaCookie ? INVALID_COOKIE : INVALID_BEARER, 401);
        } else {
          this.error(error as Error);
        }
      },
    );
  }

  /** Nest's strategy hook: the verified user of a token, or InvalidAccessTokenError. */
  validate(token: string): Promise<AuthUser> {
    return this.verifier.verify(token);
  }

  /**
   * Leaves Passport's process-wide registry when the app closes. Several apps may share a process
   * (as in tests): the name then goes back to the latest app still running, or to none.
   */
  onModuleDestroy(): void {
    const index = alive.indexOf(this);
    if (index >= 0) alive.splice(index, 1);
    const latest = alive.at(-1);
    if (latest) passport.use(COGNITO_STRATEGY, latest);
    else passport.unuse(COGNITO_STRATEGY);
  }
}
