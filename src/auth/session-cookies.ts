import type { CookieSerializeOptions } from '@fastify/cookie';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authConfig } from '../config';
import {
  ACCESS_TOKEN_COOKIE,
  CSRF_SECRET_COOKIE,
  CSRF_TOKEN_COOKIE,
  REFRESH_COOKIE_PATHS,
  REFRESH_TOKEN_COOKIE,
  REFRESH_USERNAME_COOKIE,
} from './auth.constants';
import type { SessionTokens } from './auth.service';
import { CsrfProtection } from './csrf';

/** How long the refresh cookie lives: Cognito's default refresh token validity is 30 days. */
const REFRESH_COOKIE_MAX_AGE = 30 * 24 * 3600;

/**
 * Browser sessions: tokens in `HttpOnly`, `Secure`, `SameSite=Strict` cookies. The access cookie
 * goes to every path; the refresh token and the username it needs go only to the refresh and
 * logout routes, so no other request carries them.
 */
@Injectable()
export class SessionCookies {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly csrf: CsrfProtection,
  ) {}

  get enabled(): boolean {
    return this.config.tokenDelivery !== 'body';
  }

  /** Whether token values also go in response bodies. */
  get tokensInBody(): boolean {
    return this.config.tokenDelivery !== 'cookie';
  }

  private options(path: string, maxAge: number): CookieSerializeOptions {
    return {
      httpOnly: true,
      secure: this.config.cookieSecure,
      sameSite: 'strict',
      path,
      maxAge,
      domain: this.config.cookieDomain,
    };
  }

  set(reply: FastifyReply, tokens: SessionTokens): void {
    if (!this.enabled) return;
    reply.setCookie(ACCESS_TOKEN_COOKIE, tokens.accessToken, this.options('/', tokens.expiresIn));
    for (const path of REFRESH_COOKIE_PATHS) {
      const options = this.options(path, REFRESH_COOKIE_MAX_AGE);
      if (tokens.refreshToken) reply.setCookie(REFRESH_TOKEN_COOKIE, tokens.refreshToken, options);
      if (tokens.username) reply.setCookie(REFRESH_USERNAME_COOKIE, tokens.username, options);
    }
    // A new CSRF secret with every session; the token cookie is the one scripts may read.
    const { secret, token } = this.csrf.issue();
    reply.setCookie(CSRF_SECRET_COOKIE, secret, this.options('/', REFRESH_COOKIE_MAX_AGE));
    reply.setCookie(CSRF_TOKEN_COOKIE, token, {
      ...this.options('/', REFRESH_COOKIE_MAX_AGE),
      httpOnly: false,
    });
  }

  /** Expires every session cookie (`Max-Age=0`) on the paths it was set for. */
  clear(reply: FastifyReply): void {
    if (!this.enabled) return;
    reply.clearCookie(ACCESS_TOKEN_COOKIE, this.options('/', 0));
    reply.clearCookie(CSRF_SECRET_COOKIE, this.options('/', 0));
    reply.clearCookie(CSRF_TOKEN_COOKIE, { ...this.options('/', 0), httpOnly: false });
    for (const path of REFRESH_COOKIE_PATHS) {
      reply.clearCookie(REFRESH_TOKEN_COOKIE, this.options(path, 0));
      reply.clearCookie(REFRESH_USERNAME_COOKIE, this.options(path, 0));
    }
  }

  /**
   * The refresh token of the cookie session. Using it is a cookie-authenticated request, so the
   * CSRF check applies (403 `CSRF_REJECTED`).
   */
  refreshToken(request: FastifyRequest): string | undefined {
    const token = this.enabled ? request.cookies[REFRESH_TOKEN_COOKIE] : undefined;
    if (token) this.csrf.verify(request);
    return token;
  }

  refreshUsername(request: FastifyRequest): string | undefined {
    return this.enabled ? request.cookies[REFRESH_USERNAME_COOKIE] : undefined;
  }
}
