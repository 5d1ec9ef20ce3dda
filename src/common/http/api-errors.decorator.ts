import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code';
import { ErrorResponseDto } from '../errors/error-response.dto';

/** A typical message per code, for the examples Swagger UI shows. */
const SAMPLE_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'email must be an email address',
  BAD_REQUEST: "Body is not valid JSON but content-type is set to 'application/json'",
  HEADERS_TOO_LARGE: 'The request headers are too large.',
  REQUEST_TIMEOUT: 'The request took too long to arrive.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as application/json.',
  PAYLOAD_TOO_LARGE: 'Request body is too large',
  NOT_FOUND: 'Cannot GET /auth/nothing',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  UNAUTHORIZED: 'An access token is required.',
  FORBIDDEN: 'You are not allowed to do this.',
  CSRF_REJECTED:
    'Send the __Host-XSRF-TOKEN cookie value in the X-XSRF-TOKEN header, or use a bearer token.',
  INVALID_CREDENTIALS: 'Incorrect email or password.',
  INCORRECT_PASSWORD: 'The current password is incorrect.',
  PASSWORD_CHANGE_REJECTED:
    'The password change was refused: check the current password, and do not reuse a recent one.',
  INVALID_REFRESH_TOKEN: 'The refresh token is invalid, expired or revoked. Sign in again.',
  INVALID_SESSION: 'The sign-in session is invalid or has expired. Sign in again.',
  REAUTHENTICATION_REQUIRED: 'Confirm with your current password.',
  GROUP_ALREADY_EXISTS: 'A group with this name exists already.',
  GROUP_NOT_FOUND: 'No such group.',
  MFA_NOT_SET_UP: 'Set up an authenticator app first.',
  PROVIDER_NOT_FOUND: 'The user pool has no such identity provider.',
  IDENTITY_NOT_LINKED: 'This identity is not linked to the user.',
  IDENTITY_ALREADY_LINKED: 'This identity is linked to another user already.',
  IDENTITY_LINK_LIMIT: 'The user has the most linked identities allowed (5).',
  INVALID_USER_STATE: 'The user is not in a state that allows this.',
  FEDERATION_NOT_CONFIGURED: 'Sign-in with a provider is not set up on this service.',
  PROVIDER_NOT_OFFERED: 'provider must be one of GET /auth/oauth/providers.',
  RETURN_TO_NOT_ALLOWED:
    'returnTo must be a path of this site (/account) or an address on OAUTH_RETURN_ORIGINS.',
  OAUTH_STATE_INVALID:
    'This sign-in was not started here, was completed already, or took too long. Sign in again.',
  OAUTH_PROVIDER_ERROR: 'The provider did not sign you in (access_denied). Sign in again.',
  OAUTH_CALLBACK_INVALID:
    'The sign-in could not be completed: its code is invalid, used or expired, or its answer did not check out. Sign in again.',
  LOGIN_CODE_INVALID: 'The login code is invalid, used or expired, or the verifier does not match.',
  IDENTITY_POOL_NOT_CONFIGURED: 'AWS credentials are not set up on this service.',
  ID_TOKEN_REQUIRED: 'Send the ID token of this sign-in in the body, or sign in again.',
  ID_TOKEN_INVALID:
    'The ID token is invalid, expired or revoked, or is not of this sign-in. Sign in again.',
  ROLE_NOT_ALLOWED: 'roleArn must be one of the roles in the ID token (cognito:roles).',
  GUESTS_NOT_ALLOWED: 'Guest credentials are not offered.',
  IDENTITY_CONFLICT: 'This sign-in is linked to another identity of the identity pool.',
  SYNC_CONFLICT:
    'The dataset changed since syncCount 4: merge the records in conflict.records, then retry with conflict.syncCount.',
  DATASET_NOT_FOUND: 'No such dataset.',
  SYNC_TOO_MANY_DATASETS: 'A user has at most 20 datasets. Delete one first.',
  SYNC_TOO_MANY_RECORDS: 'A dataset holds at most 1024 records.',
  SYNC_DATASET_TOO_LARGE: 'A dataset holds at most 1 MB of keys and values.',
  ATTRIBUTE_NOT_ALLOWED: 'These attributes cannot be changed here: email_verified.',
  REFRESH_TOKEN_REQUIRED: 'Send the refresh token in the body, or sign in again.',
  USERNAME_REQUIRED: 'Send the username claim of your access token with the refresh token.',
  USER_NOT_CONFIRMED: 'The account is not confirmed yet. Enter the code that was sent to you.',
  ALREADY_CONFIRMED: 'The account is already confirmed. Sign in instead.',
  USER_NOT_FOUND: 'No such user.',
  USER_ALREADY_EXISTS: 'An account with this email already exists.',
  PASSWORD_POLICY: 'The password must have an uppercase letter, a symbol.',
  PASSWORD_RESET_REQUIRED: 'A password reset is required. Use the forgot-password flow.',
  CODE_MISMATCH: 'The code is incorrect.',
  CODE_EXPIRED: 'The code has expired. Request a new one.',
  CODE_DELIVERY_FAILED: 'The code could not be delivered. Try again later.',
  INVALID_PARAMETER: 'The identity service refused the request parameters.',
  TOO_MANY_REQUESTS: 'Too many requests. Wait a moment and try again.',
  TOO_MANY_FAILED_ATTEMPTS: 'Too many failed attempts. Wait before trying again.',
  NOT_SUPPORTED_UPSTREAM: 'The configured Cognito endpoint does not support this operation.',
  UPSTREAM_UNAVAILABLE: 'The identity service is unavailable. Try again shortly.',
  UPSTREAM_ERROR: 'The identity service returned an unexpected error.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again later.',
};

