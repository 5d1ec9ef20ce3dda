import { HttpException } from '@nestjs/common';
import type { ErrorCode } from './error-code';

export interface FieldError {
  field: string;
  messages: string[];
}

export interface AppExceptionOptions {
  cause?: unknown;
  /** Seconds a client should wait before trying again; sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Per-field problems of a validation failure. */
  details?: FieldError[];
  /**
   * What the client needs to recover, under one more field of the error body (e.g. `conflict`:
   * the records a sync write missed). Never a secret, never an upstream detail.
   */
  extra?: Record<string, unknown>;
}

/**
 * The one exception the application throws on purpose. It carries the HTTP status, a stable code
 * and a message that is safe to show to any client; the cause stays on the server.
 */
export class AppException extends HttpException {
  readonly retryAfterSeconds?: number;
  readonly details?: FieldError[];
  readonly extra?: Record<string, unknown>;

  constructor(
    status: number,
    readonly code: ErrorCode,
    message: string,
    options: AppExceptionOptions = {},
  ) {
    super(message, status, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
    this.extra = options.extra;
  }
}
