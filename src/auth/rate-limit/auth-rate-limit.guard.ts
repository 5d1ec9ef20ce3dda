import { HttpStatus, Injectable, UseGuards, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { SecurityEvents, type EventRequest } from '../../common/logging/security-events';
import { normaliseEmail } from '../../common/validation/email-address';

/** The throttler that counts per client address, and the one that counts per account. */
export const PER_IP = 'ip';
export const PER_ACCOUNT = 'account';

interface LimitedRequest extends EventRequest {
  body?: unknown;
}

/**
 * The account a request is about, for the per-account limit: the email or username in the body,
 * else the signed-in user. Undefined when the request names none (e.g. a refresh from a cookie
 * session without a username); the per-address limit still applies then. The limit runs before
 * validation, so an email is counted in its stored form: every spelling that reaches one account
 * (`ＡＬＩＣＥ@…`, `Alice@…`) shares that account's budget.
 */
export function accountOf(request: LimitedRequest): string | undefined {
  const body = request.body;
  if (body !== null && typeof body === 'object') {
    for (const field of ['email', 'username'] as const) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value !== 'string' || !value.trim()) continue;
      const check = field === 'email' ? normaliseEmail(value) : undefined;
      return check && 'email' in check ? check.email : value.trim().toLowerCase();
    }
  }
  return request.user?.sub;
}

/**
 * @nestjs/throttler on the routes that guess or spend something (passwords, codes, emails):
 * per client address and per account, answering 429 `TOO_MANY_REQUESTS` with `Retry-After` in
 * the one error body, and logging a `rate_limit` security event. The client address is the
 * socket's unless TRUST_PROXY names the proxies whose `X-Forwarded-For` may be believed.
 */
@Injectable()
export class AuthRateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly events: SecurityEvents,
  ) {
    super(options, storage, reflector);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(props);
    } catch (error) {
      if (error instanceof AppException && error.code === ErrorCode.TOO_MANY_REQUESTS) {
        const request = props.context.switchToHttp().getRequest<LimitedRequest>();
        this.events.record(request, 'rate_limit', 'blocked', {
          limit: props.throttler.name,
        });
      }
      throw error;
    }
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new AppException(
      HttpStatus.TOO_MANY_REQUESTS,
      ErrorCode.TOO_MANY_REQUESTS,
      'Too many attempts. Wait a moment and try again.',
      { retryAfterSeconds: Math.max(1, Math.ceil(detail.timeToBlockExpire)) },
    );
  }
}

/** Puts the route under the per-address and per-account limits. */
export const RateLimited = (): MethodDecorator & ClassDecorator => UseGuards(AuthRateLimitGuard);