const CODES = new Set<string>(Object.values(ErrorCode));

function example(status: number, code: ErrorCode): ErrorResponseDto {
  return {
    statusCode: status,
    error: code,
    message: SAMPLE_MESSAGES[code],
    requestId: '5f0c2b1e-8f5e-4a55-9f1e-2f0d6c1b7a3e',
    ...(code === ErrorCode.VALIDATION_FAILED
      ? { details: [{ field: 'email', messages: [SAMPLE_MESSAGES[code]] }] }
      : {}),
    ...(code === ErrorCode.SYNC_CONFLICT
      ? {
          conflict: {
            name: 'settings',
            syncCount: 5,
            records: [
              {
                key: 'theme',
                value: 'light',
                syncCount: 5,
                lastModified: '2026-11-30T09:15:01.000Z',
                deleted: false,
              },
            ],
          },
        }
      : {}),
  };
}

/**
 * One documented error answer in the error body, with an example for each code that the
 * description names in backticks (`CODE_MISMATCH`), so Swagger UI shows what a client will get.
 */
export function ApiErrorResponse(
  status: number,
  description: string,
): MethodDecorator & ClassDecorator {
  const codes = [...description.matchAll(/`([A-Z_]+)`/g)]
    .map((match) => match[1])
    .filter((code): code is ErrorCode => CODES.has(code));
  if (codes.length === 0) {
    throw new Error(`The documentation of a ${status} answer must name its code: ${description}`);
  }
  return ApiResponse({
    status,
    description,
    type: ErrorResponseDto,
    examples: Object.fromEntries(
      codes.map((code) => [code, { summary: code, value: example(status, code) }]),
    ),
  });
}

/** Documents a route's error answers: `@ApiErrors({ 409: 'Already exists (`USER_ALREADY_EXISTS`).' })`. */
export function ApiErrors(responses: Partial<Record<number, string>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(responses).map(([status, description]) =>
      ApiErrorResponse(Number(status), description ?? ''),
    ),
  );
}

/** The upstream answers every route that calls Cognito can give. */
export const UPSTREAM_ERRORS = {
  502: 'Cognito answered with an unexpected error (`UPSTREAM_ERROR`).',
  503: 'Cognito is unreachable (`UPSTREAM_UNAVAILABLE`, with `Retry-After`).',
} as const;
