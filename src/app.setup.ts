import fastifyCookie from '@fastify/cookie';
import { HttpStatus, Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import { BEARER_SCHEME, COOKIE_SCHEME, sessionCookieNames } from './guard';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { AppException } from './common/errors/app.exception';
import { describeException } from './common/errors/describe-exception';
import { ErrorCode } from './common/errors/error-code';
import { sendError } from './common/errors/send-error';
import { MAX_JSON_DEPTH, registerJsonParser } from './common/http/json-body';
import { pathOf } from './common/http/path-of';
import { securityHeaders } from './common/http/security-headers';
import { PinoNestLogger } from './common/logging/pino-nest.logger';
import { createRootLogger, logDestination } from './common/logging/root-logger';
import { createValidationPipe } from './common/validation/validation.pipe';
import { loadConfiguration, type Configuration } from './config';
import { ShutdownState } from './health/shutdown-state';

/** Request bodies are small JSON documents; anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 100 * 1024;

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

/** Where Swagger UI is served: the page, its files under `/docs/`, the OpenAPI JSON. */
const DOCS_PATH = 'docs';
const DOCS_ASSETS = `/${DOCS_PATH}/`;

/**
 * Swagger UI's files are plain names (`swagger-ui.css`). Anything else under `/docs/` (`..`,
 * `%2e%2e`, `%00`, backslashes, subfolders) is answered 404 before @fastify/static sees it: it
 * would refuse them with errors of its own that are not HTTP exceptions, i.e. 500s.
 */
function isPlainAsset(url: string): boolean {
  return /^[\w-]+(?:\.[\w-]+)*$|^$/.test(pathOf(url).slice(DOCS_ASSETS.length));
}

/** helmet's headers, computed once (see securityHeaders) and set on every answer. */
function appSecurityHeaders(config: Configuration): Record<string, string> {
  return securityHeaders({
    // Strict for the API; Swagger UI needs its own scripts, inline styles and data: images.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Only where the API is served over HTTPS: on plain http (a development machine reached
        // by its LAN address) the browser would otherwise fetch Swagger UI's files over https.
        upgradeInsecureRequests: config.app.nodeEnv === 'production' ? [] : null,
      },
    },
    // HSTS only means something over HTTPS, where production runs (COOKIE_SECURE is forced there).
    strictTransportSecurity: config.app.nodeEnv === 'production',
  });
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
  if (config.http.corsOrigins.length > 0) {
    // Only the configured origins, with credentials (cookies); others get no CORS headers at all.
    app.enableCors({
      origin: config.http.corsOrigins,
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'content-type',
        'authorization',
        'x-xsrf-token',
        'x-csrf-token',
        'x-request-id',
      ],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }

  const fastify = app.getHttpAdapter().getInstance();
  // The guard sets request.user on every guarded request; declaring it keeps Fastify's request
  // objects one shape instead of growing a property per request.
  fastify.decorateRequest('user', null);
  registerJsonParser(fastify, fastify.initialConfig.bodyLimit ?? BODY_LIMIT_BYTES);
  const headers = appSecurityHeaders(config);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    if (request.url.startsWith(DOCS_ASSETS) && !isPlainAsset(request.url)) {
      done(new AppException(HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND, 'No such file.'));
      return;
    }
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

  if (config.app.swaggerEnabled) setupSwagger(app, config);
  return app;
}

