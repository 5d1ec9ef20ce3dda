import {
  type CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-cognito-identity-provider';
import { HttpStatus, Logger } from '@nestjs/common';
import type { Command } from '@smithy/types';
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

/** An answer the service cannot make sense of (also what an unknown exception becomes). */
const UNKNOWN_ANSWER: MappedError = {
  status: HttpStatus.BAD_GATEWAY,
  code: ErrorCode.UPSTREAM_ERROR,
  message: 'The identity service returned an unexpected error.',
};

const NOT_SUPPORTED: MappedError = {
  status: HttpStatus.NOT_IMPLEMENTED,
  code: ErrorCode.NOT_SUPPORTED_UPSTREAM,
  message: 'The configured Cognito endpoint does not support this operation.',
};

/**
 * Every Cognito exception the service knows, by its name, with the answer a client gets. Messages
 * are fixed here: Cognito's own texts never reach a client. A call may replace a row where the
 * same exception means something else for it (OPERATION_OVERRIDES below).
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
  // Cognito Identity's name for a parameter outside its constraints (a length, a pattern).
  ValidationException: {
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

/** Replacements of table rows, by exception name. */
export type Overrides = Readonly<Record<string, MappedError>>;

const INVALID_REFRESH_TOKEN: MappedError = {
  status: HttpStatus.UNAUTHORIZED,
  code: ErrorCode.INVALID_REFRESH_TOKEN,
  message: 'The refresh token is invalid, expired or revoked. Sign in again.',
};

const INVALID_ACCESS_TOKEN: MappedError = {
  status: HttpStatus.UNAUTHORIZED,
  code: ErrorCode.UNAUTHORIZED,
  message: 'The access token is invalid or has been revoked. Sign in again.',
};

const INVALID_SESSION: MappedError = {
  status: HttpStatus.UNAUTHORIZED,
  code: ErrorCode.INVALID_SESSION,
  message: 'The sign-in session is invalid or has expired. Sign in again.',
};

const CODE_NOT_ACCEPTED: MappedError = {
  status: HttpStatus.BAD_REQUEST,
  code: ErrorCode.CODE_MISMATCH,
  message:
    'The code is incorrect or has expired. Request a new one, or sign in if the account is confirmed already.',
};

/**
 * The identity pool's own set-up is wrong (no role for this kind of identity, a role whose trust
 * policy refuses the pool, an unknown pool): nothing a client can change, so a 500.
 */
const IDENTITY_POOL_MISCONFIGURED: MappedError = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  code: ErrorCode.INTERNAL_ERROR,
  message: 'Something went wrong on our side. Try again later.',
};

/** Rows both identity-pool calls share. */
const IDENTITY_POOL_ROWS = {
  // A provider the pool depends on did not answer.
  ExternalServiceException: UNAVAILABLE,
  InvalidIdentityPoolConfigurationException: IDENTITY_POOL_MISCONFIGURED,
  ResourceNotFoundException: IDENTITY_POOL_MISCONFIGURED,
  ResourceConflictException: {
    status: HttpStatus.CONFLICT,
    code: ErrorCode.IDENTITY_CONFLICT,
    message: 'This sign-in is linked to another identity of the identity pool.',
  },
};

/** Calls made with the user's access token: a refused token is a 401 to sign in again. */
const ACCESS_TOKEN_ROWS = {
  NotAuthorizedException: INVALID_ACCESS_TOKEN,
  UserNotFoundException: INVALID_ACCESS_TOKEN,
};

/** Enrolling an authenticator: a TOTP code it refuses is a wrong code. */
const WRONG_TOTP_CODE_ROW = {
  EnableSoftwareTokenMFAException: COGNITO_ERROR_TABLE.CodeMismatchException,
};

/**
 * The calls for which an exception means something other than its table row says, each with the
 * rows it replaces; an exception a call does not list answers as in the table. Calls with no
 * entry here (sign-up, resending a code, forgot-password, the administrative calls on users) use
 * the table alone.
 */
