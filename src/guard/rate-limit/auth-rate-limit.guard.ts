import {
  applyDecorators,
  HttpStatus,
  Injectable,
  SetMetadata,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  SkipThrottle,
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

/**
 * The throttlers: requests per client address and per account on each route, and the messages
 * (codes, invitations) sent per account, all routes together.
 */
export const PER_IP = 'ip';
export const PER_ACCOUNT = 'account';
export const MESSAGES = 'messages';
export const DESTINATIONS = 'destinations';

export interface LimitedRequest extends EventRequest {
  body?: unknown;
  params?: Record<string, string | undefined>;
}

/**
 * How an account is written in rate-limit keys: an email in the one form it is stored in, anything
 * else (a username, a sub) trimmed and lower-cased.
 */
export function normalizeAccount(account: string): string {
  const check = normaliseEmail(account);
  return 'email' in check ? check.email : account.trim().toLowerCase();
}

/**
 * The account a request is about, for the per-account limits: the email or username in the body,
 * else the user an administrator's route names, else the signed-in user. Undefined when the
 * request names none (e.g. a refresh from a cookie session without a username); the per-address
 * limit still applies then. The limits run before validation, so an email is counted in its
 * stored form: every spelling that reaches one account (`ＡＬＩＣＥ@…`, `Alice@…`) shares that
 * account's budget.
 */
export function accountOf(request: LimitedRequest): string | undefined {
  const body = request.body;
  if (body !== null && typeof body === 'object') {
    for (const field of ['email', 'username'] as const) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.trim()) return normalizeAccount(value);
    }
  }
  const named = request.params?.user;
  if (named?.trim()) return normalizeAccount(named);
  return request.user?.sub;
}

/**
 * Where a request asks a code to be sent when that is not the account's own address: the new
 * email or phone number of an attribute change. Counted apart, so that many accounts cannot
 * together flood one third-party address with codes.
 */
export function destinationOf(request: LimitedRequest): string | undefined {
  const body = request.body;
  if (body === null || typeof body !== 'object') return undefined;
  const attributes = (body as { attributes?: unknown }).attributes;
  if (attributes === null || typeof attributes !== 'object') return undefined;
  for (const name of ['email', 'phone_number'] as const) {
    const value = (attributes as Record<string, unknown>)[name];
    if (typeof value === 'string' && value.trim()) return `${name}:${normalizeAccount(value)}`;
  }
  return undefined;
}

export interface RateLimitOptions {
  /**
   * The route sends a code or an invitation: always (`true`), or when this says so. Each such
   * request also counts against the account's hourly message budget (RATE_LIMIT_MESSAGES).
   */
  sendsMessage?: boolean | ((request: LimitedRequest) => boolean);
  /**
   * `false`: no per-account request limit on this route. For sign-in, whose wrong passwords have
   * their own budget: counting every request per account would let anyone lock the owner out.
   */
  perAccount?: boolean;
}

const RATE_LIMIT_OPTIONS = 'auth-rate-limit-options';

/** Whether the request is one that sends a message, by the route's `sendsMessage` option. */
export function sendsMessage(context: ExecutionContext): boolean {
  const options = (Reflect.getMetadata(RATE_LIMIT_OPTIONS, context.getHandler()) ??
    Reflect.getMetadata(RATE_LIMIT_OPTIONS, context.getClass())) as RateLimitOptions | undefined;
  const rule = options?.sendsMessage;
  return typeof rule === 'function'
    ? rule(context.switchToHttp().getRequest<LimitedRequest>())
    : rule === true;
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

/**
 * Puts the route under the per-address and per-account request limits and, for a route that
 * sends messages, the per-account message budget.
 */
export const RateLimited = (options: RateLimitOptions = {}): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_OPTIONS, options),
    ...(options.perAccount === false ? [SkipThrottle({ [PER_ACCOUNT]: true })] : []),
    UseGuards(AuthRateLimitGuard),
  );

/** A PATCH of attributes that changes the email or phone number, which Cognito then verifies. */
export function changesContact(request: LimitedRequest): boolean {
  const attributes = (request.body as { attributes?: unknown } | undefined)?.attributes;
  return (
    attributes !== null &&
    typeof attributes === 'object' &&
    ('email' in attributes || 'phone_number' in attributes)
  );
}
