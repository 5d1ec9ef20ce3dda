import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { NoStore } from '../common/http/no-store.decorator';
import {
  AccessToken,
  Authenticated,
  type AuthUser,
  BEARER_SCHEME,
  ClientAddress,
  COOKIE_SCHEME,
  CsrfProtection,
  CurrentUser,
  isCookieAuthenticated,
  Public,
  RateLimited,
  SessionCookies,
} from '../guard';
import { AuthService, subOfToken, usernameOfToken, type LoginResult } from './auth.service';
import {
  ChallengeAnswerDto,
  ChangePasswordDto,
  ConfirmForgotPasswordDto,
  ConfirmSignUpDto,
  EmailDto,
  LoginDto,
  LogoutDto,
  RefreshDto,
  SignUpDto,
} from './dto/requests.dto';
import {
  ChallengeResponseDto,
  MeResponseDto,
  MessageResponseDto,
  SignUpResponseDto,
  TokensResponseDto,
} from './dto/responses.dto';
import { SecurityEvent, SecurityEvents, setEventSubject } from '../common/logging/security-events';

const VALIDATION_400 = 'The body is invalid (`VALIDATION_FAILED`, with `details` per field).';

const ANSWERED_AT_ONCE =
  'Answers 202 at once, the same whether or not the account exists, and asks Cognito after ' +
  'the answer has gone, so its timing reveals nothing either. Cognito failures are logged, not ' +
  'answered.';

