import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authConfig } from '../config';
import { FederationService } from './federation.service';
import { STATE_TTL_SECONDS } from './oauth-state';

/**
 * The cookie that carries a sign-in's sealed state from /auth/oauth/authorize to the callback:
 * HttpOnly, Secure as COOKIE_SECURE says, scoped to the callback's path, and SameSite=Lax, since
 * the callback is a top-level navigation from the managed login's site (Strict would withhold
 * it). It holds no session: only what this browser's callback must match.
 */
@Injectable()
export class StateCookie {
  readonly name: string;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly federation: FederationService,
  ) {
    this.name = `${config.cookieSecure ? '__Secure-' : ''}oauth_state`;
  }

  set(reply: FastifyReply, sealedState: string): void {
    reply.setCookie(this.name, sealedState, this.options(STATE_TTL_SECONDS));
  }

  /** The cookie's value, expired on the reply at once (answered or not, it is spent). */
  take(request: FastifyRequest, reply: FastifyReply): string | undefined {
    const value = request.cookies[this.name];
    if (value !== undefined) reply.clearCookie(this.name, this.options(0));
    return value;
  }

  private options(maxAge: number): CookieSerializeOptions {
    return {
      httpOnly: true,
      secure: this.config.cookieSecure,
      sameSite: 'lax',
      path: this.federation.callbackPath(),
      maxAge,
    };
  }
}
