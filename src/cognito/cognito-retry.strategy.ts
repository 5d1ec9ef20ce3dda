import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import { isUnsupportedOperation } from './cognito-errors';

/**
 * Error names that another attempt cannot fix. A timed-out request is not retried: a Cognito that
 * hangs once is likely to hang again, and the caller is waiting.
 */
const FINAL_ERRORS = new Set(['TimeoutError', 'RequestTimeout']);

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
    const { error } = errorInfo as RetryErrorInfo & { error?: { name?: string } };
    // An operation the endpoint does not implement (an emulator's answer, HTTP 500 or 501) stays
    // unimplemented however often it is asked; the SDK would retry the 500s as server errors.
    if (isUnsupportedOperation(error) || (error?.name && FINAL_ERRORS.has(error.name))) {
      return Promise.reject(new Error(`${error?.name ?? 'The error'} is not retried`));
    }
    return this.standard.refreshRetryTokenForRetry(token, errorInfo);
  }

  recordSuccess(token: StandardRetryToken): void {
    this.standard.recordSuccess(token);
  }
}
