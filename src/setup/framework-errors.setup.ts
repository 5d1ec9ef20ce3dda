import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { describeException } from '../common/errors/describe-exception';
import { ErrorCode } from '../common/errors/error-code';
import { sendError } from '../common/errors/send-error';
import type { SetAnswerHeaders } from './security-headers.setup';

/**
 * Fastify's `frameworkErrors` option: a URL Fastify cannot route (a bad percent-encoding such as
 * `/%`, an overlong parameter) is answered before any hook runs; it still gets the one error body
 * and the headers.
 */
export function answerFrameworkErrors(
  setHeaders: SetAnswerHeaders,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    setHeaders(request, reply);
    sendError(
      reply,
      request,
      (error.statusCode ?? 500) < 500
        ? {
            statusCode: 400,
            error: ErrorCode.BAD_REQUEST,
            message: 'The address is not valid.',
          }
        : describeException(error),
    );
  };
}

/** What Node's HTTP parser refused, and the answer each gets. */
const CLIENT_ERRORS: Record<string, { statusCode: number; error: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    statusCode: 431,
    error: ErrorCode.HEADERS_TOO_LARGE,
    message: 'The request headers are too large.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    statusCode: 408,
    error: ErrorCode.REQUEST_TIMEOUT,
    message: 'The request took too long to arrive.',
  },
};

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refuses (headers too large,
 * a malformed request line or header) never becomes a request, and Fastify would answer with a
 * body of its own. This answers the one error body instead, with a request id of its own, then
 * closes the connection as Node does.
 */
export function answerClientErrors(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
  const answer = known ?? {
    statusCode: 400,
    error: ErrorCode.BAD_REQUEST,
    message: 'The request is malformed.',
  };
  const requestId = randomUUID();
  const body = JSON.stringify({ ...answer, requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