export const OPERATION_OVERRIDES = {
  /**
   * InitiateAuth with a password: one answer whatever the cause, so none tells whether an account
   * exists. Amazon Cognito says NotAuthorized for a wrong password; emulators may say
   * InvalidPassword or UserNotFound instead.
   */
  signIn: {
    InvalidPasswordException: COGNITO_ERROR_TABLE.NotAuthorizedException,
    UserNotFoundException: COGNITO_ERROR_TABLE.NotAuthorizedException,
  },
  /** InitiateAuth with a refresh token, and RevokeToken. */
  refreshToken: {
    NotAuthorizedException: INVALID_REFRESH_TOKEN,
    UserNotFoundException: INVALID_REFRESH_TOKEN,
    UnsupportedTokenTypeException: INVALID_REFRESH_TOKEN,
  },
  /** Calls made with the user's access token. */
  accessToken: ACCESS_TOKEN_ROWS,
  /** Enrolling an authenticator with the access token: a wrong TOTP code is a wrong code. */
  authenticator: { ...ACCESS_TOKEN_ROWS, ...WRONG_TOTP_CODE_ROW },
  /**
   * ChangePassword. Amazon Cognito answers a wrong current password with NotAuthorized; the
   * emulator with InvalidPassword. The new password has already passed the local policy check, so
   * an InvalidPassword here means a wrong current password or a reused one.
   */
  changePassword: {
    NotAuthorizedException: {
      status: HttpStatus.BAD_REQUEST,
      code: ErrorCode.INCORRECT_PASSWORD,
      message: 'The current password is incorrect.',
    },
    InvalidPasswordException: {
      status: HttpStatus.BAD_REQUEST,
      code: ErrorCode.PASSWORD_CHANGE_REJECTED,
      message:
        'The password change was refused: check the current password, and do not reuse a recent one.',
    },
    UserNotFoundException: ACCESS_TOKEN_ROWS.UserNotFoundException,
  },
  /**
   * A login step (RespondToAuthChallenge, or enrolling an authenticator with the step's session).
   * Its session is short-lived (3 minutes) and single-use.
   */
  signInStep: {
    NotAuthorizedException: INVALID_SESSION,
    ExpiredCodeException: INVALID_SESSION,
    ...WRONG_TOTP_CODE_ROW,
  },
  /**
   * ConfirmSignUp: one answer for a wrong code, an expired one, an account confirmed already and
   * no account at all. Cognito tells them apart (NotAuthorized for a confirmed account,
   * CodeMismatch or ExpiredCode for an unknown one with PreventUserExistenceErrors; the emulator
   * answers an unknown one with NotAuthorized and a confirmed one with ExpiredCode), which would
   * tell anyone which emails have accounts and which are confirmed. The message says what a real
   * user may need.
   */
  confirmSignUp: {
    NotAuthorizedException: CODE_NOT_ACCEPTED,
    UserNotFoundException: CODE_NOT_ACCEPTED,
    CodeMismatchException: CODE_NOT_ACCEPTED,
    ExpiredCodeException: CODE_NOT_ACCEPTED,
  },
  /** ConfirmForgotPassword: a code for an unknown account looks like a wrong code, not "no user". */
  confirmForgotPassword: {
    UserNotFoundException: COGNITO_ERROR_TABLE.CodeMismatchException,
  },
  /**
   * GetId and GetCredentialsForIdentity with a user's ID token (the app has checked the token
   * already, so a refusal is the pool's: a revoked user with ServerSideTokenCheck, a provider the
   * pool does not list, a role the token does not offer).
   */
  identityPool: {
    ...IDENTITY_POOL_ROWS,
    NotAuthorizedException: {
      status: HttpStatus.UNAUTHORIZED,
      code: ErrorCode.ID_TOKEN_INVALID,
      message: 'The identity pool did not accept this sign-in. Sign in again.',
    },
  },
  /** GetId and GetCredentialsForIdentity for a guest: a refusal means the pool has no guests. */
  guestIdentity: {
    ...IDENTITY_POOL_ROWS,
    NotAuthorizedException: {
      status: HttpStatus.FORBIDDEN,
      code: ErrorCode.GUESTS_NOT_ALLOWED,
      message: 'The identity pool does not give credentials to guests, or not to this identity.',
    },
  },
  /**
   * Cognito Sync, called with the app's own AWS credentials for the user's identity. A refusal
   * or an unknown identity pool is the app's set-up (its IAM permissions, COGNITO_IDENTITY_POOL_ID);
   * a sync trigger (Lambda) that fails or is throttled is the pool's. ResourceConflict and
   * LimitExceeded on UpdateRecords, and ResourceNotFound on one dataset, are answered by the
   * adapter itself.
   */
  cognitoSync: {
    NotAuthorizedException: IDENTITY_POOL_MISCONFIGURED,
    ResourceNotFoundException: IDENTITY_POOL_MISCONFIGURED,
    InvalidConfigurationException: IDENTITY_POOL_MISCONFIGURED,
    LambdaThrottledException: THROTTLED,
    InvalidLambdaFunctionOutputException: UNKNOWN_ANSWER,
  },
  /** Administrative calls that name a group. */
  group: {
    ResourceNotFoundException: {
      status: HttpStatus.NOT_FOUND,
      code: ErrorCode.GROUP_NOT_FOUND,
      message: 'No such group.',
    },
  },
  /**
   * AdminLinkProviderForUser and AdminDisableProviderForUser. AliasExists: the identity is linked
   * to another user already; LimitExceeded: the user has 5 linked identities (Cognito's limit, not
   * throttling here); ResourceNotFound: the pool has no identity provider of that name.
   */
  providerLink: {
    AliasExistsException: {
      status: HttpStatus.CONFLICT,
      code: ErrorCode.IDENTITY_ALREADY_LINKED,
      message: 'This identity is linked to another user already.',
    },
    LimitExceededException: {
      status: HttpStatus.CONFLICT,
      code: ErrorCode.IDENTITY_LINK_LIMIT,
      message: 'The user has the most linked identities allowed (5).',
    },
    ResourceNotFoundException: {
      status: HttpStatus.NOT_FOUND,
      code: ErrorCode.PROVIDER_NOT_FOUND,
      message: 'The user pool has no such identity provider.',
    },
  },
} satisfies Record<string, Overrides>;

