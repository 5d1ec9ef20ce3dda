import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/** HTTP server settings: `PORT`, `HOST`, `NODE_ENV`, `LOG_LEVEL`, `SWAGGER_ENABLED`. */
export const appConfig = registerAs('app', () => loadConfiguration().app);
