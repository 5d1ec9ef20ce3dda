import { Logger, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownState } from '../health/shutdown-state';

/** A provider the root module may not include (a Nest developer's own app may lack HealthModule). */
function optional<T>(app: NestFastifyApplication, type: Type<T>): T | undefined {
  try {
    return app.get(type, { strict: false });
  } catch {
    return undefined;
  }
}

/** How long in-flight requests may take to finish after the server stops accepting new ones. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * SIGTERM and SIGINT stop the process gracefully: readiness turns 503 at once, new requests are
 * still served for SHUTDOWN_DELAY_MS (while a load balancer notices), then the server stops
 * accepting, the requests in flight finish, every module shuts down (the embedded emulator is
 * stopped) and the process exits 0. A second signal, or a shutdown that outlasts its grace
 * period, ends the process at once.
 */
export function installGracefulShutdown(app: NestFastifyApplication, delayMs: number): void {
  const logger = new Logger('Shutdown');
  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal} received: draining, then stopping`);
    optional(app, ShutdownState)?.begin();
    // A keep-alive connection would hold the server open after its last answer: from now on,
    // connections close as soon as they are idle (Node reads this when each answer ends).
    app.getHttpServer().keepAliveTimeout = 1;
    setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, delayMs + SHUTDOWN_GRACE_MS).unref();
    setTimeout(() => {
      app.close().then(
        () => {
          logger.log('Stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ msg: 'Shutdown failed', err: error });
          process.exit(1);
        },
      );
    }, delayMs);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
