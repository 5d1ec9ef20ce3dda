import { Injectable } from '@nestjs/common';

/**
 * Set once a termination signal arrives: readiness answers 503 from then on, so a load balancer
 * stops sending new requests while the ones in flight finish.
 */
@Injectable()
export class ShutdownState {
  private isDraining = false;

  get draining(): boolean {
    return this.isDraining;
  }

  begin(): void {
    this.isDraining = true;
  }
}
