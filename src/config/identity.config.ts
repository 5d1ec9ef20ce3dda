import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/**
 * Identity pools: `COGNITO_IDENTITY_POOL_ID`, `COGNITO_IDENTITY_ENDPOINT`,
 * `COGNITO_IDENTITY_ALLOW_GUESTS`.
 */
export const identityConfig = registerAs('identity', () => loadConfiguration().identity);
