import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CognitoModule } from '../cognito/cognito.module';
import { LoggingModule } from '../common/logging/logging.module';
import { AccessTokenVerifier } from './jwt/access-token.verifier';
import { CognitoAccessStrategy } from './jwt/cognito-access.strategy';
import { IdTokenVerifier } from './jwt/id-token.verifier';
import { JwtAuthGuard } from './jwt/jwt-auth.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RevocationService } from './revocation/revocation.service';
import { SessionTermination } from './revocation/session-termination';
import { CsrfProtection } from './session/csrf';
import { SessionCookies } from './session/session-cookies';

/**
 * The guard kit: the global guard that protects every route of the app (deny by default;
 * `@Public()` opts out), the access-token verifier and its Passport strategy, revocations, session
 * cookies with their CSRF check, and rate limits. Importing it anywhere in the app (once is
 * enough) puts every route behind the guard.
 */
@Module({
  imports: [CognitoModule, LoggingModule, RateLimitModule],
  providers: [
    SessionCookies,
    CsrfProtection,
    AccessTokenVerifier,
    IdTokenVerifier,
    CognitoAccessStrategy,
    RevocationService,
    SessionTermination,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [
    SessionTermination,
    AccessTokenVerifier,
    IdTokenVerifier,
    RevocationService,
    SessionCookies,
    CsrfProtection,
    RateLimitModule,
  ],
})
export class GuardModule {}
