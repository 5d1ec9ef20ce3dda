import CsrfTokens from '@fastify/csrf';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { httpConfig } from '../config';
import { CSRF_HEADERS, CSRF_SECRET_COOKIE } from './auth.constants';

/** The @fastify/csrf calls used here (its typings pick the user-info overload by default). */
export interface CsrfTokenMaker {
  secretSync(): string;
  create(secret: string): string;
  verify(secret: string, token: string): boolean;
}

/** @fastify/csrf's token maker, without user binding: a secret, tokens made from it, checks. */
export function csrfTokens(): CsrfTokenMaker {
  return CsrfTokens({ userInfo: false });
}

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
 * 2. carry the CSRF token (from the `XSRF-TOKEN` cookie) in `X-XSRF-TOKEN` or `X-CSRF-Token`,
 *    which @fastify/csrf checks against the httpOnly secret cookie set with the session.
 * Another site can make a browser send the cookies, but can neither read the token nor set the
 * header without a CORS preflight this API refuses. SameSite=Strict cookies add a third layer.
 */
@Injectable()
export class CsrfProtection {
  private readonly tokens = csrfTokens();
  private readonly trustedOrigins: Set<string>;

  constructor(@Inject(httpConfig.KEY) http: ConfigType<typeof httpConfig>) {
    this.trustedOrigins = new Set(http.corsOrigins.map((origin) => origin.toLowerCase()));
  }

  /** A new secret and the token made from it, set as cookies with the session. */
  issue(): { secret: string; token: string } {
    const secret = this.tokens.secretSync();
    return { secret, token: this.tokens.create(secret) };
  }

  isSafe(request: CsrfRequest): boolean {
    return SAFE_METHODS.has((request.method ?? 'GET').toUpperCase());
  }

  /** Throws 403 `CSRF_REJECTED` unless a cookie-authenticated unsafe request passes both checks. */
  verify(request: CsrfRequest): void {
    if (this.isSafe(request)) return;
    const origin = single(request.headers.origin);
    if (origin !== undefined && !this.isTrustedOrigin(origin, request)) {
      throw rejected('This origin may not make cookie-authenticated requests.');
    }
    const secret = request.cookies?.[CSRF_SECRET_COOKIE];
    const token = CSRF_HEADERS.map((name) => single(request.headers[name])).find(Boolean);
    if (!secret || !token || !this.tokens.verify(secret, token)) {
      throw rejected(
        'Send the XSRF-TOKEN cookie value in the X-XSRF-TOKEN header, or use a bearer token.',
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
