/**
 * The guard kit's front door: what any module of the app (and a module of your own) imports to be
 * protected by Cognito access tokens. Importing GuardModule once, anywhere in the app, puts every
 * route behind the global guard; the decorators mark the exceptions and read the user.
 */
export { GuardModule } from './guard.module';
export type { AuthUser } from './auth-user';
export {
  AccessToken,
  Authenticated,
  CurrentUser,
  Groups,
  OptionalAuth,
  Public,
} from './decorators';
export { BEARER_SCHEME, COGNITO_STRATEGY, COOKIE_SCHEME } from './guard.constants';
export { JwtAuthGuard } from './jwt/jwt-auth.guard';
export {
  extractAccessToken,
  isCookieAuthenticated,
  presentedAccessToken,
  type PresentedToken,
} from './jwt/token-extractors';
export { CognitoAccessStrategy } from './jwt/cognito-access.strategy';
export {
  AccessTokenVerifier,
  InvalidAccessTokenError,
  KeysUnavailableError,
  toAuthUser,
} from './jwt/access-token.verifier';
export { RevocationService } from './revocation/revocation.service';
export { SessionTermination, type SessionOwner } from './revocation/session-termination';
export { CsrfProtection } from './session/csrf';
export { sessionCookieNames, type SessionCookieNames } from './session/cookie-names';
export { SessionCookies, type SessionTokens } from './session/session-cookies';
export {
  changesContact,
  RateLimited,
  type LimitedRequest,
} from './rate-limit/auth-rate-limit.guard';
export { ClientAddress } from './rate-limit/client-address.decorator';
export { PasswordFailures } from './rate-limit/password-failures';
