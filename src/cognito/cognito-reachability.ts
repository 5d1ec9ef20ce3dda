import { Injectable } from '@nestjs/common';
import { CognitoConnection } from './cognito-connection';

/** How long a probe may take, and how long its answer is reused. */
const PROBE_TIMEOUT_MS = 2000;
const PROBE_REUSE_MS = 1000;

/**
 * Whether one service address answers. Any HTTP answer counts (Cognito answers a bare GET with an
 * error, which proves the network path and TLS); a refused connection, a DNS failure or no answer
 * within 2 s does not. Probes are reused for a second, so a flood of readiness checks does not
 * become a flood of requests upstream.
 */
class AddressProbe {
  private last?: { at: number; reachable: Promise<boolean> };

  constructor(readonly address: string) {}

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

/**
 * Whether Cognito can be reached right now, for readiness: the user pool's service and, when one
 * is set up, the identity pool's (Cognito Identity, another service with its own address).
 */
@Injectable()
export class CognitoReachability {
  private readonly userPool: AddressProbe;
  private readonly identity?: AddressProbe;

  constructor(connection: CognitoConnection) {
    this.userPool = new AddressProbe(
      connection.endpoint ?? `https://cognito-idp.${connection.region}.amazonaws.com/`,
    );
    const pool = connection.identityPool;
    if (pool) {
      this.identity = new AddressProbe(
        pool.endpoint ?? `https://cognito-identity.${pool.region}.amazonaws.com/`,
      );
    }
  }

  get address(): string {
    return this.userPool.address;
  }

  isReachable(): Promise<boolean> {
    return this.userPool.isReachable();
  }

  /** Whether an identity pool is set up, and if so whether its service answers. */
  identityPool(): { configured: false } | { configured: true; reachable: Promise<boolean> } {
    return this.identity
      ? { configured: true, reachable: this.identity.isReachable() }
      : { configured: false };
  }
}
