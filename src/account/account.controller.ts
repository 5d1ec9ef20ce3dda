import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  AccessToken,
  Authenticated,
  type AuthUser,
  changesContact,
  ClientAddress,
  CurrentUser,
  RateLimited,
  SessionCookies,
} from '../guard';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { NoStore } from '../common/http/no-store.decorator';
import { AccountService } from './account.service';
import {
  AccountResponseDto,
  AttributesUpdatedDto,
  CodeSentDto,
  MfaPreferenceDto,
  MfaSettingsDto,
  PasswordConfirmationDto,
  ReauthenticationDto,
  TotpSetupDto,
  UpdateAccountDto,
  VerifyCodeDto,
  VerifyTotpDto,
} from './dto/account.dto';
import { SecurityEvent } from '../common/logging/security-events';

const VALIDATION_400 = 'The body is invalid (`VALIDATION_FAILED`).';
const MESSAGE_LIMIT =
  'Too many requests, or too many codes this hour (`TOO_MANY_REQUESTS`, with `Retry-After`).';
const WRONG_PASSWORDS =
  'Too many attempts, or too many wrong passwords for this account (`TOO_MANY_REQUESTS`).';
const ATTRIBUTE_PARAM = { name: 'name', enum: ['email', 'phone_number'], example: 'email' };
const REAUTHENTICATION_EXAMPLES = {
  password: { summary: 'The current password', value: { password: 'Correct-Horse-9' } },
};

const UPDATE_EXAMPLES = {
  profile: { summary: 'Profile attributes', value: { attributes: { name: 'Alice Liddell' } } },
  email: {
    summary: 'A new email: with the current password',
    value: { attributes: { email: 'alice@example.org' }, password: 'Correct-Horse-9' },
  },
};

/**
 * Self-service for the signed-in user: profile attributes, verification, TOTP MFA, deletion. Every
 * answer is `no-store` (the profile, the TOTP secret and its QR code).
 */
