import { NotFoundException } from '@nestjs/common';
import { AppException } from './app.exception';
import { describeException } from './describe-exception';
import { ErrorCode } from './error-code';

/** An error as the `http-errors` package builds it (used by @fastify/static through @fastify/send). */
function httpError(statusCode: number, message: string, expose = statusCode < 500): Error {
  return Object.assign(new Error(message), { status: statusCode, statusCode, expose });
}

describe(describeException.name, () => {
  it('keeps an AppException as it is, and the text of a 4xx HttpException', () => {
    expect(
      describeException(new AppException(409, ErrorCode.USER_ALREADY_EXISTS, 'Taken.')),
    ).toEqual({ statusCode: 409, error: 'USER_ALREADY_EXISTS', message: 'Taken.' });
    expect(describeException(new NotFoundException('Cannot GET /x'))).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: 'Cannot GET /x',
    });
    // A query may carry a code (a mistyped callback address): never echoed.
    expect(
      describeException(new NotFoundException('Cannot GET /auth/oauth/callback/?code=secret')),
    ).toMatchObject({ message: 'Cannot GET /auth/oauth/callback/' });
  });

  it('answers a plugin’s exposed client error with its status and a fixed message, not a 500', () => {
    expect(describeException(httpError(403, 'Forbidden /etc/passwd'))).toEqual({
      statusCode: 403,
      error: 'FORBIDDEN',
      message: 'The request cannot be served.',
    });
    expect(describeException(httpError(400, 'Bad Request')).statusCode).toBe(400);
  });

  it('answers a body the client stopped sending with 400, not a 500', () => {
    // As Fastify's body reader hands it over when the client closes the connection mid-body.
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(describeException(aborted)).toEqual({
      statusCode: 400,
      error: 'BAD_REQUEST',
      message: 'The request body could not be read.',
    });
  });

  it('keeps anything else a generic 500: unexposed, server-side or unknown statuses, plain errors', () => {
    for (const error of [
      httpError(403, 'hidden', false),
      httpError(502, 'upstream'),
      httpError(418, 'teapot'),
      Object.assign(new Error('db://admin:hunter2'), { statusCode: 400 }),
      new Error('boom'),
      'a string',
    ]) {
      expect(describeException(error)).toEqual({
        statusCode: 500,
        error: 'INTERNAL_ERROR',
        message: 'Something went wrong on our side. Try again later.',
      });
    }
  });
});
