import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The framework's contexts whose `log` lines are routine start-up bookkeeping (starting, each
 * module initialised, each controller and route mapped, started): about 90 lines that would bury
 * the start-up summary, so they go out at `debug`. Their warnings and errors keep their level.
 */
export const ROUTINE_FRAMEWORK_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Nest's `Logger` on top of pino. A message may be a string or an object of fields (security events, audit lines); Nest's
 * trailing context argument becomes the `context` field. `log` is `info`, except the framework's
 * routine start-up lines (ROUTINE_FRAMEWORK_CONTEXTS), which are `debug`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, context?: unknown): void {
    const routine = typeof context === 'string' && ROUTINE_FRAMEWORK_CONTEXTS.has(context);
    this.write(routine ? 'debug' : 'info', message, context);
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
