import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/**
 * User data sync: `SYNC_BACKEND`; for DynamoDB `SYNC_TABLE`, `SYNC_DYNAMODB_ENDPOINT`,
 * `SYNC_DYNAMODB_REGION`; for Cognito Sync `COGNITO_SYNC_ENDPOINT`.
 */
export const syncConfig = registerAs('sync', () => loadConfiguration().sync);
