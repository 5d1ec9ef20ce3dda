import CsrfTokens from '@fastify/csrf';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { authConfig, httpConfig } from '../../config';
import { CSRF_HEADERS } from '../guard.constants';
import { sessionCookieNames, type SessionCookieNames } from './cookie-names';

/** The @fastify/csrf calls used here, with tokens bound to a value (`userInfo`). */
interface CsrfTokenMaker {
  secretSync(): string;
  create(secret: string, userInfo: string): string;
  verify(secret: string, token: string, userInfo: string): boolean;
}

/** Separates the tokens of one XSRF-TOKEN value (a @fastify/csrf token never contains a dot). */
const TOKEN_SEPARATOR = '.';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The parts of a Fastify or Express request the check reads. */
export interface CsrfRequest {
  method?: string;
  protocol?: string;
  headers: Record<string, string | string[] | undefined>;
  cookies?: Record<string, string | undefined>;
}

/**
 * Cross-site request forgery protection for requests authenticated by cookies. Bearer requests
 * need none: a browser never adds an `Authorization` header on its own.
 *
 * An unsafe request (POST, PUT, PATCH, DELETE) that relies on a session cookie must
 * 1. come from this site or an origin in CORS_ORIGINS, when the browser names its `Origin`, and
 * 2. carry the CSRF token (the XSRF-TOKEN cookie's value) in `X-XSRF-TOKEN` or `X-CSRF-Token`,
 *    which @fastify/csrf checks against the httpOnly secret cookie set with the session, and
 *    against the session itself: the token is made for the very access and refresh tokens it
 *    was issued with (their hash is the `userInfo` it is bound to). A secret and token pair from
 *    another session (the attacker's own, planted beside the victim's cookies) fails, and
 *    making one for the victim's session takes the victim's tokens, which scripts cannot read.
 * Another site can make a browser send the cookies, but can neither read the token nor set the
 * header without a CORS preflight this API refuses. SameSite=Strict cookies add a third layer.
 */
@Injectable()
export class CsrfProtection {
  private readonly tokens = CsrfTokens({ userInfo: true }) as unknown as CsrfTokenMaker;
  private readonly trustedOrigins: Set<string>;
  private readonly names: SessionCookieNames;

  constructor(
    @Inject(httpConfig.KEY) http: ConfigType<typeof httpConfig>,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
  ) {
    this.trustedOrigins = new Set(http.corsOrigins.map((origin) => origin.toLowerCase()));
    this.names = sessionCookieNames(auth);
  }

  /**
   * A new secret, and the token made from it for each credential of the session (its access
   * token, and its refresh token when known), set as cookies with the session.
   */
  issue(credentials: string[]): { secret: string; token: string } {
    const secret = this.tokens.secretSync();
    const token = credentials
      .map((credential) => this.tokens.create(secret, credential))
      .join(TOKEN_SEPARATOR);
    return { secret, token };
  }

  private isSafe(request: CsrfRequest): boolean {
    return SAFE_METHODS.has((request.method ?? 'GET').toUpperCase());
  }

  /**
   * Throws 403 `CSRF_REJECTED` unless a cookie-authenticated unsafe request passes both checks.
   * `credential` is the session cookie the request relies on: the access token, or on refresh
   * and logout the refresh token.
   */
  verify(request: CsrfRequest, credential: string): void {
    if (this.isSafe(request)) return;
    const origin = single(request.headers.origin);
    if (origin !== undefined && !this.isTrustedOrigin(origin, request)) {
      throw rejected('This origin may not make cookie-authenticated requests.');
    }
    const secret = request.cookies?.[this.names.csrfSecret];
    const token = CSRF_HEADERS.map((name) => single(request.headers[name])).find(Boolean);
    const bound =
      secret !== undefined &&
      token !== undefined &&
      token.split(TOKEN_SEPARATOR).some((part) => this.tokens.verify(secret, part, credential));
    if (!bound) {
      throw rejected(
        `Send the ${this.names.csrfToken} cookie value in the X-XSRF-TOKEN header, or use a bearer token.`,
      );
    }
  }

  private isTrustedOrigin(origin: string, request: CsrfRequest): boolean {
    const normalized = origin.toLowerCase();
    if (this.trustedOrigins.has(normalized)) return true;
    const host = single(request.headers.host);
    return (
      host !== undefined && normalized === `${request.protocol ?? 'http'}://${host}`.toLowerCase()
    );
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function rejected(message: string): AppException {
  return new AppException(HttpStatus.FORBIDDEN, ErrorCode.CSRF_REJECTED, message);
}
