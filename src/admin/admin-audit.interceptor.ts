import {
  HttpException,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { type AuthUser } from '../guard';

interface AuditedRequest {
  id?: string;
  method: string;
  routeOptions?: { url?: string };
  params?: Record<string, string>;
  user?: AuthUser;
}

/**
 * Writes one audit line per administrative request: who (the admin's sub), what (method and
 * route pattern), on whom (the route parameters) and the outcome. Never the body: it may hold
 * passwords.
 */
@Injectable()
export class AdminAuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('AdminAudit');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    const record = (outcome: number | string) =>
      this.logger.log({
        msg: 'admin action',
        event: 'admin.action',
        action: `${request.method} ${request.routeOptions?.url ?? ''}`,
        actor: request.user?.sub,
        target: request.params ?? {},
        outcome,
        reqId: request.id,
      });
    return next.handle().pipe(
      tap({
        next: () => record('success'),
        error: (error: unknown) =>
          record(error instanceof HttpException ? error.getStatus() : 'error'),
      }),
    );
  }
}
