import {
  applyDecorators,
  HttpException,
  Injectable,
  Logger,
  SetMetadata,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { AppException } from '../errors/app.exception';

/** The security-relevant actions, each logged once per request as one structured line. */
export type SecurityEventName =
  | 'auth.sign_up'
  | 'auth.sign_up_confirm'
  | 'auth.login'
  | 'auth.challenge'
  | 'auth.refresh'
  | 'auth.logout'
  | 'auth.logout_upstream'
  | 'auth.password_change'
  | 'auth.password_reset_request'
  | 'auth.password_reset'
  | 'auth.oauth_start'
  | 'auth.oauth_callback'
  | 'auth.oauth_code_exchange'
  | 'identity.aws_credentials'
  | 'identity.guest_credentials'
  | 'account.mfa_enroll'
  | 'account.mfa_change'
  | 'account.delete'
  | 'admin.group_change'
  | 'admin.identity_change'
  | 'rate_limit';

export type SecurityOutcome = 'success' | 'failure' | 'challenge' | 'blocked';

/** The parts of a request (Fastify or Express) an event line uses. */
export interface EventRequest {
  id?: string;
  ip?: string;
  method?: string;
  routeOptions?: { url?: string };
  route?: { path?: string };
  user?: { sub?: string } | null;
}

const SUBJECTS = new WeakMap<object, string>();

/**
 * Names the user an event is about when the request carries no verified token: a login learns
 * the `sub` from the tokens it just received, a password reset from the account it reset.
 */
export function setEventSubject(request: object, sub: string | undefined): void {
  if (sub) SUBJECTS.set(request, sub);
}

/**
 * Writes security events: `{ event, outcome, sub, ip, reqId, route, status, error }`. Never a
 * password, code or token: the fields are fixed, and user input appears only as the values of
 * JSON fields.
 */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('Security');

  record(
    request: EventRequest,
    event: SecurityEventName,
    outcome: SecurityOutcome,
    extra: Record<string, string | number | undefined> = {},
  ): void {
    this.logger.log({
      msg: `security event ${event} ${outcome}`,
      event,
      outcome,
      sub: request.user?.sub ?? SUBJECTS.get(request),
      ip: request.ip,
      reqId: request.id,
      route: `${request.method ?? ''} ${request.routeOptions?.url ?? request.route?.path ?? ''}`,
      ...extra,
    });
  }
}

export const SECURITY_EVENT_KEY = 'security-event';

/** Logs the route's outcome as a security event. Only routes that declare one pay for it. */
export function SecurityEvent(event: SecurityEventName): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(SECURITY_EVENT_KEY, event),
    UseInterceptors(SecurityEventInterceptor),
  );
}

@Injectable()
export class SecurityEventInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly events: SecurityEvents,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const event = this.reflector.get<SecurityEventName | undefined>(
      SECURITY_EVENT_KEY,
      context.getHandler(),
    );
    if (!event) return next.handle();
    const request = context.switchToHttp().getRequest<EventRequest>();
    return next.handle().pipe(
      tap({
        next: (result: unknown) => {
          const challenge =
            result !== null && typeof result === 'object' && 'nextStep' in result
              ? String(result.nextStep)
              : undefined;
          this.events.record(request, event, challenge ? 'challenge' : 'success', {
            nextStep: challenge,
          });
        },
        error: (error: unknown) =>
          this.events.record(request, event, 'failure', {
            status: error instanceof HttpException ? error.getStatus() : 500,
            error: error instanceof AppException ? error.code : undefined,
          }),
      }),
    );
  }
}