/** A call whose answers differ from the table's, by its name in OPERATION_OVERRIDES. */
export type CognitoOperation = keyof typeof OPERATION_OVERRIDES;

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
  return UNKNOWN_ANSWER;
}

/** The AppException for an SDK failure; the original error stays attached as the cause. */
export function toAppException(error: unknown, overrides?: Overrides): AppException {
  const mapped = mapCognitoError(error, overrides);
  return new AppException(mapped.status, mapped.code, mapped.message, {
    cause: error,
    retryAfterSeconds: mapped.retryAfterSeconds,
  });
}

const MISCONFIGURED: MappedError = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  code: ErrorCode.INTERNAL_ERROR,
  message: 'Something went wrong on our side. Try again later.',
};

/** Cognito's answer when the SECRET_HASH does not match: the app client secret is wrong. */
function isSecretHashRejection(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'NotAuthorizedException' &&
    /secret hash/i.test(error.message)
  );
}

/** A command of the user pool client, typed by its input and output. */
type CognitoCommand<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Command<
  ServiceInputTypes,
  I,
  ServiceOutputTypes,
  O,
  CognitoIdentityProviderClientResolvedConfig
>;

const logger = new Logger('Cognito');

/**
 * Sends one command. A failure becomes the AppException of its exception's row: the operation's
 * row in OPERATION_OVERRIDES where there is one, else the table's.
 */
export async function sendMapped<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  client: CognitoIdentityProviderClient,
  command: CognitoCommand<I, O>,
  operation?: CognitoOperation,
): Promise<O> {
  try {
    return await client.send(command);
  } catch (error) {
    // A refresh's SECRET_HASH is made from a username the client sends (body, cookie or old
    // token): a rejected one is that client's wrong username, answered as an invalid refresh
    // token, not the app's misconfiguration (which every sign-in would show).
    if (operation !== 'refreshToken' && isSecretHashRejection(error)) {
      // A wrong COGNITO_CLIENT_SECRET would otherwise look like a wrong password to every user.
      logger.error('Cognito rejected the SECRET_HASH: check COGNITO_CLIENT_SECRET');
      throw toAppException(error, { NotAuthorizedException: MISCONFIGURED });
    }
    throw toAppException(error, operation && OPERATION_OVERRIDES[operation]);
  }
}
