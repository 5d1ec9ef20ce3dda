import { Body, Controller, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NoStore } from '../common/http/no-store.decorator';
import { setEventSubject } from '../common/logging/security-events';
import { AccessToken, type AuthUser, ClientAddress, CurrentUser, SessionCookies } from '../guard';
import { AuthService } from './auth.service';
import {
  ChallengeRoute,
  ChangePasswordRoute,
  ConfirmForgotPasswordRoute,
  ConfirmSignUpRoute,
  ForgotPasswordRoute,
  LoginRoute,
  LogoutRoute,
  MeRoute,
  RefreshRoute,
  ResendConfirmationCodeRoute,
  SignUpRoute,
} from './auth.routes';
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
import { SessionAnswers } from './session-answers';
import { SessionCredentials } from './session-credentials';
import { SessionEnd } from './session-end';

/** Sign-up and sign-in flows. Every answer is `no-store`: tokens, codes' destinations, the profile. */
@ApiTags('auth')
@ApiExtraModels(TokensResponseDto, ChallengeResponseDto)
@NoStore()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookies: SessionCookies,
    private readonly credentials: SessionCredentials,
    private readonly answers: SessionAnswers,
    private readonly sessionEnd: SessionEnd,
  ) {}

  @SignUpRoute()
  signUp(@Body() dto: SignUpDto): Promise<SignUpResponseDto> {
    return this.auth.signUp(dto);
  }

  @ConfirmSignUpRoute()
  async confirmSignUp(@Body() dto: ConfirmSignUpDto): Promise<void> {
    await this.auth.confirmSignUp(dto);
  }

  @ResendConfirmationCodeRoute()
  resendConfirmationCode(@Body() dto: EmailDto): MessageResponseDto {
    return { message: this.auth.resendConfirmationCode(dto.email) };
  }

  @LoginRoute()
  async login(
    @Body() dto: LoginDto,
    @ClientAddress() address: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokensResponseDto | ChallengeResponseDto> {
    return this.answers.signedIn(await this.auth.login(dto, address), reply);
  }

  @ChallengeRoute()
  async challenge(
    @Body() dto: ChallengeAnswerDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokensResponseDto | ChallengeResponseDto> {
    return this.answers.signedIn(await this.auth.answerChallenge(dto), reply);
  }

  @RefreshRoute()
  async refresh(
    @Body() dto: RefreshDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AccessToken() accessToken: string | undefined,
  ): Promise<TokensResponseDto | ChallengeResponseDto> {
    const { refreshToken, username } = this.credentials.forRefresh(request, dto, accessToken);
    return this.answers.signedIn(
      await this.auth.refresh(refreshToken, username),
      reply,
      refreshToken,
    );
  }

  @LogoutRoute()
  async logout(
    @Body() dto: LogoutDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AccessToken() accessToken: string | undefined,
  ): Promise<void> {
    await this.sessionEnd.end(request, reply, dto, accessToken);
  }

  @ForgotPasswordRoute()
  forgotPassword(@Body() dto: EmailDto): MessageResponseDto {
    return { message: this.auth.forgotPassword(dto.email) };
  }

  @ConfirmForgotPasswordRoute()
  async confirmForgotPassword(
    @Body() dto: ConfirmForgotPasswordDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    setEventSubject(request, await this.auth.confirmForgotPassword(dto));
  }

  @ChangePasswordRoute()
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

  @MeRoute()
  me(@CurrentUser() user: AuthUser, @AccessToken() accessToken: string): Promise<MeResponseDto> {
    return this.auth.me(user, accessToken);
  }
}
