/** The routes anyone may call, exactly; every other route needs a token (deny by default). */
export const PUBLIC_ROUTES = [
  'GET /auth/oauth/authorize',
  'GET /auth/oauth/callback',
  'GET /auth/oauth/providers',
  'GET /demo',
  'GET /demo/assets/:file',
  'GET /health/live',
  'GET /health/ready',
  'POST /auth/aws-credentials/guest',
  'POST /auth/challenge',
  'POST /auth/confirm-forgot-password',
  'POST /auth/confirm-sign-up',
  'POST /auth/forgot-password',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /auth/oauth/logout',
  'POST /auth/oauth/token',
  'POST /auth/refresh',
  'POST /auth/resend-confirmation-code',
  'POST /auth/sign-up',
];

/**
 * The routes whose answers may be kept by a cache, exactly: they carry no secret and no personal
 * data. Every other route answers `Cache-Control: no-store` (@NoStore).
 */
export const CACHEABLE_ROUTES = [
  'GET /demo',
  'GET /demo/assets/:file',
  'GET /health/live',
  'GET /health/ready',
];
