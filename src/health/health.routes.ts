import { applyDecorators, Get, HttpStatus } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { Responds } from '../common/http/responds.decorator';
import { LIVE_EXAMPLE, READY_EXAMPLE } from './health.examples';

/**
 * The routes of HealthController, one decorator each: method and path and the Swagger
 * documentation. Both are public (the controller's `@Public()`).
 */

export const LiveRoute = (): MethodDecorator =>
  applyDecorators(
    Get('live'),
    ApiOperation({ summary: 'Liveness: 200 while the process runs' }),
    Responds(HttpStatus.OK, {
      description: 'The process is up.',
      schema: { example: LIVE_EXAMPLE },
    }),
  );

export const ReadyRoute = (): MethodDecorator =>
  applyDecorators(
    Get('ready'),
    HealthCheck({ swaggerDocumentation: false }),
    ApiOperation({
      summary: 'Readiness: 200 when requests can be served',
      description:
        'Checks that the token signing keys are loaded, that Cognito answers and, with REDIS_URL, ' +
        'that Redis answers. Answers 503 from the moment the process is asked to stop.',
    }),
    Responds(HttpStatus.OK, { description: 'Ready.', schema: { example: READY_EXAMPLE } }),
    ApiErrors({ 503: 'Not ready; the message names what is down (`UPSTREAM_UNAVAILABLE`).' }),
  );
