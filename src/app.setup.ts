import fastifyCookie from '@fastify/cookie';
import { HttpStatus, type LogLevel, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { ACCESS_TOKEN_COOKIE, BEARER_SCHEME, COOKIE_SCHEME } from './auth/auth.constants';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { AppException } from './common/errors/app.exception';
import { ErrorCode } from './common/errors/error-code';
import { createValidationPipe } from './common/validation/validation.pipe';
import { loadConfiguration, type Configuration } from './config';

/** Request bodies are small JSON documents; anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 100 * 1024;

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** An incoming `X-Request-Id` is kept when it is short and plain; otherwise a new id is made. */
function requestId(request: { headers: Headers }): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

type Headers = Record<string, string | string[] | undefined>;

function hasBody(headers: Headers): boolean {
  const length = headers['content-length'];
  return (
    (typeof length === 'string' && length !== '0') || headers['transfer-encoding'] !== undefined
  );
}

function isJson(contentType: string | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

function enabledLevels(level: Configuration['app']['logLevel']): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/**
 * Everything between "a Nest application exists" and "it listens": validation, the error body,
 * cookies, request ids, shutdown hooks and Swagger. main.ts and every e2e test call this, so tests
 * exercise the same pipeline as production.
 */
export async function configureApp(
  app: NestFastifyApplication,
  config: Configuration,
): Promise<NestFastifyApplication> {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  await app.register(fastifyCookie);

  const fastify = app.getHttpAdapter().getInstance();
  // The guard sets request.user on every guarded request; declaring it keeps Fastify's request
  // objects one shape instead of growing a property per request.
  fastify.decorateRequest('user', null);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // JSON only: a body of any other type is refused before parsing, whatever parsers exist
  // (Fastify accepts text/plain and Nest adds urlencoded forms by default).
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (hasBody(request.headers) && !isJson(request.headers['content-type'])) {
      done(
        new AppException(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          'Send the body as application/json.',
        ),
      );
      return;
    }
    done(null, payload);
  });

  app.enableShutdownHooks();
  if (config.app.swaggerEnabled) setupSwagger(app);
  return app;
}

export function setupSwagger(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cognito auth API')
      .setDescription(
        'Amazon Cognito user pools behind a REST API. Sign in with `POST /auth/login`: the ' +
          'session cookies then authorise the other requests of this page, or paste the ' +
          '`accessToken` into **Authorize** (bearer). Every error has the body ' +
          '`{ statusCode, error, message, requestId }`.',
      )
      .setVersion('0.1.0')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito access token',
        },
        BEARER_SCHEME,
      )
      .addCookieAuth(ACCESS_TOKEN_COOKIE, { type: 'apiKey', in: 'cookie' }, COOKIE_SCHEME)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Cognito auth API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}

/**
 * Creates the application the way it runs in production. Configuration is validated first, so a
 * bad environment fails before anything starts, with every problem named. Tests pass a root module
 * that imports AppModule to mount extra routes.
 */
export async function createApp(rootModule: Type = AppModule): Promise<NestFastifyApplication> {
  const config = loadConfiguration();
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      genReqId: requestId,
      requestIdHeader: false,
      // Client addresses come from the socket unless a trusted proxy is configured.
      trustProxy: false,
    }),
    { logger: enabledLevels(config.app.logLevel), abortOnError: false },
  );
  return configureApp(app, config);
}