const TOKENS_OR_CHALLENGE = {
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
const SESSION_BODY_EXAMPLES = {
  cookie: { summary: 'Cookie session (browsers): empty body', value: {} },
  bearer: {
    summary: 'Bearer client: the refresh token from sign-in',
    value: { refreshToken: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ...' },
  },
};

/** One example per answer a sign-in can get: tokens, or each step Cognito may ask for. */
const SIGN_IN_EXAMPLES = {
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

/** Sign-up and sign-in flows. Every answer is `no-store`: tokens, codes' destinations, the profile. */
@ApiTags('auth')
@ApiExtraModels(TokensResponseDto, ChallengeResponseDto)
@NoStore()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookies: SessionCookies,
    private readonly csrf: CsrfProtection,
    private readonly events: SecurityEvents,
  ) {}

  @Public()
  @SecurityEvent('auth.sign_up')
  @RateLimited({ sendsMessage: true })
  @Post('sign-up')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Create an account',
    description:
      'Registers the email and password and sends a confirmation code to the email. The ' +
      'password must meet the password policy.',
  })
  @ApiCreatedResponse({ type: SignUpResponseDto })
  @ApiErrors({
    400: `${VALIDATION_400} Or the password misses the policy (\`PASSWORD_POLICY\`).`,
    409: 'An account with this email exists (`USER_ALREADY_EXISTS`).',
    429: 'Too many requests, or too many codes to this email this hour (`TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  signUp(@Body() dto: SignUpDto): Promise<SignUpResponseDto> {
    return this.auth.signUp(dto);
  }

  @Public()
  @SecurityEvent('auth.sign_up_confirm')
  @RateLimited()
  @Post('confirm-sign-up')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Confirm an account with the emailed code',
    description:
      'A wrong or expired code, an account confirmed already and an unknown email all get the ' +
      'same answer, so it tells nobody which accounts exist or are confirmed.',
  })
  @ApiNoContentResponse({ description: 'Confirmed; the user can sign in.' })
  @ApiErrors({
    400: `${VALIDATION_400} Or the code is wrong or expired, or the account is confirmed already (\`CODE_MISMATCH\`, one answer for all).`,
    429: 'Too many attempts (`TOO_MANY_FAILED_ATTEMPTS`, `TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  async confirmSignUp(@Body() dto: ConfirmSignUpDto): Promise<void> {
    await this.auth.confirmSignUp(dto);
  }

  @Public()
  @RateLimited({ sendsMessage: true })
  @Post('resend-confirmation-code')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send the confirmation code again',
    description: `${ANSWERED_AT_ONCE} A new sign-up code goes to an unconfirmed account; the previous one stops working.`,
  })
  @ApiAcceptedResponse({ type: MessageResponseDto })
  @ApiErrors({
    400: VALIDATION_400,
    429: 'Too many requests, or too many codes to this email this hour (`TOO_MANY_REQUESTS`).',
  })
  resendConfirmationCode(@Body() dto: EmailDto): MessageResponseDto {
    return { message: this.auth.resendConfirmationCode(dto.email) };
  }

  @Public()
  @SecurityEvent('auth.login')
  @RateLimited({ perAccount: false })
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Sign in with email and password',
    description:
      'Answers tokens, or the next step Cognito asks for (`nextStep`, e.g. NEW_PASSWORD_REQUIRED ' +
      'or SOFTWARE_TOKEN_MFA) with a `session`. Tokens go in the body and/or httpOnly cookies as ' +
      'TOKEN_DELIVERY says; with cookies, Swagger UI requests are then signed in too.',
  })
  @ApiOkResponse({
    description: 'Signed in (tokens), or another step is needed (challenge).',
    schema: TOKENS_OR_CHALLENGE,
    examples: SIGN_IN_EXAMPLES,
  })
  @ApiErrors({
    400: VALIDATION_400,
    401: 'Wrong email or password, or no such account: one answer for all (`INVALID_CREDENTIALS`).',
    403: 'Not confirmed (`USER_NOT_CONFIRMED`) or a reset is required (`PASSWORD_RESET_REQUIRED`).',
    429: 'Too many requests from this address, or too many wrong passwords for this account (`TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  async login(
    @Body() dto: LoginDto,
    @ClientAddress() address: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokensResponseDto | ChallengeResponseDto> {
    return this.answer(await this.auth.login(dto, address), reply);
  }

  @Public()
  @SecurityEvent('auth.challenge')
  @RateLimited()
  @Post('challenge')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
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
  })
  @ApiOkResponse({
    description: 'Signed in (tokens), or another step.',
    schema: TOKENS_OR_CHALLENGE,
  })
  @ApiErrors({
    400: `${VALIDATION_400} Or a wrong code (\`CODE_MISMATCH\`), or a new password that misses the policy (\`PASSWORD_POLICY\`).`,
    401:
      'The session was not issued by this service for this email and step, has expired, or ' +
      'was answered already (`INVALID_SESSION`): sign in again.',
    429: 'Too many attempts (`TOO_MANY_FAILED_ATTEMPTS`, `TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  async challenge(
    @Body() dto: ChallengeAnswerDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokensResponseDto | ChallengeResponseDto> {
    return this.answer(await this.auth.answerChallenge(dto), reply);
  }

  @Public()
  @SecurityEvent('auth.refresh')
  @RateLimited()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Get new tokens with the refresh token',
    description:
      'Takes the refresh token from the body or from its cookie. When the app client has a ' +
      'secret, Cognito also needs the Cognito username (the `username` claim): send it as ' +
      '`username`, or let the cookie session or the old access token provide it.',
  })
  @ApiBody({ type: RefreshDto, examples: SESSION_BODY_EXAMPLES })
  @ApiOkResponse({ type: TokensResponseDto })
  @ApiErrors({
    400: `${VALIDATION_400} Or the username is needed (\`USERNAME_REQUIRED\`).`,
    401: 'No refresh token (`REFRESH_TOKEN_REQUIRED`), or it is invalid, expired or revoked (`INVALID_REFRESH_TOKEN`).',
    429: 'Too many requests (`TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  async refresh(
    @Body() dto: RefreshDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AccessToken() accessToken: string | undefined,
  ): Promise<TokensResponseDto | ChallengeResponseDto> {
    const refreshToken = dto.refreshToken ?? this.cookies.refreshToken(request);
    if (!refreshToken) {
      throw new AppException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.REFRESH_TOKEN_REQUIRED,
        'Send the refresh token in the body, or sign in again.',
      );
    }
    const username =
      dto.username ?? this.cookies.refreshUsername(request) ?? usernameOfToken(accessToken);
    return this.answer(await this.auth.refresh(refreshToken, username), reply, refreshToken);
  }

  @Public()
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiCookieAuth(COOKIE_SCHEME)
  @SecurityEvent('auth.logout')
  @RateLimited()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Sign out',
    description:
      "Revokes every refresh token it is given (the body's and the cookie's), signs the user " +
      'out of every device when an access token is sent (an expired one is ignored), refuses ' +
      'that access token from now on, and clears the session cookies. When Cognito cannot be ' +
      'reached, the session still ends here (the refresh tokens are refused by this API) and the ' +
      'answer is still 204. Logging out twice is not an error. Browsers send an empty body.',
  })
  @ApiBody({ type: LogoutDto, examples: SESSION_BODY_EXAMPLES })
  @ApiNoContentResponse({ description: 'Signed out; session cookies cleared (Max-Age=0).' })
  @ApiErrors({
    400: VALIDATION_400,
    429: 'Too many requests from this address (`TOO_MANY_REQUESTS`).',
  })
  async logout(
    @Body() dto: LogoutDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AccessToken() accessToken: string | undefined,
  ): Promise<void> {
    if (accessToken && isCookieAuthenticated(request)) this.csrf.verify(request, accessToken);
    const refreshTokens = [dto.refreshToken, this.cookies.refreshToken(request)].filter(
      (token): token is string => Boolean(token),
    );
    this.cookies.clear(reply);
    const { user, upstreamFailures } = await this.auth.logout(refreshTokens, accessToken);
    setEventSubject(request, user?.sub);
    if (upstreamFailures.length > 0) {
      this.events.record(request, 'auth.logout_upstream', 'failure', {
        error: upstreamFailures.join(','),
      });
    }
  }

  @Public()
  @SecurityEvent('auth.password_reset_request')
  @RateLimited({ sendsMessage: true })
  @Post('forgot-password')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send a password reset code', description: ANSWERED_AT_ONCE })
  @ApiAcceptedResponse({ type: MessageResponseDto })
  @ApiErrors({
    400: VALIDATION_400,
    429: 'Too many requests, or too many codes to this email this hour (`TOO_MANY_REQUESTS`).',
  })
  forgotPassword(@Body() dto: EmailDto): MessageResponseDto {
    return { message: this.auth.forgotPassword(dto.email) };
  }

  @Public()
  @SecurityEvent('auth.password_reset')
  @RateLimited()
  @Post('confirm-forgot-password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Set a new password with the reset code',
    description: 'Every existing session of the account ends.',
  })
  @ApiNoContentResponse({ description: 'The password is changed; sign in with it.' })
  @ApiErrors({
    400: `${VALIDATION_400} Or a wrong or expired code (\`CODE_MISMATCH\`, \`CODE_EXPIRED\`), or the password misses the policy (\`PASSWORD_POLICY\`).`,
    429: 'Too many attempts (`TOO_MANY_FAILED_ATTEMPTS`, `TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  async confirmForgotPassword(
    @Body() dto: ConfirmForgotPasswordDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    setEventSubject(request, await this.auth.confirmForgotPassword(dto));
  }

  @Authenticated()
  @SecurityEvent('auth.password_change')
  @RateLimited()
  @Post('change-password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: "Change the signed-in user's password",
    description:
      'Every session of the user ends, this one included (its cookies are cleared): sign in ' +
      'again with the new password. Access tokens issued before are refused at once.',
  })
  @ApiNoContentResponse({ description: 'The password is changed; every session has ended.' })
  @ApiErrors({
    400: `${VALIDATION_400} Or the current password is wrong (\`INCORRECT_PASSWORD\`, \`PASSWORD_CHANGE_REJECTED\`), or the new one misses the policy (\`PASSWORD_POLICY\`).`,
    429: 'Too many requests, or too many wrong passwords for this account (`TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  async changePassword(
    @Body() dto: ChangePasswordDto,
    @CurrentUser() user: AuthUser,
    @AccessToken() accessToken: string,
    @ClientAddress() address: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.changePassword(user, accessToken, dto, address);
    this.cookies.clear(reply);
  }

  @Authenticated()
  @Get('me')
  @ApiOperation({
    summary: 'The signed-in user',
    description: 'Attributes from Cognito (GetUser); groups from the verified access token.',
  })
  @ApiOkResponse({ type: MeResponseDto })
  @ApiErrors(UPSTREAM_ERRORS)
  me(@CurrentUser() user: AuthUser, @AccessToken() accessToken: string): Promise<MeResponseDto> {
    return this.auth.me(user, accessToken);
  }

  /**
   * Sets the session cookies and shapes the body as TOKEN_DELIVERY says. `refreshToken`: the one
   * a refresh used, to which the new CSRF token is bound as well.
   */
  private answer(
    result: LoginResult,
    reply: FastifyReply,
    refreshToken?: string,
  ): TokensResponseDto | ChallengeResponseDto {
    if (result.kind === 'challenge') return result.challenge;
    const { tokens } = result;
    setEventSubject(reply.request, subOfToken(tokens.accessToken));
    this.cookies.set(reply, tokens, tokens.refreshToken ?? refreshToken);
    const body: TokensResponseDto = { expiresIn: tokens.expiresIn, tokenType: tokens.tokenType };
    if (this.cookies.tokensInBody) {
      body.accessToken = tokens.accessToken;
      body.idToken = tokens.idToken;
      body.refreshToken = tokens.refreshToken;
    }
    return body;
  }
}
