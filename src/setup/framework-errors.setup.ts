import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
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
