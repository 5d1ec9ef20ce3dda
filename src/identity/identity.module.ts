import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuthModule } from '../auth/auth.module';
import { CognitoModule } from '../cognito/cognito.module';
import { SealedBox } from '../common/crypto/sealed-box';
import { SEALING_KEY } from '../common/crypto/sealing-key';
import { LoggingModule } from '../common/logging/logging.module';
import { redisConfig } from '../config';
import { GuardModule } from '../guard';
import { CognitoConnection } from '../cognito/cognito-connection';
import { CredentialsCache } from './credentials-cache';
import { IdentityDirectory } from './identity-directory';
import { IdentityController } from './identity.controller';
import { IdentityService } from './identity.service';

/**
 * Identity pools: a signed-in user's ID token (or a guest) becomes temporary AWS credentials of
 * the pool's IAM roles.
 */
@Module({
  imports: [CognitoModule, LoggingModule, GuardModule, AuthModule],
  controllers: [IdentityController],
  providers: [
    IdentityService,
    {
      // The key that seals sign-in steps (CHALLENGE_SESSION_KEY), for another purpose.
      provide: CredentialsCache,
      inject: [SEALING_KEY, redisConfig.KEY],
      useFactory: (key: Buffer, redis: ConfigType<typeof redisConfig>) =>
        new CredentialsCache(new SealedBox(key, 'nest-cognito-auth aws-credentials v1'), redis.url),
    },
    {
      // Needed by user data sync in Cognito Sync, which keeps datasets per identity.
      provide: IdentityDirectory,
      inject: [CognitoConnection, redisConfig.KEY],
      useFactory: (connection: CognitoConnection, redis: ConfigType<typeof redisConfig>) =>
        new IdentityDirectory(connection.cognitoSync !== undefined, redis.stateDir, redis.url),
    },
  ],
  // For a module of the app that needs a user's credentials itself (docs/api.md).
  exports: [IdentityService],
})
export class IdentityModule {}
