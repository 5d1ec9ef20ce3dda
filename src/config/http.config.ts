import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/** Client-facing HTTP rules: `TRUST_PROXY`, `CORS_ORIGINS`, `RATE_LIMIT_*`. */
export const httpConfig = registerAs('http', () => loadConfiguration().http);
