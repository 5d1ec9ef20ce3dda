import { HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { withoutStack } from '../../common/errors/without-stack';
import type { AuthUser } from '../auth-user';
import { IS_PUBLIC_KEY, OPTIONAL_AUTH_KEY, REQUIRED_GROUPS_KEY } from '../decorators/auth-metadata';
import { CognitoAccessStrategy, type AuthFailure } from './cognito-access.strategy';
import type { CsrfRequest } from '../session/csrf';

interface AuthenticatedRequest {
  user?: AuthUser;
}

type Outcome = AuthUser | AuthFailure;

/** A per-request attempt on the strategy: Passport's Strategy API (success, fail, error). */
type Attempt = Omit<CognitoAccessStrategy, 'success' | 'fail' | 'error'> & {
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
 * One path for every request: the Passport strategy (CognitoAccessStrategy: the token read once,
 * the CSRF rule for a session cookie, verification) run through Passport's Strategy API, then the
 * route's policy. It runs
 * the strategy itself rather than through `passport.authenticate()`: measured here, the latter's
 * per-request work (a middleware closure, and login/logout helpers grafted onto every request)
 * cost about a third of a guarded route's throughput, with no part in the verification. When the
 * strategy answers at once (a token it verified before), so does the guard, without a promise.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly policies = new WeakMap<object, RoutePolicy>();

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: CognitoAccessStrategy,
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
    const outcome = this.authenticate(request);
    return outcome instanceof Promise
      ? outcome.then((settled) => this.admit(request, this.decide(settled, policy), policy))
      : this.admit(request, this.decide(outcome, policy), policy);
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

  /** Runs the strategy once: its outcome at once when it settles at once, else a promise of it. */
  private authenticate(request: AuthenticatedRequest): Outcome | Promise<Outcome> {
    let settled: Outcome | undefined;
    let failure: { error: unknown } | undefined;
    let resolve: ((outcome: Outcome) => void) | undefined;
    let reject: ((error: unknown) => void) | undefined;
    const attempt = Object.create(this.strategy) as Attempt;
    const settle = (outcome: Outcome): void => {
      if (resolve) resolve(outcome);
      else settled = outcome;
    };
    attempt.success = settle;
    attempt.fail = settle;
    attempt.error = (error: unknown) => {
      if (reject) reject(error);
      else failure = { error };
    };
    attempt.authenticate(request);
    if (failure) throw authenticationError(failure.error);
    if (settled) return settled;
    return new Promise<Outcome>((onSettle, onError) => {
      resolve = onSettle;
      reject = onError;
    }).catch((error: unknown) => {
      throw authenticationError(error);
    });
  }

  /** A user, nothing (an @OptionalAuth route without a token), or 401. */
  private decide(outcome: Outcome, policy: RoutePolicy): AuthUser | undefined {
    if ('sub' in outcome) return outcome;
    if (outcome.reason === 'missing' && policy.optional) return undefined;
    throw withoutStack(
      () => new AppException(HttpStatus.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, outcome.message),
    );
  }
}

/** KeysUnavailableError is an AppException (503): like every failure here, it never grants access. */
function authenticationError(error: unknown): AppException {
  return error instanceof AppException
    ? error
    : new AppException(
        HttpStatus.INTERNAL_SERVER_ERROR,
        ErrorCode.INTERNAL_ERROR,
        'Authentication failed.',
        { cause: error },
      );
}
