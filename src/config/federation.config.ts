import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/**
 * Sign-in with a provider: `COGNITO_DOMAIN`, `OAUTH_REDIRECT_URI`, `OAUTH_LOGOUT_URI`,
 * `OAUTH_SCOPES`, `OAUTH_PROVIDERS`, `OAUTH_RETURN_ORIGINS`.
 */
export const federationConfig = registerAs('federation', () => loadConfiguration().federation);
