import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionCookies } from '../guard';
import { AuthService } from './auth.service';
import type { LogoutDto } from './dto/requests.dto';
import { SessionAnswers } from './session-answers';
import { SessionCredentials } from './session-credentials';

/**
 * A logout, wherever it is asked for (POST /auth/logout, the federated one): the refresh tokens
 * the request presents (body and cookie, each cookie CSRF-checked), the session cookies cleared,
 * the tokens revoked, and the security log told whose session ended.
 */
@Injectable()
export class SessionEnd {
  constructor(
    private readonly credentials: SessionCredentials,
    private readonly cookies: SessionCookies,
    private readonly auth: AuthService,
    private readonly answers: SessionAnswers,
  ) {}

  async end(
    request: FastifyRequest,
    reply: FastifyReply,
    dto: LogoutDto,
    accessToken: string | undefined,
  ): Promise<void> {
    const refreshTokens = this.credentials.forLogout(request, dto);
    this.cookies.clear(reply);
    this.answers.signedOut(request, await this.auth.logout(refreshTokens, accessToken));
  }
}
