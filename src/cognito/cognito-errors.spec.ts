import { AppException } from '../common/errors/app.exception';
import {
  COGNITO_ERROR_TABLE,
  isUnsupportedOperation,
  mapCognitoError,
  toAppException,
} from './cognito-errors';

/** An error shaped like the SDK's service exceptions. */
function sdkError(name: string, message = 'AWS says something internal', status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'aws-req-1' },
  });
}

describe('Cognito error mapping', () => {
  it.each([
    ['NotAuthorizedException', 401, 'INVALID_CREDENTIALS'],
    ['InvalidPasswordException', 400, 'PASSWORD_POLICY'],
    ['UsernameExistsException', 409, 'USER_ALREADY_EXISTS'],
    ['UserNotConfirmedException', 403, 'USER_NOT_CONFIRMED'],
    ['UserNotFoundException', 404, 'USER_NOT_FOUND'],
    ['CodeMismatchException', 400, 'CODE_MISMATCH'],
    ['ExpiredCodeException', 400, 'CODE_EXPIRED'],
    ['InvalidParameterException', 400, 'INVALID_PARAMETER'],
    ['LimitExceededException', 429, 'TOO_MANY_REQUESTS'],
    ['TooManyRequestsException', 429, 'TOO_MANY_REQUESTS'],
    ['TooManyFailedAttemptsException', 429, 'TOO_MANY_FAILED_ATTEMPTS'],
    ['PasswordResetRequiredException', 403, 'PASSWORD_RESET_REQUIRED'],
    ['CodeDeliveryFailureException', 502, 'CODE_DELIVERY_FAILED'],
    ['InternalErrorException', 503, 'UPSTREAM_UNAVAILABLE'],
    ['Unsupported', 501, 'NOT_SUPPORTED_UPSTREAM'],
  ])('maps %s to %i %s', (name, status, code) => {
    const mapped = mapCognitoError(sdkError(name));
    expect(mapped).toMatchObject({ status, code });
  });

  it('never passes on the AWS message', () => {
    for (const name of Object.keys(COGNITO_ERROR_TABLE)) {
      expect(mapCognitoError(sdkError(name, 'secret internal detail')).message).not.toContain(
        'secret internal detail',
      );
    }
  });

  it('answers throttling with a Retry-After hint', () => {
    expect(mapCognitoError(sdkError('TooManyRequestsException')).retryAfterSeconds).toBeGreaterThan(
      0,
    );
    expect(mapCognitoError(sdkError('LimitExceededException')).retryAfterSeconds).toBeGreaterThan(
      0,
    );
  });

  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: {} }),
    ],
    [
      'a reset connection',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} }),
    ],
    [
      'an SDK timeout',
      Object.assign(new Error('timed out'), { name: 'TimeoutError', $metadata: {} }),
    ],
    ['a DNS failure', Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' })],
    [
      'a transport error without an HTTP status',
      Object.assign(new Error('boom'), { $metadata: { attempts: 3 } }),
    ],
  ])('maps %s to 503 UPSTREAM_UNAVAILABLE with Retry-After', (_, error) => {
    expect(mapCognitoError(error)).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfterSeconds: expect.any(Number),
    });
  });

  /** What the SDK throws for an answer it could not read as JSON: a parse error, with the answer. */
  function unreadable(status: number, contentType: string): Error {
    return Object.assign(new SyntaxError(`Unexpected token '<'`), {
      $metadata: { httpStatusCode: status },
      $response: { statusCode: status, headers: { 'Content-Type': contentType } },
    });
  }

  it.each([
    ["cognito-local's Unsupported (HTTP 500)", sdkError('Unsupported', 'unsupported', 500)],
    ['an HTTP 501 of any name', sdkError('InternalFailure', 'not yet implemented', 501)],
    ["another emulator's HTML page with HTTP 500", unreadable(500, 'text/html; charset=utf-8')],
  ])('maps %s to 501 NOT_SUPPORTED_UPSTREAM', (_, error) => {
    expect(isUnsupportedOperation(error)).toBe(true);
    expect(mapCognitoError(error)).toEqual({
      status: 501,
      code: 'NOT_SUPPORTED_UPSTREAM',
      message: 'The configured Cognito endpoint does not support this operation.',
    });
  });

  it.each([
    ["Cognito's own JSON 500", sdkError('InternalErrorException', 'oops', 500)],
    ["a proxy's HTML 502", unreadable(502, 'text/html')],
    ['an unreadable 500 that is not HTML', unreadable(500, 'text/plain')],
  ])('does not take %s for an unsupported operation', (_, error) => {
    expect(isUnsupportedOperation(error)).toBe(false);
    expect(mapCognitoError(error).code).not.toBe('NOT_SUPPORTED_UPSTREAM');
  });

  it('maps an unknown Cognito exception to a generic 502', () => {
    expect(mapCognitoError(sdkError('SomethingNewException', 'detail', 400))).toEqual({
      status: 502,
      code: 'UPSTREAM_ERROR',
      message: 'The identity service returned an unexpected error.',
    });
  });

  it('lets an operation override a row', () => {
    const override = { status: 401, code: 'INVALID_REFRESH_TOKEN' as const, message: 'x' };
    expect(
      mapCognitoError(sdkError('NotAuthorizedException'), { NotAuthorizedException: override }),
    ).toBe(override);
  });

  it('keeps the SDK error as the cause of the AppException, out of its message', () => {
    const error = sdkError('CodeMismatchException', 'Invalid verification code provided');
    const exception = toAppException(error);
    expect(exception).toBeInstanceOf(AppException);
    expect(exception.getStatus()).toBe(400);
    expect(exception.code).toBe('CODE_MISMATCH');
    expect(exception.cause).toBe(error);
    expect(exception.message).toBe('The code is incorrect.');
  });
});
