import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { httpConfig, redisConfig } from '../../config';
import { accountOf, AuthRateLimitGuard, PER_ACCOUNT, PER_IP } from './auth-rate-limit.guard';
import { ResilientThrottlerStorage } from './resilient-throttler.storage';

const accountOfContext = (context: ExecutionContext) =>
  accountOf(context.switchToHttp().getRequest());

/**
 * Rate limits for the auth routes (RATE_LIMIT_IP and RATE_LIMIT_ACCOUNT per
 * RATE_LIMIT_WINDOW_SECONDS, per route). Counters live in memory, or in Redis with REDIS_URL so
 * that every instance counts together.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [httpConfig.KEY, redisConfig.KEY],
      useFactory: (http: ConfigType<typeof httpConfig>, redis: ConfigType<typeof redisConfig>) => {
        const ttl = http.rateLimit.windowSeconds * 1000;
        return {
          throttlers: [
            { name: PER_IP, limit: http.rateLimit.perIp, ttl },
            {
              name: PER_ACCOUNT,
              limit: http.rateLimit.perAccount,
              ttl,
              getTracker: (request: Record<string, unknown>) => accountOf(request) ?? '',
              skipIf: (context: ExecutionContext) => accountOfContext(context) === undefined,
            },
          ],
          storage: redis.url ? new ResilientThrottlerStorage(redis.url) : undefined,
          // Only Retry-After, on the 429 itself; no X-RateLimit-* headers per throttler.
          setHeaders: false,
        };
      },
    }),
  ],
  providers: [AuthRateLimitGuard],
  exports: [AuthRateLimitGuard],
})
export class RateLimitModule {}
