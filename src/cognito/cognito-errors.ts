import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';

export interface MappedError {
  status: number;
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
}

const UNAVAILABLE: MappedError = {
  status: HttpStatus.SERVICE_UNAVAILABLE,
  code: ErrorCode.UPSTREAM_UNAVAILABLE,
  message: 'The identity service is unavailable. Try again shortly.',
  retryAfterSeconds: 5,
};

const THROTTLED: MappedError = {
  status: HttpStatus.TOO_MANY_REQUESTS,
  code: ErrorCode.TOO_MANY_REQUESTS,
  message: 'Too many requests. Wait a moment and try again.',
  retryAfterSeconds: 30,
};

const NOT_SUPPORTED: MappedError = {
  status: HttpStatus.NOT_IMPLEMENTED,
  code: ErrorCode.NOT_SUPPORTED_UPSTREAM,
  message: 'The configured Cognito endpoint does not support this operation.',
};

/**
 * Every Cognito exception the service knows, by its name, with the answer a client gets. Messages
 * are fixed here: Cognito's own texts never reach a client. Operations may override a row where
 * the same exception means something else in their context (see the adapter).
 */
export const COGNITO_ERROR_TABLE: Readonly<Record<string, MappedError>> = {
  NotAuthorizedException: {
    status: HttpStatus.UNAUTHORIZED,
    code: ErrorCode.INVALID_CREDENTIALS,
    message: 'Incorrect email or password.',
  },
  InvalidPasswordException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.PASSWORD_POLICY,
    message: 'The password does not meet the password policy.',
  },
  UsernameExistsException: {
    status: HttpStatus.CONFLICT,
    code: ErrorCode.USER_ALREADY_EXISTS,
    message: 'An account with this email already exists.',
  },
  AliasExistsException: {
    status: HttpStatus.CONFLICT,
    code: ErrorCode.USER_ALREADY_EXISTS,
    message: 'An account with this email already exists.',
  },
  UserNotConfirmedException: {
    status: HttpStatus.FORBIDDEN,
    code: ErrorCode.USER_NOT_CONFIRMED,
    message: 'The account is not confirmed yet. Enter the code that was sent to you.',
  },
  UserNotFoundException: {
    status: HttpStatus.NOT_FOUND,
    code: ErrorCode.USER_NOT_FOUND,
    message: 'No such user.',
  },
  CodeMismatchException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.CODE_MISMATCH,
    message: 'The code is incorrect.',
  },
  ExpiredCodeException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.CODE_EXPIRED,
    message: 'The code has expired. Request a new one.',
  },
  InvalidParameterException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.INVALID_PARAMETER,
    message: 'The identity service refused the request parameters.',
  },
  LimitExceededException: THROTTLED,
  TooManyRequestsException: THROTTLED,
  TooManyFailedAttemptsException: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    code: ErrorCode.TOO_MANY_FAILED_ATTEMPTS,
    message: 'Too many failed attempts. Wait before trying again.',
    retryAfterSeconds: 60,
  },
  PasswordResetRequiredException: {
    status: HttpStatus.FORBIDDEN,
    code: ErrorCode.PASSWORD_RESET_REQUIRED,
    message: 'A password reset is required. Use the forgot-password flow.',
  },
  CodeDeliveryFailureException: {
    status: HttpStatus.BAD_GATEWAY,
    code: ErrorCode.CODE_DELIVERY_FAILED,
    message: 'The code could not be delivered. Try again later.',
  },
  GroupExistsException: {
    status: HttpStatus.CONFLICT,
    code: ErrorCode.GROUP_ALREADY_EXISTS,
    message: 'A group with this name exists already.',
  },
  SoftwareTokenMFANotFoundException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.MFA_NOT_SET_UP,
    message: 'Set up an authenticator app first.',
  },
  UnsupportedUserStateException: {
    status: HttpStatus.CONFLICT,
    code: ErrorCode.INVALID_USER_STATE,
    message: 'The user is not in a state that allows this.',
  },
  InternalErrorException: UNAVAILABLE,
  ServiceUnavailableException: UNAVAILABLE,
  // The embedded emulator answers operations it does not implement with `CognitoLocal#Unsupported`.
  Unsupported: NOT_SUPPORTED,
};

/** Per-operation replacements of table rows, by exception name. */
export type Overrides = Readonly<Record<string, MappedError>>;

/** Node and SDK names of failures to reach Cognito at all: refused, reset, timed out, DNS. */
const NETWORK_ERROR_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

const UNKNOWN: MappedError = {
  status: HttpStatus.BAD_GATEWAY,
  code: ErrorCode.UPSTREAM_ERROR,
  message: 'The identity service returned an unexpected error.',
};

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  /** The raw HTTP answer, which the SDK attaches to errors it read from one. */
  $response?: { headers?: Record<string, string | undefined> };
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}

function contentTypeOf(shape: SdkErrorShape): string {
  const headers = shape.$response?.headers ?? {};
  const name = Object.keys(headers).find((header) => header.toLowerCase() === 'content-type');
  return (name ? headers[name] : undefined)?.toLowerCase() ?? '';
}

/**
 * Whether the endpoint said it does not implement the operation: cognito-local's `Unsupported`
 * (HTTP 500), an HTTP 501 (how LocalStack answers what it lacks), or an HTML page with HTTP 500
 * (an emulator whose server failed on an operation it does not know, as moto's does). Amazon
 * Cognito answers none of these (its errors are JSON), and asking again cannot change the
 * answer, so it is neither retried nor reported as an outage.
 */
export function isUnsupportedOperation(error: unknown): boolean {
  const shape = shapeOf(error);
  const status = shape.$metadata?.httpStatusCode;
  return (
    shape.name === 'Unsupported' ||
    status === HttpStatus.NOT_IMPLEMENTED ||
    (status === HttpStatus.INTERNAL_SERVER_ERROR && contentTypeOf(shape).startsWith('text/html'))
  );
}

/** Looks an error thrown by the SDK (or the network below it) up in the table. */
export function mapCognitoError(error: unknown, overrides: Overrides = {}): MappedError {
  const shape = shapeOf(error);
  if (isUnsupportedOperation(error)) return NOT_SUPPORTED;
  const name = shape.name ?? '';
  const row = overrides[name] ?? COGNITO_ERROR_TABLE[name];
  if (row) return row;
  if (NETWORK_ERROR_NAMES.has(name) || (shape.code && NETWORK_ERROR_CODES.has(shape.code))) {
    return UNAVAILABLE;
  }
  // No HTTP status means no answer from Cognito at all (a socket error the SDK passed through).
  if (shape.$metadata && shape.$metadata.httpStatusCode === undefined) {
    return UNAVAILABLE;
  }
  return UNKNOWN;
}

/** The AppException for an SDK failure; the original error stays attached as the cause. */
export function toAppException(error: unknown, overrides?: Overrides): AppException {
  const mapped = mapCognitoError(error, overrides);
  return new AppException(mapped.status, mapped.code, mapped.message, {
    cause: error,
    retryAfterSeconds: mapped.retryAfterSeconds,
  });
}

/** Runs one SDK call, turning any failure into the mapped AppException. */
export async function sendMapped<T>(send: () => Promise<T>, overrides?: Overrides): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toAppException(error, overrides);
  }
}
