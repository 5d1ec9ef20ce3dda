import { Body, Controller, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionAnswers } from '../auth/session-answers';
import { SessionEnd } from '../auth/session-end';
import { LogoutDto } from '../auth/dto/requests.dto';
import type { TokensResponseDto } from '../auth/dto/responses.dto';
import { NoStore } from '../common/http/no-store.decorator';
import { subOfToken } from '../common/jwt/unverified-claims';
import { setEventSubject } from '../common/logging/security-events';
import { AccessToken } from '../guard';
import {
  AuthorizeQueryDto,
  CallbackQueryDto,
  LoginCodeDto,
  type LogoutUrlResponseDto,
  type ProviderDto,
} from './dto/federation.dto';
import {
  AuthorizeRoute,
  CallbackRoute,
  LoginCodeRoute,
  OAuthLogoutRoute,
  ProvidersRoute,
} from './federation.routes';
import { FederationService } from './federation.service';
import { StateCookie } from './state-cookie';

/** Sign-in with a provider through the pool's managed login. Every answer is `no-store`. */
@ApiTags('auth')
@NoStore()
@Controller('auth/oauth')
export class FederationController {
  constructor(
    private readonly federation: FederationService,
    private readonly stateCookie: StateCookie,
    private readonly answers: SessionAnswers,
    private readonly sessionEnd: SessionEnd,
  ) {}

  @ProvidersRoute()
  providers(): ProviderDto[] {
    return this.federation.providers();
  }

  @AuthorizeRoute()
  async authorize(
    @Query() query: AuthorizeQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Started on `localhost` with the callback on `127.0.0.1` (development): start it there.
    const there = this.federation.sameOriginAsCallback(request.headers.host, request.url);
    if (there) {
      await reply.redirect(there, 302);
      return;
    }
    const { location, sealedState } = await this.federation.start(query);
    this.stateCookie.set(reply, sealedState);
    await reply.redirect(location, 302);
  }

  @CallbackRoute()
  async callback(
    @Query() query: CallbackQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The cookie is spent once the callback's state is this browser's: whatever happens next, it
    // is answered once. A callback with another state leaves this browser's sign-in in place.
    const signIn = await this.federation.complete(query, this.stateCookie.read(request), () =>
      this.stateCookie.clear(reply),
    );
    if (signIn.kind === 'code') {
      await reply.redirect(signIn.location, 302);
      return;
    }
    this.answers.signedIn({ kind: 'tokens', tokens: signIn.tokens }, reply);
    await reply.redirect(signIn.returnTo, 302);
  }

  @LoginCodeRoute()
  async token(
    @Body() dto: LoginCodeDto,
    @Req() request: FastifyRequest,
  ): Promise<TokensResponseDto> {
    const tokens = await this.federation.redeem(dto);
    setEventSubject(request, subOfToken(tokens.accessToken));
    return {
      accessToken: tokens.accessToken,
      idToken: tokens.idToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
      tokenType: tokens.tokenType,
    };
  }

  @OAuthLogoutRoute()
  async logout(
    @Body() dto: LogoutDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AccessToken() accessToken: string | undefined,
  ): Promise<LogoutUrlResponseDto> {
    this.federation.ensureEnabled();
    // The session ends first, whatever the managed login can answer.
    await this.sessionEnd.end(request, reply, dto, accessToken);
    return { logoutUrl: await this.federation.logoutUrl() };
  }
}
