import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { GuardModule } from '../guard';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

/**
 * User data sync: Cognito Sync's datasets of key/value records with sync counts, over REST, on
 * the store the Cognito module provides (DynamoDB).
 */
@Module({
  imports: [CognitoModule, GuardModule],
  controllers: [SyncController],
  providers: [SyncService],
})
export class SyncModule {}
