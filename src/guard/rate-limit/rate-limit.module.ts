import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { httpConfig, redisConfig } from '../../config';
import {
  accountOf,
  AuthRateLimitGuard,
  MESSAGES,
  PER_ACCOUNT,
  PER_IP,
  sendsMessage,
  DESTINATIONS,
  destinationOf,
} from './auth-rate-limit.guard';
import { PasswordFailures } from './password-failures';
import { RateLimitStore } from './rate-limit.store';

const accountOfContext = (context: ExecutionContext) =>
  accountOf(context.switchToHttp().getRequest());

const HOUR_MS = 3600 * 1000;

/** One store per app: in memory, or in Redis with REDIS_URL. */
@Module({
  providers: [
    {
      provide: RateLimitStore,
      inject: [redisConfig.KEY],
      useFactory: (redis: ConfigType<typeof redisConfig>) => new RateLimitStore(redis.url),
    },
  ],
  exports: [RateLimitStore],
})
class RateLimitStoreModule {}

/**
 * Rate limits for the auth routes: RATE_LIMIT_IP and RATE_LIMIT_ACCOUNT requests per
 * RATE_LIMIT_WINDOW_SECONDS on each route; RATE_LIMIT_MESSAGES codes or invitations per account
 * per hour, all routes together; and the wrong-password budget (PasswordFailures). Counters live
 * in memory, or in Redis with REDIS_URL so that every instance counts together.
 */
@Module({
  imports: [
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [httpConfig.KEY, RateLimitStore],
      useFactory: (http: ConfigType<typeof httpConfig>, storage: RateLimitStore) => {
        const ttl = http.rateLimit.windowSeconds * 1000;
        const skipWithoutAccount = (context: ExecutionContext) =>
          accountOfContext(context) === undefined;
        return {
          throttlers: [
            { name: PER_IP, limit: http.rateLimit.perIp, ttl },
            {
              name: PER_ACCOUNT,
              limit: http.rateLimit.perAccount,
              ttl,
              getTracker: (request: Record<string, unknown>) => accountOf(request) ?? '',
              skipIf: skipWithoutAccount,
            },
            {
              name: MESSAGES,
              limit: http.rateLimit.messagesPerHour,
              ttl: HOUR_MS,
              getTracker: (request: Record<string, unknown>) => accountOf(request) ?? '',
              // One budget per account across every route that sends a message.
              generateKey: (_context: ExecutionContext, account: string) =>
                createHash('sha256').update(`${MESSAGES}-${account}`).digest('hex'),
              skipIf: (context: ExecutionContext) =>
                !sendsMessage(context) || skipWithoutAccount(context),
            },
            {
              name: DESTINATIONS,
              limit: http.rateLimit.messagesPerHour,
              ttl: HOUR_MS,
              getTracker: (request: Record<string, unknown>) => destinationOf(request) ?? '',
              // The same budget per destination, whichever accounts ask for codes to it.
              generateKey: (_context: ExecutionContext, destination: string) =>
                createHash('sha256').update(`${DESTINATIONS}-${destination}`).digest('hex'),
              skipIf: (context: ExecutionContext) =>
                !sendsMessage(context) ||
                destinationOf(context.switchToHttp().getRequest()) === undefined,
            },
          ],
          storage,
          // Only Retry-After, on the 429 itself; no X-RateLimit-* headers per throttler.
          setHeaders: false,
        };
      },
    }),
  ],
  providers: [AuthRateLimitGuard, PasswordFailures],
  exports: [AuthRateLimitGuard, PasswordFailures],
})
export class RateLimitModule {}
