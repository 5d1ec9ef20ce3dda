import { Body, Controller, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NoStore } from '../common/http/no-store.decorator';
import {
  AccessToken,
  Authenticated,
  type AuthUser,
  ClientAddress,
  CurrentUser,
  SessionCookies,
} from '../guard';
import { AccountService } from './account.service';
import {
  DeleteAccountRoute,
  GetAccountRoute,
  SendVerificationCodeRoute,
  SetMfaRoute,
  StartTotpRoute,
  UpdateAccountRoute,
  VerifyAttributeRoute,
  VerifyTotpRoute,
} from './account.routes';
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

  @GetAccountRoute()
  get(@CurrentUser() user: AuthUser, @AccessToken() token: string): Promise<AccountResponseDto> {
    return this.account.get(user, token);
  }

  @UpdateAccountRoute()
  update(
    @AccessToken() token: string,
    @Body() dto: UpdateAccountDto,
    @ClientAddress() address: string | undefined,
  ): Promise<AttributesUpdatedDto> {
    return this.account.update(token, dto.attributes, dto, address);
  }

  @SendVerificationCodeRoute()
  sendCode(@AccessToken() token: string, @Param('name') name: string): Promise<CodeSentDto> {
    return this.account.sendVerificationCode(token, name);
  }

  @VerifyAttributeRoute()
  async verify(
    @AccessToken() token: string,
    @Param('name') name: string,
    @Body() dto: VerifyCodeDto,
  ): Promise<void> {
    await this.account.verifyAttribute(token, name, dto.code);
  }

  @StartTotpRoute()
  startTotp(
    @CurrentUser() user: AuthUser,
    @AccessToken() token: string,
    @Body() dto: ReauthenticationDto,
    @ClientAddress() address: string | undefined,
  ): Promise<TotpSetupDto> {
    return this.account.startTotp(user, token, dto, address);
  }

  @VerifyTotpRoute()
  async verifyTotp(@AccessToken() token: string, @Body() dto: VerifyTotpDto): Promise<void> {
    await this.account.verifyTotp(token, dto.code, dto.deviceName);
  }

  @SetMfaRoute()
  setMfa(
    @AccessToken() token: string,
    @Body() dto: MfaPreferenceDto,
    @ClientAddress() address: string | undefined,
  ): Promise<MfaSettingsDto> {
    return this.account.setMfa(token, dto, address);
  }

  @DeleteAccountRoute()
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