export function setupSwagger(app: NestFastifyApplication, config: Configuration): void {
  const names = sessionCookieNames(config.auth);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cognito auth API')
      .setDescription(
        'Amazon Cognito user pools behind a REST API. Sign in with `POST /auth/login`: the ' +
          'session cookies then authorise the other requests of this page, or paste the ' +
          '`accessToken` into **Authorize** (bearer). A pasted token wins over the cookies ' +
          'until you remove it (**Authorize**, then **Logout**): after signing out and in again, ' +
          'a stale one is answered 401 naming the Authorization header. With cookies, POST, ' +
          'PUT, PATCH and DELETE ' +
          `requests also need the \`${names.csrfToken}\` cookie value in \`X-XSRF-TOKEN\` (403 ` +
          '`CSRF_REJECTED` otherwise); this page sends it by itself. Sign-in, sign-up, code and ' +
          'password routes are rate limited (429 `TOO_MANY_REQUESTS` with `Retry-After`). Bodies ' +
          `are JSON of at most 100 kB, nested at most ${MAX_JSON_DEPTH} levels deep. Answers of ` +
          'the auth, account and admin routes, and every error, are `Cache-Control: no-store`. ' +
          'Every error has the body `{ statusCode, error, message, requestId }`.',
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
      .addCookieAuth(
        names.access,
        {
          type: 'apiKey',
          in: 'cookie',
          description:
            'The httpOnly session cookie set by sign-in. Unsafe requests authenticated by it also ' +
            `send the ${names.csrfToken} cookie value in the X-XSRF-TOKEN header (CSRF ` +
            'protection; the token is bound to this session).',
        },
        COOKIE_SCHEME,
      )
      .build(),
  );
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'Cognito auth API',
    swaggerOptions: {
      persistAuthorization: true,
      displayRequestDuration: true,
      // Cookie sessions need the CSRF token on unsafe requests: copy it from its cookie, as a
      // browser app would. Serialised into the page, so it must stand alone: it takes the
      // prefixed cookie (the one a Secure session sets) before the plain one.
      requestInterceptor: (request: { headers: Record<string, string> }) => {
        const cookies = (globalThis as unknown as { document: { cookie: string } }).document.cookie;
        for (const prefix of ['__Host-', '__Secure-', '']) {
          const match = new RegExp(`(?:^|;\\s*)${prefix}XSRF-TOKEN=([^;]+)`).exec(cookies);
          if (match) {
            request.headers['X-XSRF-TOKEN'] = decodeURIComponent(match[1]);
            break;
          }
        }
        return request;
      },
    },
  });
}

/**
 * One access line per request, written when the answer is sent: the path without its query
 * string, the client address, the status and the time taken. Never headers or bodies.
 */
class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (!error && !(request.log as PinoLogger).isLevelEnabled('info')) return;
    const fields = {
      method: request.method,
      url: pathOf(request.url),
      ip: request.ip,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) request.log.error({ ...fields, err: error }, 'request errored');
    else request.log.info(fields, 'request completed');
  }
}

/** A provider the root module may not include (a Nest developer's own app may lack HealthModule). */
function optional<T>(app: NestFastifyApplication, type: Type<T>): T | undefined {
  try {
    return app.get(type, { strict: false });
  } catch {
    return undefined;
  }
}

/** How long in-flight requests may take to finish after the server stops accepting new ones. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * SIGTERM and SIGINT stop the process gracefully: readiness turns 503 at once, new requests are
 * still served for SHUTDOWN_DELAY_MS (while a load balancer notices), then the server stops
 * accepting, the requests in flight finish, every module shuts down (the embedded emulator is
 * stopped) and the process exits 0. A second signal, or a shutdown that outlasts its grace
 * period, ends the process at once.
 */
export function installGracefulShutdown(app: NestFastifyApplication, delayMs: number): void {
  const logger = new Logger('Shutdown');
  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal} received: draining, then stopping`);
    optional(app, ShutdownState)?.begin();
    // A keep-alive connection would hold the server open after its last answer: from now on,
    // connections close as soon as they are idle (Node reads this when each answer ends).
    app.getHttpServer().keepAliveTimeout = 1;
    setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, delayMs + SHUTDOWN_GRACE_MS).unref();
    setTimeout(() => {
      app.close().then(
        () => {
          logger.log('Stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ msg: 'Shutdown failed', err: error });
          process.exit(1);
        },
      );
    }, delayMs);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
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
  const headers = appSecurityHeaders(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      genReqId: requestId,
      requestIdHeader: false,
      loggerInstance: logger,
      logController: new AccessLogController(),
      // Client addresses come from the socket unless a trusted proxy is configured.
      trustProxy: config.http.trustProxy,
      // A URL Fastify cannot route (a bad percent-encoding such as `/%`, an overlong parameter)
      // is answered before any hook runs; it still gets the one error body and the headers.
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
        reply.headers(headers).header('x-request-id', request.id);
        sendError(
          reply,
          request,
          (error.statusCode ?? 500) < 500
            ? {
                statusCode: 400,
                error: ErrorCode.BAD_REQUEST,
                message: 'The address is not valid.',
              }
            : describeException(error),
        );
      },
    }),
    // JSON bodies are parsed by configureApp's parser (registerJsonParser), not Nest's.
    { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
  );
  return configureApp(app, config);
}
