import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_GUARD } from '@nestjs/core';
import { CognitoModule } from '../cognito/cognito.module';
import { LoggingModule } from '../common/logging/logging.module';
import { AfterReply } from '../common/tasks/after-reply';
import { ACCESS_STRATEGY_NAME, ACCESS_STRATEGY_PREFIX } from './auth.constants';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AccessTokenVerifier } from './jwt/access-token.verifier';
import { CognitoAccessStrategy } from './jwt/cognito-access.strategy';
import { JwtAuthGuard } from './jwt/jwt-auth.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RevocationService } from './revocation/revocation.service';
import { SessionTermination } from './revocation/session-termination';
import { SessionCookies } from './session-cookies';
import { CsrfProtection } from './csrf';
import { authConfig, cognitoConfig } from '../config';
import type { ConfigType } from '@nestjs/config';
import { ChallengeSessions } from './challenge/challenge-sessions';
import { challengeSessionKey } from './challenge/challenge-session-key';

/**
 * The authentication flows over REST, and the global guard that protects every route of the app
 * (deny by default; `@Public()` opts out). Import it once in the root module.
 */
@Module({
  imports: [CognitoModule, LoggingModule, RateLimitModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    AfterReply,
    SessionCookies,
    CsrfProtection,
    AccessTokenVerifier,
    CognitoAccessStrategy,
    RevocationService,
    SessionTermination,
    {
      provide: ACCESS_STRATEGY_NAME,
      useFactory: () => `${ACCESS_STRATEGY_PREFIX}:${randomUUID()}`,
    },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    {
      provide: ChallengeSessions,
      inject: [authConfig.KEY, cognitoConfig.KEY],
      useFactory: (
        auth: ConfigType<typeof authConfig>,
        cognito: ConfigType<typeof cognitoConfig>,
      ) =>
        new ChallengeSessions(
          challengeSessionKey(auth, cognito),
          auth.challengeSessions.ttlSeconds,
        ),
    },
  ],
  exports: [
    SessionTermination,
    AccessTokenVerifier,
    RevocationService,
    SessionCookies,
    CsrfProtection,
    RateLimitModule,
  ],
})
export class AuthModule {}
