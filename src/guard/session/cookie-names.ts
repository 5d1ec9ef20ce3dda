import {
  ACCESS_TOKEN_COOKIE,
  ID_TOKEN_COOKIE,
  CSRF_SECRET_COOKIE,
  CSRF_TOKEN_COOKIE,
  REFRESH_TOKEN_COOKIE,
  REFRESH_USERNAME_COOKIE,
} from '../guard.constants';

/** The names this app gives its session cookies (see {@link sessionCookieNames}). */
export interface SessionCookieNames {
  access: string;
  refresh: string;
  refreshUsername: string;
  /** The ID token, sent only to POST /auth/aws-credentials. */
  idToken: string;
  csrfSecret: string;
  csrfToken: string;
}

/**
 * The session cookies' names. A browser keeps a `__Host-` cookie only if it is Secure, has Path=/
 * and no Domain, and came from a secure page: nobody on a sibling subdomain or on plain http can
 * plant their own access token or CSRF secret beside the app's. `__Secure-` (Secure, from a
 * secure page) is the most the path-scoped cookies (refresh, ID token) and a COOKIE_DOMAIN
 * allow. With COOKIE_SECURE=false (plain-http development) neither prefix is allowed, and the
 * plain names are used.
 */
export function sessionCookieNames(config: {
  cookieSecure: boolean;
  cookieDomain?: string;
}): SessionCookieNames {
  const secure = config.cookieSecure ? '__Secure-' : '';
  const site = config.cookieSecure && !config.cookieDomain ? '__Host-' : secure;
  return {
    access: `${site}${ACCESS_TOKEN_COOKIE}`,
    refresh: `${secure}${REFRESH_TOKEN_COOKIE}`,
    refreshUsername: `${secure}${REFRESH_USERNAME_COOKIE}`,
    idToken: `${secure}${ID_TOKEN_COOKIE}`,
    csrfSecret: `${site}${CSRF_SECRET_COOKIE}`,
    csrfToken: `${site}${CSRF_TOKEN_COOKIE}`,
  };
}
