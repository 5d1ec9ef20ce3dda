import fastifyCookie from '@fastify/cookie';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { AccessLogController } from './common/logging/access-log';
import { PinoNestLogger } from './common/logging/pino-nest.logger';
import { createRootLogger, logDestination } from './common/logging/root-logger';
import { createValidationPipe } from './common/validation/validation.pipe';
import { loadConfiguration, type Configuration } from './config';
import { acceptJsonBodiesOnly, BODY_LIMIT_BYTES } from './setup/body-parsing.setup';
import { enableCors } from './setup/cors.setup';
import { answerClientErrors, answerFrameworkErrors } from './setup/framework-errors.setup';
import { requestId } from './setup/request-id.setup';
import { addAnswerHeaders, answerHeaders } from './setup/security-headers.setup';
import { setupSwagger } from './setup/swagger.setup';

export { BODY_LIMIT_BYTES } from './setup/body-parsing.setup';
export { installGracefulShutdown } from './setup/shutdown.setup';
export { setupSwagger } from './setup/swagger.setup';

/**
 * Everything between "a Nest application exists" and "it listens": validation, the error body,
 * cookies, CORS, security headers and request ids, JSON-only bodies and Swagger. main.ts and every
 * e2e test call this, so tests exercise the same pipeline as production.
 */
export async function configureApp(
  app: NestFastifyApplication,
  config: Configuration,
): Promise<NestFastifyApplication> {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // Before our hooks: Fastify runs hooks of one kind in the order added, so cookies parse first.
  await app.register(fastifyCookie);
  enableCors(app, config);

  const fastify = app.getHttpAdapter().getInstance();
  addAnswerHeaders(fastify, config);
  acceptJsonBodiesOnly(fastify);
  if (config.app.swaggerEnabled) setupSwagger(app, config);
  return app;
}

export interface CreateAppOptions {
  /** Where log lines go; standard output when not given. Tests collect them here. */
  logDestination?: DestinationStream;
}

/**
 * Creates the application the way it runs in production. Configuration is validated first, so a
 * bad environment fails before anything starts, with every problem named. Tests pass a root module
 * that imports AppModule to mount extra routes.
 */
export async function createApp(
  rootModule: Type = AppModule,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const config = loadConfiguration();
  const logger = createRootLogger(
    config.app.logLevel,
    options.logDestination ?? logDestination(config.app),
  );
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      // A path parameter, percent-encoded as the router sees it, may be a 254-character email or
      // a 128-character federated subject (up to 4 UTF-8 bytes, 12 encoded characters, each); the
      // router's default of 100 would refuse those before validation.
      routerOptions: { maxParamLength: 1536 },
      genReqId: requestId,
      requestIdHeader: false,
      loggerInstance: logger,
      logController: new AccessLogController(),
      // Client addresses come from the socket unless a trusted proxy is configured.
      trustProxy: config.http.trustProxy,
      frameworkErrors: answerFrameworkErrors(answerHeaders(config)),
      clientErrorHandler: answerClientErrors,
    }),
    // JSON bodies are parsed by configureApp's parser (registerJsonParser), not Nest's.
    { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
  );
  return configureApp(app, config);
}
