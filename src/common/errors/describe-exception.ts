import { HttpException } from '@nestjs/common';
import { AppException, type FieldError } from './app.exception';
import { ErrorCode } from './error-code';

/** What an error answer says, before the request id is added. */
export interface ErrorDescription {
  statusCode: number;
  error: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
  details?: FieldError[];
  /** More fields of the body, after the standard ones (AppException's `extra`). */
  extra?: Record<string, unknown>;
}

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.TOO_MANY_REQUESTS,
};

const GENERIC_500 = 'Something went wrong on our side. Try again later.';

/**
 * Turns anything thrown while serving a request into the public error description. Only
 * AppException messages and the texts of 4xx HttpExceptions (Nest's and Fastify's own, such as
 * "Cannot GET /x" or an unreadable JSON body) are ever shown; everything unexpected becomes a
 * generic 500 so no internal detail (AWS error, stack, SDK metadata) can reach a client.
 */
export function describeException(exception: unknown): ErrorDescription {
  if (exception instanceof AppException) {
    return {
      statusCode: exception.getStatus(),
      error: exception.code,
      message: exception.message,
      retryAfterSeconds: exception.retryAfterSeconds,
      details: exception.details,
      extra: exception.extra,
    };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const code = CODE_BY_STATUS[statusCode];
    if (code && statusCode < 500) {
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : exception.message;
      return { statusCode, error: code, message: withoutQuery(message) };
    }
    return { statusCode: 500, error: ErrorCode.INTERNAL_ERROR, message: GENERIC_500 };
  }
  const clientError = clientErrorOf(exception);
  if (clientError) return clientError;
  return { statusCode: 500, error: ErrorCode.INTERNAL_ERROR, message: GENERIC_500 };
}

/**
 * A client error reported by a Fastify plugin the way `http-errors` does (`statusCode` 4xx and
 * `expose: true`), e.g. @fastify/send refusing a path: the status is kept, with a fixed message
 * (theirs may name files). Only statuses the API has codes for; anything else stays a 500. Also
 * a request body cut short by the client.
 */
function clientErrorOf(exception: unknown): ErrorDescription | undefined {
  if (!(exception instanceof Error)) return undefined;
  const {
    statusCode,
    expose,
    code: errno,
  } = exception as {
    statusCode?: unknown;
    expose?: unknown;
    code?: unknown;
  };
  // A body the client stopped sending (it closed the connection): Fastify's body reader marks
  // the stream's error 400. The client's doing, so no 500 and no error-level log line.
  if (statusCode === 400 && (errno === 'ECONNRESET' || exception.message === 'aborted')) {
    return {
      statusCode: 400,
      error: ErrorCode.BAD_REQUEST,
      message: 'The request body could not be read.',
    };
  }
  if (expose !== true || typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) {
    return undefined;
  }
  const code = CODE_BY_STATUS[statusCode];
  return code ? { statusCode, error: code, message: 'The request cannot be served.' } : undefined;
}

/**
 * The router's "Cannot GET /path?query" without its query: the address of a route that does not
 * exist (a callback URL registered with a stray slash...) may carry a code that must not be echoed.
 */
function withoutQuery(message: string): string {
  return /^Cannot [A-Z]+ /.test(message) ? message.split('?')[0] : message;
}
