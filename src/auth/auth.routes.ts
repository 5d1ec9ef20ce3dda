import { applyDecorators, Get, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOperation } from '@nestjs/swagger';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { Responds } from '../common/http/responds.decorator';
import { SecurityEvent } from '../common/logging/security-events';
import { Authenticated, BEARER_SCHEME, COOKIE_SCHEME, Public, RateLimited } from '../guard';
import {
  ANSWERED_AT_ONCE,
  CODES_PER_HOUR_429,
  FAILED_ATTEMPTS_429,
  SESSION_BODY_EXAMPLES,
  SIGN_IN_EXAMPLES,
  TOKENS_OR_CHALLENGE,
  VALIDATION_400,
} from './dto/auth.examples';
import { LogoutDto, RefreshDto } from './dto/requests.dto';
import {
  MeResponseDto,
  MessageResponseDto,
  SignUpResponseDto,
  TokensResponseDto,
} from './dto/responses.dto';

/**
 * The routes of AuthController, one decorator each: protection, rate limit and security event,
 * method and path, status, and the Swagger documentation.
 */

/** A step the pool asks for that no client could answer here (CUSTOM_CHALLENGE, ...). */
const UNSUPPORTED_STEP_501 =
  'The user pool asks for a sign-in step this service does not support, e.g. a custom challenge (`NOT_SUPPORTED_UPSTREAM`).';

export const SignUpRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.sign_up'),
    RateLimited({ sendsMessage: true }),
    Post('sign-up'),
    ApiOperation({
      summary: 'Create an account',
      description:
        'Registers the email and password and sends a confirmation code to the email. The ' +
        'password must meet the password policy.',
    }),
    Responds(HttpStatus.CREATED, { type: SignUpResponseDto }),
    ApiErrors({
      400: `${VALIDATION_400} Or the password misses the policy (\`PASSWORD_POLICY\`).`,
      409: 'An account with this email exists (`USER_ALREADY_EXISTS`).',
      429: CODES_PER_HOUR_429,
      ...UPSTREAM_ERRORS,
    }),
  );

export const ConfirmSignUpRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.sign_up_confirm'),
    RateLimited(),
    Post('confirm-sign-up'),
    ApiOperation({
      summary: 'Confirm an account with the emailed code',
      description:
        'A wrong or expired code, an account confirmed already and an unknown email all get the ' +
        'same answer, so it tells nobody which accounts exist or are confirmed.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Confirmed; the user can sign in.' }),
    ApiErrors({
      400: `${VALIDATION_400} Or the code is wrong or expired, or the account is confirmed already (\`CODE_MISMATCH\`, one answer for all).`,
      429: FAILED_ATTEMPTS_429,
      ...UPSTREAM_ERRORS,
    }),
  );

/** Resend and forgot-password: answered at once, whatever the account (see ANSWERED_AT_ONCE). */
const AnsweredAtOnce = (path: string, summary: string, description: string): MethodDecorator =>
  applyDecorators(
    Public(),
    RateLimited({ sendsMessage: true }),
    Post(path),
    ApiOperation({ summary, description }),
    Responds(HttpStatus.ACCEPTED, { type: MessageResponseDto }),
    ApiErrors({ 400: VALIDATION_400, 429: CODES_PER_HOUR_429 }),
  );

export const ResendConfirmationCodeRoute = (): MethodDecorator =>
  AnsweredAtOnce(
    'resend-confirmation-code',
    'Send the confirmation code again',
    `${ANSWERED_AT_ONCE} A new sign-up code goes to an unconfirmed account; the previous one stops working.`,
  );

export const LoginRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.login'),
    RateLimited({ perAccount: false }),
    Post('login'),
    ApiOperation({
      summary: 'Sign in with email and password',
      description:
        'Answers tokens, or the next step Cognito asks for (`nextStep`, e.g. NEW_PASSWORD_REQUIRED ' +
        'or SOFTWARE_TOKEN_MFA) with a `session`. Tokens go in the body and/or httpOnly cookies as ' +
        'TOKEN_DELIVERY says; with cookies, Swagger UI requests are then signed in too.',
    }),
    Responds(HttpStatus.OK, {
      description: 'Signed in (tokens), or another step is needed (challenge).',
      schema: TOKENS_OR_CHALLENGE,
      examples: SIGN_IN_EXAMPLES,
    }),
    ApiErrors({
      400: VALIDATION_400,
      401: 'Wrong email or password, or no such account: one answer for all (`INVALID_CREDENTIALS`).',
      403: 'Not confirmed (`USER_NOT_CONFIRMED`) or a reset is required (`PASSWORD_RESET_REQUIRED`).',
      429: 'Too many requests from this address, or too many wrong passwords for this account (`TOO_MANY_REQUESTS`).',
      501: UNSUPPORTED_STEP_501,
      ...UPSTREAM_ERRORS,
    }),
  );

