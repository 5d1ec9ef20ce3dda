import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../guard';
import { LiveRoute, ReadyRoute } from './health.routes';
import { ReadinessService } from './readiness.service';

/** Liveness and readiness for load balancers and orchestrators. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @LiveRoute()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @ReadyRoute()
  ready(): Promise<HealthCheckResult> {
    return this.readiness.check();
  }
}
