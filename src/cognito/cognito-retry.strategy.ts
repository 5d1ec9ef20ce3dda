import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

/**
 * Error names that another attempt cannot fix. `Unsupported` is the embedded emulator's answer
 * (HTTP 500) for an operation it does not implement; the SDK would otherwise retry it as a
 * server error. A timed-out request is not retried either: a Cognito that hangs once is likely to
 * hang again, and the caller is waiting.
 */
const FINAL_ERRORS = new Set(['Unsupported', 'TimeoutError', 'RequestTimeout']);

/**
 * The SDK's standard strategy (bounded attempts, exponential backoff with jitter, a retry quota),
 * minus retries of errors that retrying cannot fix.
 */
export class CognitoRetryStrategy implements RetryStrategyV2 {
  private readonly standard: StandardRetryStrategy;

  constructor(maxAttempts: number) {
    this.standard = new StandardRetryStrategy(maxAttempts);
  }

  acquireInitialRetryToken(retryTokenScope: string): Promise<StandardRetryToken> {
    return this.standard.acquireInitialRetryToken(retryTokenScope);
  }

  refreshRetryTokenForRetry(
    token: StandardRetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    const name = (errorInfo as RetryErrorInfo & { error?: { name?: string } }).error?.name;
    if (name && FINAL_ERRORS.has(name)) {
      return Promise.reject(new Error(`${name} is not retried`));
    }
    return this.standard.refreshRetryTokenForRetry(token, errorInfo);
  }

  recordSuccess(token: StandardRetryToken): void {
    this.standard.recordSuccess(token);
  }
}
