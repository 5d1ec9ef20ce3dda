import { applyDecorators, Delete, Get, HttpStatus, Patch, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { Responds } from '../common/http/responds.decorator';
import { SecurityEvent } from '../common/logging/security-events';
import { changesContact, RateLimited } from '../guard';
import {
  ATTRIBUTE_PARAM,
  MESSAGE_LIMIT,
  MFA_EXAMPLES,
  PASSWORD_REQUIRED_ERRORS,
  REAUTHENTICATION_EXAMPLES,
  UPDATE_EXAMPLES,
  VALIDATION_400,
  WRONG_PASSWORDS,
} from './dto/account.examples';
import {
  AccountResponseDto,
  AttributesUpdatedDto,
  CodeSentDto,
  MfaPreferenceDto,
  MfaSettingsDto,
  PasswordConfirmationDto,
  TotpSetupDto,
  UpdateAccountDto,
} from './dto/account.dto';

/**
 * The routes of AccountController, one decorator each: rate limit and security event, method and
 * path, status, and the Swagger documentation. Every route needs a signed-in user (the
 * controller's `@Authenticated()`).
 */

export const GetAccountRoute = (): MethodDecorator =>
  applyDecorators(
    Get(),
    ApiOperation({ summary: 'The signed-in user’s account: attributes, groups, MFA' }),
    Responds(HttpStatus.OK, { type: AccountResponseDto }),
    ApiErrors(UPSTREAM_ERRORS),
  );

export const UpdateAccountRoute = (): MethodDecorator =>
  applyDecorators(
    RateLimited({ sendsMessage: changesContact }),
    Patch(),
    ApiOperation({
      summary: 'Change attributes',
      description:
        'Only standard profile attributes and the configured custom: attributes; `sub`, ' +
        '`email_verified` and the like are refused. A new email is normalised and checked like ' +
        'sign-up’s, and takes effect only once verified: the code goes to the new address ' +
        '(`codeDelivery`, masked), and until `POST /account/attributes/email/verify` confirms it ' +
        'the account keeps its old email, which GET /account shows and which still signs in; the ' +
        'new address does not sign in yet and stays free for whoever owns it. A new email or phone ' +
        'number also needs the current `password` in the body, ' +
        'and counts against the account’s hourly message budget.',
    }),
    ApiBody({ type: UpdateAccountDto, examples: UPDATE_EXAMPLES }),
    Responds(HttpStatus.OK, { type: AttributesUpdatedDto }),
    ApiErrors({
      400: `${VALIDATION_400} Or an email that is refused (\`VALIDATION_FAILED\`), or an attribute that cannot be changed here (\`ATTRIBUTE_NOT_ALLOWED\`), or a wrong password (\`INCORRECT_PASSWORD\`).`,
      403: 'A new email or phone number without the current password (`REAUTHENTICATION_REQUIRED`).',
      409: 'The email belongs to another account (`USER_ALREADY_EXISTS`).',
      429: `${MESSAGE_LIMIT.slice(0, -1)}, or too many wrong passwords for this account.`,
      ...UPSTREAM_ERRORS,
    }),
  );

export const SendVerificationCodeRoute = (): MethodDecorator =>
  applyDecorators(
    RateLimited({ sendsMessage: true }),
    Post('attributes/:name/verification-code'),
    ApiParam(ATTRIBUTE_PARAM),
    ApiOperation({
      summary: 'Send a code to verify the email or phone number',
      description: 'Counts against the account’s hourly message budget (RATE_LIMIT_MESSAGES).',
    }),
    Responds(HttpStatus.ACCEPTED, { type: CodeSentDto }),
    ApiErrors({
      400: 'Not a verifiable attribute (`ATTRIBUTE_NOT_ALLOWED`).',
      429: MESSAGE_LIMIT,
      ...UPSTREAM_ERRORS,
    }),
  );

export const VerifyAttributeRoute = (): MethodDecorator =>
  applyDecorators(
    RateLimited(),
    Post('attributes/:name/verify'),
    ApiParam(ATTRIBUTE_PARAM),
    ApiOperation({
      summary: 'Verify the email or phone number with the code',
      description: 'For a new email, this is when it replaces the old one.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Verified.' }),
    ApiErrors({
      400: 'A wrong or expired code (`CODE_MISMATCH`, `CODE_EXPIRED`), or not a verifiable attribute (`ATTRIBUTE_NOT_ALLOWED`).',
      409: 'Another account signs in with the new email by now (`USER_ALREADY_EXISTS`); the old one stays.',
      429: 'Too many attempts (`TOO_MANY_FAILED_ATTEMPTS`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const StartTotpRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('account.mfa_enroll'),
    RateLimited(),
    Post('mfa/totp'),
    ApiOperation({
      summary: 'Start setting up an authenticator app',
      description:
        'Answers the secret, an otpauth:// URI and a QR code; confirm with /account/mfa/totp/verify. ' +
        'The body carries the current `password` (the same rule as turning MFA on or off): an ' +
        'access token alone cannot put a new authenticator on the account. When MFA is on, the ' +
        'new one replaces the current one.',
    }),
    // The password is needed here (403 `REAUTHENTICATION_REQUIRED` without): shown as required.
    ApiBody({ type: PasswordConfirmationDto, examples: REAUTHENTICATION_EXAMPLES }),
    Responds(HttpStatus.OK, { type: TotpSetupDto }),
    ApiErrors({
      400: 'A wrong password (`INCORRECT_PASSWORD`).',
      ...PASSWORD_REQUIRED_ERRORS,
    }),
  );

export const VerifyTotpRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('account.mfa_change'),
    RateLimited(),
    Post('mfa/totp/verify'),
    ApiOperation({ summary: 'Confirm the authenticator app with a code from it' }),
    Responds(HttpStatus.NO_CONTENT, {
      description: 'The authenticator is set up; turn it on with PUT /account/mfa.',
    }),
    ApiErrors({
      400: 'A wrong code (`CODE_MISMATCH`).',
      429: 'Too many attempts (`TOO_MANY_REQUESTS`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const SetMfaRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('account.mfa_change'),
    RateLimited(),
    Put('mfa'),
    ApiOperation({
      summary: 'Turn the authenticator app requirement on or off',
      description:
        'Turning it on or off needs the current `password`, however recent the sign-in: an access ' +
        'token alone is not enough (a thief could turn it on with an authenticator of their own, ' +
        'or off). An authenticator code is no proof: the token alone can register one at Cognito.',
    }),
    ApiBody({ type: MfaPreferenceDto, examples: MFA_EXAMPLES }),
    Responds(HttpStatus.OK, { type: MfaSettingsDto }),
    ApiErrors({
      400: 'No authenticator set up (`MFA_NOT_SET_UP`), or a wrong password (`INCORRECT_PASSWORD`).',
      ...PASSWORD_REQUIRED_ERRORS,
    }),
  );

export const DeleteAccountRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('account.delete'),
    RateLimited(),
    Delete(),
    ApiOperation({
      summary: 'Delete the account',
      description:
        'Needs the current password. The session ends and the cookies are cleared; the user’s synced ' +
        'datasets (/sync) are deleted with the account.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Deleted.' }),
    ApiErrors({
      400: 'A wrong password (`INCORRECT_PASSWORD`).',
      429: WRONG_PASSWORDS,
      ...UPSTREAM_ERRORS,
    }),
  );
