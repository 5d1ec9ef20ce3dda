import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/** `REDIS_URL`: shared state (token revocations) for several instances. */
export const redisConfig = registerAs('redis', () => loadConfiguration().redis);
