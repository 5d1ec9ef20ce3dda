/**
 * The guard kit's front door: what any module of the app (and a module of your own) imports to be
 * protected by Cognito access tokens. GuardModule, imported anywhere in the app (the feature
 * modules that inject its services import it too; Nest makes one instance), puts every route
 * behind the global guard; the decorators mark the exceptions and read the user. The services
 * below the decorators are for the app's own flows (sign-in, account, admin, health).
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
export {
  AccessTokenVerifier,
  InvalidAccessTokenError,
  toAuthUser,
} from './jwt/access-token.verifier';
export { IdTokenVerifier, type IdTokenClaims } from './jwt/id-token.verifier';
export { RevocationService } from './revocation/revocation.service';
export { SessionTermination, type SessionOwner } from './revocation/session-termination';
export { CsrfProtection } from './session/csrf';
export { sessionCookieNames } from './session/cookie-names';
export { SessionCookies, type SessionTokens } from './session/session-cookies';
export {
  changesContact,
  RateLimited,
  type LimitedRequest,
} from './rate-limit/auth-rate-limit.guard';
export { ClientAddress } from './rate-limit/client-address.decorator';
export { PasswordFailures } from './rate-limit/password-failures';
