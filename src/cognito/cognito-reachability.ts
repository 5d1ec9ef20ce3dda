import { Injectable } from '@nestjs/common';
import { CognitoConnection } from './cognito-connection';

/** How long a probe may take, and how long its answer is reused. */
const PROBE_TIMEOUT_MS = 2000;
const PROBE_REUSE_MS = 1000;

/**
 * Whether Cognito can be reached right now, for readiness. Any HTTP answer from the service's
 * address counts (Cognito answers a bare GET with an error, which proves the network path and
 * TLS); a refused connection, a DNS failure or no answer within 2 s does not. Probes are reused
 * for a second, so a flood of readiness checks does not become a flood of requests upstream.
 */
@Injectable()
export class CognitoReachability {
  private last?: { at: number; reachable: Promise<boolean> };

  constructor(private readonly connection: CognitoConnection) {}

  get address(): string {
    return (
      this.connection.endpoint ?? `https://cognito-idp.${this.connection.region}.amazonaws.com/`
    );
  }

  isReachable(): Promise<boolean> {
    const now = Date.now();
    if (!this.last || now - this.last.at > PROBE_REUSE_MS) {
      this.last = { at: now, reachable: this.probe() };
    }
    return this.last.reachable;
  }

  private async probe(): Promise<boolean> {
    try {
      const response = await fetch(this.address, {
        method: 'GET',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }
}
