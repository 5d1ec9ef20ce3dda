/** Cookie names used for browser sessions. */
export const ACCESS_TOKEN_COOKIE = 'access_token';
export const REFRESH_TOKEN_COOKIE = 'refresh_token';
/** The Cognito username (a UUID, not secret) that REFRESH_TOKEN_AUTH's SECRET_HASH is made from. */
export const REFRESH_USERNAME_COOKIE = 'refresh_username';
/**
 * The session's ID token, which only the route that exchanges it for AWS credentials needs (an
 * identity pool takes ID tokens, not access tokens): the cookie goes to that path alone.
 */
export const ID_TOKEN_COOKIE = 'id_token';
export const ID_TOKEN_COOKIE_PATH = '/auth/aws-credentials';

/**
 * Where the ID token cookie also goes when user data sync is kept in Cognito Sync, whose datasets
 * belong to the user's identity-pool identity (found from the ID token).
 */
export const SYNC_ID_TOKEN_COOKIE_PATH = '/sync';

/**
 * CSRF protection of cookie sessions (double submit, bound to the session): an httpOnly secret,
 * and a token made from it in a cookie scripts can read. Browser code sends the token back in a
 * header; the header names are the ones Angular and axios use by default.
 *
 * These are the base names: Secure cookies carry a `__Host-` or `__Secure-` prefix on top (see
 * sessionCookieNames).
 */
export const CSRF_SECRET_COOKIE = 'csrf_secret';
export const CSRF_TOKEN_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADERS = ['x-xsrf-token', 'x-csrf-token'] as const;

/** The refresh cookies are sent only to the routes that use them. */
export const REFRESH_COOKIE_PATHS = [
  '/auth/refresh',
  '/auth/logout',
  '/auth/oauth/logout',
] as const;

/**
 * The name the access-token strategy has in Passport's registry:
 * `@UseGuards(AuthGuard(COGNITO_STRATEGY))` runs it on one route. Passport's registry is
 * process-wide, so with several apps in one process (as in tests) the name belongs to the app
 * that started last; the global guard always runs its own app's strategy.
 */
export const COGNITO_STRATEGY = 'cognito';

/** Swagger security scheme names. */
export const BEARER_SCHEME = 'bearer';
export const COOKIE_SCHEME = 'cookie';
