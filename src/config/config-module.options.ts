import type { ConfigModuleOptions } from '@nestjs/config';
import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { cognitoConfig } from './cognito.config';
import { federationConfig } from './federation.config';
import { httpConfig } from './http.config';
import { identityConfig } from './identity.config';
import { redisConfig } from './redis.config';
import { syncConfig } from './sync.config';

/**
 * Configuration comes from the environment, plus a `.env` file in the working directory when one
 * exists (never in tests, so a developer's `.env` cannot change what the tests see).
 */
export const configModuleOptions: ConfigModuleOptions = {
  isGlobal: true,
  cache: true,
  ignoreEnvFile: process.env.NODE_ENV === 'test',
  load: [
    appConfig,
    cognitoConfig,
    authConfig,
    httpConfig,
    redisConfig,
    federationConfig,
    identityConfig,
    syncConfig,
  ],
};
