import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GuardModule } from '../guard';
import { CognitoModule } from '../cognito/cognito.module';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';
import { ShutdownState } from './shutdown-state';

/** `/health/live` and `/health/ready`, and the draining state a shutdown sets. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), GuardModule, CognitoModule],
  controllers: [HealthController],
  providers: [ShutdownState, ReadinessService],
  exports: [ShutdownState],
})
export class HealthModule {}
