import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/**
 * User data sync: `SYNC_TABLE`, `SYNC_DYNAMODB_ENDPOINT`, `SYNC_DYNAMODB_REGION`.
 */
export const syncConfig = registerAs('sync', () => loadConfiguration().sync);