@ApiTags('account')
@Authenticated()
@NoStore()
@Controller('account')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly cookies: SessionCookies,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user’s account: attributes, groups, MFA' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiErrors(UPSTREAM_ERRORS)
  get(@CurrentUser() user: AuthUser, @AccessToken() token: string): Promise<AccountResponseDto> {
    return this.account.get(user, token);
  }

  @RateLimited({ sendsMessage: changesContact })
  @Patch()
  @ApiOperation({
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
  })
  @ApiBody({ type: UpdateAccountDto, examples: UPDATE_EXAMPLES })
  @ApiOkResponse({ type: AttributesUpdatedDto })
  @ApiErrors({
    400: `${VALIDATION_400} Or an email that is refused (\`VALIDATION_FAILED\`), or an attribute that cannot be changed here (\`ATTRIBUTE_NOT_ALLOWED\`), or a wrong password (\`INCORRECT_PASSWORD\`).`,
    403: 'A new email or phone number without the current password (`REAUTHENTICATION_REQUIRED`).',
    409: 'The email belongs to another account (`USER_ALREADY_EXISTS`).',
    429: `${MESSAGE_LIMIT.slice(0, -1)}, or too many wrong passwords for this account.`,
    ...UPSTREAM_ERRORS,
  })
  update(
    @AccessToken() token: string,
    @Body() dto: UpdateAccountDto,
    @ClientAddress() address: string | undefined,
  ): Promise<AttributesUpdatedDto> {
    return this.account.update(token, dto.attributes, dto, address);
  }

  @RateLimited({ sendsMessage: true })
  @Post('attributes/:name/verification-code')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiParam(ATTRIBUTE_PARAM)
  @ApiOperation({
    summary: 'Send a code to verify the email or phone number',
    description: 'Counts against the account’s hourly message budget (RATE_LIMIT_MESSAGES).',
  })
  @ApiAcceptedResponse({ type: CodeSentDto })
  @ApiErrors({
    400: 'Not a verifiable attribute (`ATTRIBUTE_NOT_ALLOWED`).',
    429: MESSAGE_LIMIT,
    ...UPSTREAM_ERRORS,
  })
  sendCode(@AccessToken() token: string, @Param('name') name: string): Promise<CodeSentDto> {
    return this.account.sendVerificationCode(token, name);
  }

  @RateLimited()
  @Post('attributes/:name/verify')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(ATTRIBUTE_PARAM)
  @ApiOperation({
    summary: 'Verify the email or phone number with the code',
    description: 'For a new email, this is when it replaces the old one.',
  })
  @ApiNoContentResponse({ description: 'Verified.' })
  @ApiErrors({
    400: 'A wrong or expired code (`CODE_MISMATCH`, `CODE_EXPIRED`), or not a verifiable attribute (`ATTRIBUTE_NOT_ALLOWED`).',
    409: 'Another account signs in with the new email by now (`USER_ALREADY_EXISTS`); the old one stays.',
    429: 'Too many attempts (`TOO_MANY_FAILED_ATTEMPTS`).',
    ...UPSTREAM_ERRORS,
  })
  async verify(
    @AccessToken() token: string,
    @Param('name') name: string,
    @Body() dto: VerifyCodeDto,
  ): Promise<void> {
    await this.account.verifyAttribute(token, name, dto.code);
  }

  @SecurityEvent('account.mfa_enroll')
  @RateLimited()
  @Post('mfa/totp')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Start setting up an authenticator app',
    description:
      'Answers the secret, an otpauth:// URI and a QR code; confirm with /account/mfa/totp/verify. ' +
      'The body carries the current `password` (the same rule as turning MFA on or off): an ' +
      'access token alone cannot put a new authenticator on the account. When MFA is on, the ' +
      'new one replaces the current one.',
  })
  @ApiBody({ type: ReauthenticationDto, examples: REAUTHENTICATION_EXAMPLES })
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiErrors({
    400: 'A wrong password (`INCORRECT_PASSWORD`).',
    403: 'The current password is needed (`REAUTHENTICATION_REQUIRED`).',
    429: WRONG_PASSWORDS,
    ...UPSTREAM_ERRORS,
  })
  startTotp(
    @CurrentUser() user: AuthUser,
    @AccessToken() token: string,
    @Body() dto: ReauthenticationDto,
    @ClientAddress() address: string | undefined,
  ): Promise<TotpSetupDto> {
    return this.account.startTotp(user, token, dto, address);
  }

  @SecurityEvent('account.mfa_change')
  @RateLimited()
  @Post('mfa/totp/verify')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Confirm the authenticator app with a code from it' })
  @ApiNoContentResponse({
    description: 'The authenticator is set up; turn it on with PUT /account/mfa.',
  })
  @ApiErrors({
    400: 'A wrong code (`CODE_MISMATCH`).',
    429: 'Too many attempts (`TOO_MANY_REQUESTS`).',
    ...UPSTREAM_ERRORS,
  })
  async verifyTotp(@AccessToken() token: string, @Body() dto: VerifyTotpDto): Promise<void> {
    await this.account.verifyTotp(token, dto.code, dto.deviceName);
  }

  @SecurityEvent('account.mfa_change')
  @RateLimited()
  @Put('mfa')
  @ApiOperation({
    summary: 'Turn the authenticator app requirement on or off',
    description:
      'Turning it on or off needs the current `password`, however recent the sign-in: an access ' +
      'token alone is not enough (a thief could turn it on with an authenticator of their own, ' +
      'or off). An authenticator code is no proof: the token alone can register one at Cognito.',
  })
  @ApiBody({
    type: MfaPreferenceDto,
    examples: {
      on: { summary: 'Turn MFA on', value: { totpEnabled: true, password: 'Correct-Horse-9' } },
      off: {
        summary: 'Turn MFA off',
        value: { totpEnabled: false, password: 'Correct-Horse-9' },
      },
    },
  })
  @ApiOkResponse({ type: MfaSettingsDto })
  @ApiErrors({
    400: 'No authenticator set up (`MFA_NOT_SET_UP`), or a wrong password (`INCORRECT_PASSWORD`).',
    403: 'The current password is needed (`REAUTHENTICATION_REQUIRED`).',
    429: WRONG_PASSWORDS,
    ...UPSTREAM_ERRORS,
  })
  setMfa(
    @AccessToken() token: string,
    @Body() dto: MfaPreferenceDto,
    @ClientAddress() address: string | undefined,
  ): Promise<MfaSettingsDto> {
    return this.account.setMfa(token, dto, address);
  }

  @SecurityEvent('account.delete')
  @RateLimited()
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete the account',
    description: 'Needs the current password. The session ends and the cookies are cleared.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors({
    400: 'A wrong password (`INCORRECT_PASSWORD`).',
    429: WRONG_PASSWORDS,
    ...UPSTREAM_ERRORS,
  })
  async delete(
    @CurrentUser() user: AuthUser,
    @AccessToken() token: string,
    @Body() dto: PasswordConfirmationDto,
    @ClientAddress() address: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.account.delete(user, token, dto.password, address);
    this.cookies.clear(reply);
  }
}
