import type { CookieSerializeOptions } from '@fastify/cookie';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CognitoConnection } from '../../cognito/cognito-connection';
import { authConfig } from '../../config';
import {
  ID_TOKEN_COOKIE_PATH,
  REFRESH_COOKIE_PATHS,
  SYNC_ID_TOKEN_COOKIE_PATH,
} from '../guard.constants';
import { sessionCookieNames, type SessionCookieNames } from './cookie-names';
import { CsrfProtection } from './csrf';
import { ACCESS_COOKIE_NAME, PRESENTED, presentedAccessToken } from '../jwt/token-extractors';

/** Tokens of a session, normalised: `expiresIn` is always known. */
export interface SessionTokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  expiresIn: number;
  tokenType: string;
  /** The Cognito username (`username` claim), which a later refresh needs. */
  username?: string;
}

/** The session cookies a route consumes (SessionCookies.presented). */
export interface SessionCookieUse {
  /**
   * The access cookie, when the request authenticates by it rather than by a bearer header: on
   * a public route, which the guard's own CSRF check does not cover.
   */
  access?: boolean;
  refresh?: boolean;
}

/** The session credentials a request presents by cookie, CSRF-checked (SessionCookies.presented). */
export interface PresentedSession {
  /** The access cookie's token, when the request authenticates by it. */
  accessToken?: string;
  refreshToken?: string;
  /** The Cognito username (`username` claim) a refresh needs, set with the refresh cookie. */
  refreshUsername?: string;
  /**
   * The session's ID token (its cookie reaches POST /auth/aws-credentials only, and the sync
   * routes when they are kept in Cognito Sync).
   */
  idToken?: string;
}

/** How long the refresh cookie lives: Cognito's default refresh token validity is 30 days. */
const REFRESH_COOKIE_MAX_AGE = 30 * 24 * 3600;

/** What the two HTTP platforms offer to give every request of the app a property. */
interface PlatformInstance {
  decorateRequest?: (name: string | symbol, value: unknown) => void;
  hasRequestDecorator?: (name: string | symbol) => boolean;
  request?: object;
}

/**
 * Browser sessions: tokens in `HttpOnly`, `Secure`, `SameSite=Strict` cookies, named with the
 * `__Host-` or `__Secure-` prefix when Secure (see sessionCookieNames). The access cookie goes to
 * every path; the refresh token and the username it needs go only to the refresh and logout
 * routes, so no other request carries them.
 */
@Injectable()
export class SessionCookies implements OnModuleInit {
  readonly names: SessionCookieNames;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly csrf: CsrfProtection,
    private readonly adapterHost: HttpAdapterHost,
    private readonly connection: CognitoConnection,
  ) {
    this.names = sessionCookieNames(config);
  }

  /**
   * Declares on the app's HTTP platform (Fastify or Express), once, what the kit keeps on a
   * request: the access cookie's name (the guard and the decorators see only the request), and on
   * Fastify the user and the presented token, so every request object has one shape instead of
   * growing properties as it goes.
   */
  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<PlatformInstance>();
    if (typeof instance?.decorateRequest === 'function') {
      const decorations: [string | symbol, unknown][] = [
        [ACCESS_COOKIE_NAME, this.names.access],
        ['user', null],
        [PRESENTED, undefined],
      ];
      for (const [name, value] of decorations) {
        if (!instance.hasRequestDecorator?.(name)) instance.decorateRequest(name, value);
      }
    } else if (instance?.request) {
      Object.defineProperty(instance.request, ACCESS_COOKIE_NAME, { value: this.names.access });
    }
  }

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

  /**
   * Sets the session's cookies, and a new CSRF secret and token bound to this session's access
   * token and refresh token (`refreshToken`: the one a refresh used, which Cognito does not send
   * again).
   */
  set(reply: FastifyReply, tokens: SessionTokens, refreshToken = tokens.refreshToken): void {
    if (!this.enabled) return;
    const { names } = this;
    reply.setCookie(names.access, tokens.accessToken, this.options('/', tokens.expiresIn));
    // Only where an identity pool takes it: the ID token carries the user's email and claims.
    if (this.connection.identityPool) {
      const paths = this.connection.cognitoSync
        ? [ID_TOKEN_COOKIE_PATH, SYNC_ID_TOKEN_COOKIE_PATH]
        : [ID_TOKEN_COOKIE_PATH];
      for (const path of paths) {
        reply.setCookie(names.idToken, tokens.idToken, this.options(path, tokens.expiresIn));
      }
    }
    for (const path of REFRESH_COOKIE_PATHS) {
      const options = this.options(path, REFRESH_COOKIE_MAX_AGE);
      if (tokens.refreshToken) reply.setCookie(names.refresh, tokens.refreshToken, options);
      if (tokens.username) reply.setCookie(names.refreshUsername, tokens.username, options);
    }
    // The token cookie is the one scripts may read.
    const credentials = refreshToken ? [tokens.accessToken, refreshToken] : [tokens.accessToken];
    const { secret, token } = this.csrf.issue(credentials);
    reply.setCookie(names.csrfSecret, secret, this.options('/', REFRESH_COOKIE_MAX_AGE));
    reply.setCookie(names.csrfToken, token, {
      ...this.options('/', REFRESH_COOKIE_MAX_AGE),
      httpOnly: false,
    });
  }

  /** Expires every session cookie (`Max-Age=0`) on the paths it was set for. */
  clear(reply: FastifyReply): void {
    if (!this.enabled) return;
    const { names } = this;
    reply.clearCookie(names.access, this.options('/', 0));
    for (const path of [ID_TOKEN_COOKIE_PATH, SYNC_ID_TOKEN_COOKIE_PATH]) {
      reply.clearCookie(names.idToken, this.options(path, 0));
    }
    reply.clearCookie(names.csrfSecret, this.options('/', 0));
    reply.clearCookie(names.csrfToken, { ...this.options('/', 0), httpOnly: false });
    for (const path of REFRESH_COOKIE_PATHS) {
      reply.clearCookie(names.refresh, this.options(path, 0));
      reply.clearCookie(names.refreshUsername, this.options(path, 0));
    }
  }

  /**
   * The session credentials the request presents by cookie, of those the route consumes (`use`).
   * Consuming one makes the request cookie-authenticated, so each passes the CSRF check as it is
   * taken (403 `CSRF_REJECTED`), with the CSRF token bound to that very credential; a cookie the
   * route does not consume is neither read nor checked. The username cookie is no credential
   * and is always read.
   */
  presented(request: FastifyRequest, use: SessionCookieUse): PresentedSession {
    const session: PresentedSession = {};
    const access = use.access ? presentedAccessToken(request) : null;
    if (access?.viaCookie) {
      this.csrf.verify(request, access.token);
      session.accessToken = access.token;
    }
    if (use.refresh && this.enabled) {
      session.refreshToken = request.cookies[this.names.refresh];
      if (session.refreshToken) this.csrf.verify(request, session.refreshToken);
    }
    if (this.enabled) {
      session.refreshUsername = request.cookies[this.names.refreshUsername];
      session.idToken = request.cookies[this.names.idToken];
    }
    return session;
  }
}
