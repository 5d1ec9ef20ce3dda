import { ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { pathOf } from '../http/path-of';
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
      const fields = {
        msg: `${request.method} ${pathOf(request.url)} failed with ${description.error}`,
        reqId: request.id,
        error: description.error,
        status: description.statusCode,
      };
      if (exception instanceof AppException) {
        // An anticipated failure (Cognito down, an unsupported operation): one line with its
        // cause's name and message (Cognito's messages name no secret), no stack.
        const cause = exception.cause;
        this.logger.warn(
          cause instanceof Error
            ? { ...fields, cause: { type: cause.name, message: cause.message } }
            : fields,
        );
      } else {
        this.logger.error({ ...fields, err: exception });
      }
    }
    sendError(reply, request, description);
  }
}
