import { getSchemaPath } from '@nestjs/swagger';
import { ChallengeResponseDto, TokensResponseDto } from './responses.dto';

/**
 * What Swagger shows of the auth routes beyond the DTOs' own properties: request and answer
 * examples, and the descriptions several routes share.
 */

export const VALIDATION_400 =
  'The body is invalid (`VALIDATION_FAILED`, with `details` per field).';

export const CODES_PER_HOUR_429 =
  'Too many requests, or too many codes to this email this hour (`TOO_MANY_REQUESTS`).';

export const FAILED_ATTEMPTS_429 =
  'Too many attempts (`TOO_MANY_FAILED_ATTEMPTS`, `TOO_MANY_REQUESTS`).';

export const ANSWERED_AT_ONCE =
  'Answers 202 at once, the same whether or not the account exists, and asks Cognito after ' +
  'the answer has gone, so its timing reveals nothing either. Cognito failures are logged, not ' +
  'answered.';

/** A sign-in's answer: tokens, or the next step (both models are registered on the controller). */
export const TOKENS_OR_CHALLENGE = {
  oneOf: [
    { $ref: getSchemaPath(TokensResponseDto) },
    { $ref: getSchemaPath(ChallengeResponseDto) },
  ],
};

const SESSION = 'AfhQf0Xz3m0k1n7cVxkq2A...';

/**
 * Request bodies of refresh and logout. The first example is what Swagger UI pre-fills: an empty
 * body, so a cookie session is used as it is (a pre-filled token would replace the cookie's).
 */
export const SESSION_BODY_EXAMPLES = {
  cookie: { summary: 'Cookie session (browsers): empty body', value: {} },
  bearer: {
    summary: 'Bearer client: the refresh token from sign-in',
    value: { refreshToken: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ...' },
  },
};

/** One example per answer a sign-in can get: tokens, or each step Cognito may ask for. */
export const SIGN_IN_EXAMPLES = {
  tokens: {
    summary: 'Signed in',
    value: {
      accessToken: 'eyJraWQiOiJ...',
      idToken: 'eyJraWQiOiJ...',
      refreshToken: 'eyJjdHkiOiJ...',
      expiresIn: 3600,
      tokenType: 'Bearer',
    },
  },
  NEW_PASSWORD_REQUIRED: {
    summary: 'Invited user: set a new password',
    value: {
      nextStep: 'NEW_PASSWORD_REQUIRED',
      session: SESSION,
      parameters: { requiredAttributes: '[]' },
    },
  },
  SOFTWARE_TOKEN_MFA: {
    summary: 'Enter the authenticator code',
    value: {
      nextStep: 'SOFTWARE_TOKEN_MFA',
      session: SESSION,
      parameters: { FRIENDLY_DEVICE_NAME: 'Phone' },
    },
  },
  SMS_MFA: {
    summary: 'Enter the code sent by SMS',
    value: {
      nextStep: 'SMS_MFA',
      session: SESSION,
      parameters: {
        CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS',
        CODE_DELIVERY_DESTINATION: '+*******0100',
      },
    },
  },
  EMAIL_OTP: {
    summary: 'Enter the code sent by email',
    value: {
      nextStep: 'EMAIL_OTP',
      session: SESSION,
      parameters: {
        CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL',
        CODE_DELIVERY_DESTINATION: 'a***@e***.com',
      },
    },
  },
  SELECT_MFA_TYPE: {
    summary: 'Choose how to receive a code',
    value: {
      nextStep: 'SELECT_MFA_TYPE',
      session: SESSION,
      parameters: { MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]' },
    },
  },
  MFA_SETUP: {
    summary: 'Set up an authenticator app first',
    value: {
      nextStep: 'MFA_SETUP',
      session: SESSION,
      parameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
      secretCode: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      otpauthUri:
        'otpauth://totp/nest-cognito-auth:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=nest-cognito-auth',
    },
  },
};
