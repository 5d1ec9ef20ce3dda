import { HttpStatus, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { AccessTokenVerifier, RevocationService } from '../guard';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { CognitoReachability } from '../cognito/cognito-reachability';
import { ShutdownState } from './shutdown-state';

/**
 * Whether requests can be served: the token signing keys are loaded, Cognito answers (and its
 * identity pool service, when one is set up) and, with REDIS_URL, Redis answers; never while the
 * process drains for a shutdown.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: RevocationService,
    private readonly cognito: CognitoReachability,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Terminus' report when ready; else 503 `UPSTREAM_UNAVAILABLE` naming what is down. */
  async check(): Promise<HealthCheckResult> {
    if (this.shutdown.draining) {
      throw new AppException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ErrorCode.UPSTREAM_UNAVAILABLE,
        'Not ready: shutting down.',
        { retryAfterSeconds: 5 },
      );
    }
    try {
      return await this.health.check([
        () => this.signingKeys(),
        () => this.cognitoReachable(),
        () => this.identityPool(),
        () => this.redis(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {}).join(', ');
      throw new AppException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `Not ready: ${down} down.`,
        { retryAfterSeconds: 5 },
      );
    }
  }

  private async signingKeys(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('signingKeys');
    return (await this.verifier.loadKeys()) ? check.up() : check.down();
  }

  private async cognitoReachable(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('cognito');
    return (await this.cognito.isReachable()) ? check.up() : check.down();
  }

  private async identityPool(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('identityPool');
    const pool = this.cognito.identityPool();
    if (!pool.configured) return check.up({ configured: false });
    return (await pool.reachable) ? check.up() : check.down();
  }

  private async redis(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('redis');
    if (!this.revocations.usesRedis) return check.up({ configured: false });
    return (await this.revocations.storeHealthy()) ? check.up() : check.down();
  }
}
