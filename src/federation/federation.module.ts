import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuthModule } from '../auth/auth.module';
import { CognitoModule } from '../cognito/cognito.module';
import { SealedBox } from '../common/crypto/sealed-box';
import { SEALING_KEY } from '../common/crypto/sealing-key';
import { LoggingModule } from '../common/logging/logging.module';
import { redisConfig } from '../config';
import { GuardModule } from '../guard';
import { FederationController } from './federation.controller';
import { FederationService } from './federation.service';
import { SEALED_BOX } from './sealed-box.token';
import { OneTimeValues } from './one-time-values';
import { StateCookie } from './state-cookie';

/**
 * Sign-in with a provider (Google, Apple, Facebook, Amazon, SAML, OIDC, or the pool's own page)
 * through the pool's managed login, ending in the same session as a password sign-in.
 */
@Module({
  imports: [CognitoModule, LoggingModule, GuardModule, AuthModule],
  controllers: [FederationController],
  providers: [
    FederationService,
    StateCookie,
    {
      // The key that seals sign-in steps (CHALLENGE_SESSION_KEY), for another purpose.
      provide: SEALED_BOX,
      inject: [SEALING_KEY],
      useFactory: (key: Buffer) => new SealedBox(key, 'nest-cognito-auth oauth v1'),
    },
    {
      provide: OneTimeValues,
      inject: [redisConfig.KEY],
      useFactory: (redis: ConfigType<typeof redisConfig>) => new OneTimeValues(redis.url),
    },
  ],
})
export class FederationModule {}
