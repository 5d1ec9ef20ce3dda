import { Injectable } from '@nestjs/common';

/**
 * Set once a termination signal arrives: readiness answers 503 from then on, so a load balancer
 * stops sending new requests while the ones in flight finish.
 */
@Injectable()
export class ShutdownState {
  private drainingSince?: number;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  begin(): void {
    this.drainingSince ??= Date.now();
  }
}
