import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { GuardModule } from '../guard';
import { IdentityModule } from '../identity/identity.module';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

/**
 * User data sync: Cognito Sync's datasets of key/value records with sync counts, over REST, on
 * the store the Cognito module provides (DynamoDB, or Cognito Sync itself for an identity pool's
 * identities, found through the identity module).
 */
@Module({
  imports: [CognitoModule, GuardModule, IdentityModule],
  controllers: [SyncController],
  providers: [SyncService],
})
export class SyncModule {}
