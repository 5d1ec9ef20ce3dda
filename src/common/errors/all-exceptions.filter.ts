import { ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { describeException } from './describe-exception';
import { sendError, type ErrorReply, type ErrorRequest } from './send-error';

/**
 * The single place where thrown errors become HTTP answers. Everything leaves in the one error body;
 * unexpected failures are logged here with their cause (never the request body) and answered with a
 * generic 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<ErrorRequest>();
    const reply = http.getResponse<ErrorReply>();
    const description = describeException(exception);
    if (description.statusCode >= 500) {
      this.logger.error(
        `${request.method} ${routeOf(request)} failed with ${description.error} (request ${request.id})`,
        describeCause(exception),
      );
    }
    sendError(reply, request, description);
  }
}

/** The path without its query string, which may hold anything a client typed. */
function routeOf(request: ErrorRequest): string {
  const url = request.url ?? '';
  const q = url.indexOf('?');
  return JSON.stringify(q === -1 ? url : url.slice(0, q));
}

/** The stack of what was thrown, then its cause's name and message (AWS messages hold no secrets). */
function describeCause(exception: unknown): string {
  if (!(exception instanceof Error)) return String(exception);
  const cause = exception.cause;
  const causeText = cause instanceof Error ? `\nCaused by ${cause.name}: ${cause.message}` : '';
  return `${exception.stack ?? exception.name}${causeText}`;
}
