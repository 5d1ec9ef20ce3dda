import { ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { AppException } from './app.exception';
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
      const summary = `${request.method} ${routeOf(request)} failed with ${description.error} (request ${request.id})`;
      if (exception instanceof AppException) {
        // An anticipated failure (Cognito down, an unsupported operation): one line with its cause.
        this.logger.warn(`${summary}${causeOf(exception)}`);
      } else {
        this.logger.error(
          summary,
          exception instanceof Error ? exception.stack : String(exception),
        );
      }
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

/** The cause's name and message (Cognito's messages name no secret), JSON-quoted onto one line. */
function causeOf(exception: AppException): string {
  const cause = exception.cause;
  return cause instanceof Error ? `: ${cause.name} ${JSON.stringify(cause.message)}` : '';
}
