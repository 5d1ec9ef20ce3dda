import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authConfig } from '../config';
import { STATE_TTL_SECONDS } from './oauth-state';

/**
 * The cookie that carries a sign-in's sealed state from /auth/oauth/authorize to the callback:
 * HttpOnly, and SameSite=Lax, since the callback is a top-level navigation from the managed
 * login's site (Strict would withhold it). Secure, it is a `__Host-` cookie (Path=/, no Domain):
 * a page on a sibling subdomain cannot plant its own sign-in's cookie in a victim's browser to
 * complete the attacker's sign-in there (a login CSRF). It holds no session: only what this
 * browser's callback must match.
 */
@Injectable()
export class StateCookie {
  readonly name: string;

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {
    this.name = `${config.cookieSecure ? '__Host-' : ''}oauth_state`;
  }

  set(reply: FastifyReply, sealedState: string): void {
    reply.setCookie(this.name, sealedState, this.options(STATE_TTL_SECONDS));
  }

  read(request: FastifyRequest): string | undefined {
    return request.cookies[this.name];
  }

  /** Expires the cookie: its sign-in is being answered, and is answered once. */
  clear(reply: FastifyReply): void {
    reply.clearCookie(this.name, this.options(0));
  }

  private options(maxAge: number): CookieSerializeOptions {
    return {
      httpOnly: true,
      secure: this.config.cookieSecure,
      sameSite: 'lax',
      path: '/',
      maxAge,
    };
  }
}