export const ChallengeRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.challenge'),
    RateLimited(),
    Post('challenge'),
    ApiOperation({
      summary: 'Answer the step a login asked for',
      description:
        'Send the `email`, the `nextStep` and `session` from the previous answer, and the field the ' +
        'step needs: NEW_PASSWORD_REQUIRED `newPassword` (+ `attributes` Cognito requires); ' +
        'SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP `code`; SELECT_MFA_TYPE `mfaType`; MFA_SETUP ' +
        'the `code` from the authenticator set up with `secretCode` / `otpauthUri`. Answers tokens ' +
        '(and cookies), or the next step. The session is checked first, before any call to ' +
        'Cognito: it must be one this service issued for this email and this step, within its ' +
        'lifetime (3 minutes by default), not answered yet. A wrong code may be corrected with ' +
        'the same session.',
    }),
    Responds(HttpStatus.OK, {
      description: 'Signed in (tokens), or another step.',
      schema: TOKENS_OR_CHALLENGE,
    }),
    ApiErrors({
      400: `${VALIDATION_400} Or a wrong code (\`CODE_MISMATCH\`), or a new password that misses the policy (\`PASSWORD_POLICY\`).`,
      401:
        'The session was not issued by this service for this email and step, has expired, or ' +
        'was answered already (`INVALID_SESSION`): sign in again.',
      429: FAILED_ATTEMPTS_429,
      501: UNSUPPORTED_STEP_501,
      ...UPSTREAM_ERRORS,
    }),
  );

export const RefreshRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.refresh'),
    RateLimited(),
    Post('refresh'),
    ApiOperation({
      summary: 'Get new tokens with the refresh token',
      description:
        'Takes the refresh token from the body or from its cookie. When the app client has a ' +
        'secret, Cognito also needs the Cognito username (the `username` claim): send it as ' +
        '`username`, or let the cookie session or the old access token provide it.',
    }),
    ApiBody({ type: RefreshDto, examples: SESSION_BODY_EXAMPLES, required: false }),
    Responds(HttpStatus.OK, { type: TokensResponseDto }),
    ApiErrors({
      400: `${VALIDATION_400} Or the username is needed (\`USERNAME_REQUIRED\`).`,
      401: 'No refresh token (`REFRESH_TOKEN_REQUIRED`), or it is invalid, expired or revoked (`INVALID_REFRESH_TOKEN`).',
      429: 'Too many requests (`TOO_MANY_REQUESTS`).',
      ...UPSTREAM_ERRORS,
    }),
  );

/**
 * A route that ends a session (this logout, the federated one): public, yet it takes the
 * session's tokens when they are sent (cookies or a bearer token), in the body Swagger UI
 * pre-fills empty.
 */
export const EndsSession = (): MethodDecorator =>
  applyDecorators(
    Public(),
    ApiCookieAuth(COOKIE_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    SecurityEvent('auth.logout'),
    RateLimited(),
    Post('logout'),
    ApiBody({ type: LogoutDto, examples: SESSION_BODY_EXAMPLES, required: false }),
  );

export const LogoutRoute = (): MethodDecorator =>
  applyDecorators(
    EndsSession(),
    ApiOperation({
      summary: 'Sign out',
      description:
        "Revokes every refresh token it is given (the body's and the cookie's), signs the user " +
        'out of every device when an access token is sent (an expired one is ignored), refuses ' +
        'that access token from now on, and clears the session cookies. When Cognito cannot be ' +
        'reached, the session still ends here (the refresh tokens are refused by this API) and the ' +
        'answer is still 204. Logging out twice is not an error. Browsers send an empty body.',
    }),
    Responds(HttpStatus.NO_CONTENT, {
      description: 'Signed out; session cookies cleared (Max-Age=0).',
    }),
    ApiErrors({
      400: VALIDATION_400,
      429: 'Too many requests from this address (`TOO_MANY_REQUESTS`).',
    }),
  );

export const ForgotPasswordRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('auth.password_reset_request'),
    AnsweredAtOnce('forgot-password', 'Send a password reset code', ANSWERED_AT_ONCE),
  );

export const ConfirmForgotPasswordRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.password_reset'),
    RateLimited(),
    Post('confirm-forgot-password'),
    ApiOperation({
      summary: 'Set a new password with the reset code',
      description: 'Every existing session of the account ends.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'The password is changed; sign in with it.' }),
    ApiErrors({
      400: `${VALIDATION_400} Or a wrong or expired code (\`CODE_MISMATCH\`, \`CODE_EXPIRED\`), or the password misses the policy (\`PASSWORD_POLICY\`).`,
      429: FAILED_ATTEMPTS_429,
      ...UPSTREAM_ERRORS,
    }),
  );

/*
 * On the two signed-in routes, Authenticated() comes after ApiErrors: both document a 503, and
 * Swagger joins the descriptions of one status in the order the decorators apply.
 */

export const ChangePasswordRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('auth.password_change'),
    RateLimited(),
    Post('change-password'),
    ApiOperation({
      summary: "Change the signed-in user's password",
      description:
        'Every session of the user ends, this one included (its cookies are cleared): sign in ' +
        'again with the new password. Access tokens issued before are refused at once.',
    }),
    Responds(HttpStatus.NO_CONTENT, {
      description: 'The password is changed; every session has ended.',
    }),
    ApiErrors({
      400: `${VALIDATION_400} Or the current password is wrong (\`INCORRECT_PASSWORD\`, \`PASSWORD_CHANGE_REJECTED\`), or the new one misses the policy (\`PASSWORD_POLICY\`).`,
      429: 'Too many requests, or too many wrong passwords for this account (`TOO_MANY_REQUESTS`).',
      ...UPSTREAM_ERRORS,
    }),
    Authenticated(),
  );

export const MeRoute = (): MethodDecorator =>
  applyDecorators(
    Get('me'),
    ApiOperation({
      summary: 'The signed-in user',
      description: 'Attributes from Cognito (GetUser); groups from the verified access token.',
    }),
    Responds(HttpStatus.OK, { type: MeResponseDto }),
    ApiErrors(UPSTREAM_ERRORS),
    Authenticated(),
  );
