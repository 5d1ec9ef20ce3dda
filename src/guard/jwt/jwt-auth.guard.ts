import { HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { withoutStack } from '../../common/errors/without-stack';
import type { AuthUser } from '../auth-user';
import { IS_PUBLIC_KEY, OPTIONAL_AUTH_KEY, REQUIRED_GROUPS_KEY } from '../decorators/auth-metadata';
import { AccessTokenVerifier } from './access-token.verifier';
import { CognitoAccessStrategy, type AuthFailure } from './cognito-access.strategy';
import { CsrfProtection, type CsrfRequest } from '../session/csrf';
import { extractAccessToken, isCookieAuthenticated } from './token-extractors';

interface AuthenticatedRequest {
  user?: AuthUser;
}

/** A per-request attempt on the strategy: Passport's Strategy API (success, fail, error). */
type Attempt = CognitoAccessStrategy & {
  success(user: AuthUser): void;
  fail(info: AuthFailure): void;
  error(error: unknown): void;
};

/** What the guard knows about a route, read once per handler. */
interface RoutePolicy {
  isPublic: boolean;
  optional: boolean;
  groups: string[];
}

/**
 * The global guard: every route needs a valid Cognito access token unless it is marked
 * `@Public()`. `@OptionalAuth()` lets a route run without a token; `@Groups()` adds a group check.
 * No failure path grants access: errors become 401, 403 or 503.
 *
 * It runs the Passport strategy (CognitoAccessStrategy) through Passport's Strategy API itself
 * rather than through `passport.authenticate()`: measured here, the latter's per-request work
 * (a middleware closure, and login/logout helpers grafted onto every request) cost about a third
 * of a guarded route's throughput, with no part in the verification.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly policies = new WeakMap<object, RoutePolicy>();

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: CognitoAccessStrategy,
    private readonly verifier: AccessTokenVerifier,
    private readonly csrf: CsrfProtection,
  ) {}

  private policy(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      const targets = [handler, context.getClass()];
      policy = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) ?? false,
        optional: this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH_KEY, targets) ?? false,
        groups: this.reflector.getAllAndOverride<string[]>(REQUIRED_GROUPS_KEY, targets) ?? [],
      };
      this.policies.set(handler, policy);
    }
    return policy;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policy(context);
    if (policy.isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & CsrfRequest>();
    const token = extractAccessToken(request);
    if (token && !this.csrf.isSafe(request) && isCookieAuthenticated(request)) {
      this.csrf.verify(request, token);
    }
    // Fast path: a token the strategy verified earlier, still unexpired and unrevoked, is admitted
    // without another round through the strategy. Answering synchronously matters: measured
    // here, the promise chain of a full round cost a guarded route about a quarter of its
    // throughput even when nothing had to be verified.
    const known = token ? this.verifier.peek(token) : undefined;
    if (known) return this.admit(request, known, policy);
    return this.authenticate(request).then((outcome) =>
      this.admit(request, this.decide(outcome, policy), policy),
    );
  }

  /** Sets the user on the request and applies the route's group requirement. */
  private admit(
    request: AuthenticatedRequest,
    user: AuthUser | undefined,
    policy: RoutePolicy,
  ): true {
    request.user = user;
    if (policy.groups.length > 0) {
      if (!user) {
        throw new AppException(
          HttpStatus.UNAUTHORIZED,
          ErrorCode.UNAUTHORIZED,
          'An access token is required.',
        );
      }
      if (!policy.groups.some((group) => user.groups.includes(group))) {
        throw new AppException(
          HttpStatus.FORBIDDEN,
          ErrorCode.FORBIDDEN,
          'You are not allowed to do this.',
        );
      }
    }
    return true;
  }

  private authenticate(request: AuthenticatedRequest): Promise<AuthUser | AuthFailure> {
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as Attempt;
      attempt.success = resolve;
      attempt.fail = resolve;
      attempt.error = reject;
      attempt.authenticate(request);
    }).catch((error: unknown) => {
      // KeysUnavailableError is an AppException (503): like every failure here, it never grants access.
      throw error instanceof AppException
        ? error
        : new AppException(
            HttpStatus.INTERNAL_SERVER_ERROR,
            ErrorCode.INTERNAL_ERROR,
            'Authentication failed.',
            { cause: error },
          );
    }) as Promise<AuthUser | AuthFailure>;
  }

  /** A user, nothing (an @OptionalAuth route without a token), or 401. */
  private decide(outcome: AuthUser | AuthFailure, policy: RoutePolicy): AuthUser | undefined {
    if ('sub' in outcome) return outcome;
    if (outcome.reason === 'missing' && policy.optional) return undefined;
    throw withoutStack(
      () => new AppException(HttpStatus.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, outcome.message),
    );
  }
}
