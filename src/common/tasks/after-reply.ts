import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AppException } from '../errors/app.exception';

/**
 * How long after the answer the work starts. Work started on the very next turn (setImmediate)
 * ran before a client on the same machine had read the answer; measured here, the emulator
 * making and saving a reset code then slowed existing accounts' answers by 0.8 to 1.4 ms in
 * plain medians, against 0.1 ms or less when the work started 10 ms later.
 */
const START_AFTER_MS = 10;

/**
 * Work a route starts only once its answer is on its way, so that how long the answer takes
 * cannot depend on that work. A failure is logged (its error code, nothing the caller sent); the
 * answer has gone already. The application waits for work in progress before it stops.
 */
@Injectable()
export class AfterReply implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AfterReply');
  private readonly pending = new Set<Promise<void>>();

  /**
   * Runs `task` a moment after the handler's answer has been written (which happens in the
   * promise callbacks that follow the handler, before the event loop turns).
   */
  run(what: string, task: () => Promise<unknown>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, START_AFTER_MS))
      .then(task)
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.warn({
            msg: `${what} failed after the answer was sent`,
            error: error instanceof AppException ? error.code : 'INTERNAL_ERROR',
            err: error instanceof AppException ? undefined : error,
          }),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  async beforeApplicationShutdown(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
