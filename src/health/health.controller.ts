import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { AccessTokenVerifier, Public, RevocationService } from '../guard';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CognitoReachability } from '../cognito/cognito-reachability';
import { ShutdownState } from './shutdown-state';

/** Liveness and readiness for load balancers and orchestrators. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: RevocationService,
    private readonly cognito: CognitoReachability,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs' })
  @ApiOkResponse({ description: 'The process is up.', schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness: 200 when requests can be served',
    description:
      'Checks that the token signing keys are loaded, that Cognito answers and, with REDIS_URL, ' +
      'that Redis answers. Answers 503 from the moment the process is asked to stop.',
  })
  @ApiOkResponse({
    description: 'Ready.',
    schema: {
      example: {
        status: 'ok',
        info: {
          signingKeys: { status: 'up' },
          cognito: { status: 'up' },
          redis: { status: 'up', configured: false },
        },
        error: {},
        details: {},
      },
    },
  })
  @ApiErrors({ 503: 'Not ready; the message names what is down (`UPSTREAM_UNAVAILABLE`).' })
  async ready(): Promise<HealthCheckResult> {
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

  private async redis(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('redis');
    if (!this.revocations.usesRedis) return check.up({ configured: false });
    return (await this.revocations.storeHealthy()) ? check.up() : check.down();
  }
}
