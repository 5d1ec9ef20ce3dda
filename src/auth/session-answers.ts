import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { subOfToken } from '../common/jwt/unverified-claims';
import { SecurityEvents, setEventSubject } from '../common/logging/security-events';
import { SessionCookies } from '../guard';
import type { LoginResult, LogoutResult } from './auth.service';
import type { ChallengeResponseDto, TokensResponseDto } from './dto/responses.dto';

/**
 * How a session reaches the client, and how its end is told: the session cookies, the body as
 * TOKEN_DELIVERY says, and the security log's subject. Every way of signing in ends here, so each
 * gives the same session.
 */
@Injectable()
export class SessionAnswers {
  constructor(
    private readonly cookies: SessionCookies,
    private readonly events: SecurityEvents,
  ) {}

  /**
   * A sign-in's answer: the next step as it is, or the tokens, set as cookies and shaped as
   * TOKEN_DELIVERY says. `refreshToken`: the one a refresh used, to which the new CSRF token is
   * bound as well (Cognito does not send it again).
   */
  signedIn(
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

  /** A logout's end: whose session it was, and what Cognito could not do, for the security log. */
  signedOut(request: FastifyRequest, { user, upstreamFailures }: LogoutResult): void {
    setEventSubject(request, user?.sub);
    if (upstreamFailures.length > 0) {
      this.events.record(request, 'auth.logout_upstream', 'failure', {
        error: upstreamFailures.join(','),
      });
    }
  }
}
