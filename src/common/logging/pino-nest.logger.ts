import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's `Logger` on top of pino. A message may be a string or an object of fields (security events, audit lines); Nest's
 * trailing context argument becomes the `context` field.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, context?: unknown): void {
    this.write('info', message, context);
  }

  fatal(message: unknown, context?: unknown): void {
    this.write('fatal', message, context);
  }

  /** Nest passes `(message, stack, context)`, `(message, context)` or `(message, stack)`. */
  error(message: unknown, ...params: unknown[]): void {
    if (params.length >= 2) {
      this.write('error', message, params[1], params[0]);
    } else if (isStack(params[0])) {
      this.write('error', message, undefined, params[0]);
    } else {
      this.write('error', message, params[0]);
    }
  }

  warn(message: unknown, context?: unknown): void {
    this.write('warn', message, context);
  }

  debug(message: unknown, context?: unknown): void {
    this.write('debug', message, context);
  }

  verbose(message: unknown, context?: unknown): void {
    this.write('trace', message, context);
  }

  private write(method: Method, message: unknown, context: unknown, stack?: unknown): void {
    const logger = this.root;
    if (!logger.isLevelEnabled(method)) return;
    const fields: Record<string, unknown> = {};
    if (typeof context === 'string') fields.context = context;
    if (typeof stack === 'string') fields.stack = stack;
    if (message instanceof Error) {
      logger[method]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      logger[method]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      logger[method](fields, String(message));
    }
  }
}

function isStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}
