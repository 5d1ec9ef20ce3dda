import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME, COOKIE_SCHEME, sessionCookieNames } from '../guard';
import { MAX_JSON_DEPTH } from '../common/http/json-body';
import { pathOf } from '../common/http/path-of';
import type { Configuration } from '../config';
import { BODY_LIMIT_BYTES } from './body-parsing.setup';

/** Where Swagger UI is served: the page, its files under `/docs/`, the OpenAPI JSON. */
const DOCS_PATH = 'docs';
const DOCS_ASSETS = `/${DOCS_PATH}/`;

/**
 * Whether a URL asks for something under `/docs/` other than a plain file name. Swagger UI's files
 * are plain names (`swagger-ui.css`); anything else (`..`, `%2e%2e`, `%00`, backslashes,
 * subfolders) is answered 404 before @fastify/static sees it: it would refuse them with errors of
 * its own that are not HTTP exceptions, i.e. 500s.
 */
export function isOddDocsPath(url: string): boolean {
  return (
    url.startsWith(DOCS_ASSETS) &&
    !/^[\w-]+(?:\.[\w-]+)*$|^$/.test(pathOf(url).slice(DOCS_ASSETS.length))
  );
}

/**
 * An operation's id: its controller without `Controller`, in snake case, and its method, e.g.
 * `auth_login`, `account_update`: stable and readable names for generated clients.
 */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  const controller = controllerKey
    .replace(/Controller$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
  return `${controller}_${methodKey}`;
}

/**
 * The app's OpenAPI document, from its routes' decorators: what /docs-json serves and what
 * `npm run openapi` writes to clients/openapi.json (from an app that never starts).
 */
export function openApiDocument(app: INestApplication, config: Configuration): OpenAPIObject {
  const names = sessionCookieNames(config.auth);
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cognito auth API')
      .setDescription(
        [
          'Amazon Cognito user pools behind a REST API. Sign in with `POST /auth/login`: the ' +
            'session cookies then authorise the other requests of this page, or paste the ' +
            '`accessToken` into **Authorize** (bearer).',
          '**A pasted token is kept** in this browser (local storage), across reloads, and wins ' +
            'over the cookies until you remove it: **Authorize**, then **Logout** in that dialog ' +
            '(`POST /auth/logout` does not remove it). After signing out and in again, a stale ' +
            'one is answered 401 naming the Authorization header.',
          'With cookies, POST, PUT, PATCH and DELETE requests also need the ' +
            `\`${names.csrfToken}\` cookie value in \`X-XSRF-TOKEN\` (403 \`CSRF_REJECTED\` ` +
            'otherwise); this page sends it by itself.',
          '**Copied curl commands** carry that header but not the cookies: they are httpOnly, ' +
            'so this page cannot read them (the browser adds them to its own requests). In a ' +
            `terminal, add them with \`-b '${names.access}=…; ${names.csrfSecret}=…'\` (values ` +
            "from the browser's developer tools, Application → Cookies), or drop the cookies and " +
            "the X-XSRF-TOKEN header and send the login answer's `accessToken` as " +
            "`-H 'Authorization: Bearer …'`.",
          'Sign-in, sign-up, code and password routes are rate limited (429 ' +
            '`TOO_MANY_REQUESTS` with `Retry-After`). Bodies are JSON of at most ' +
            `${BODY_LIMIT_BYTES / 1024} kB, nested at most ${MAX_JSON_DEPTH} levels deep. ` +
            'Answers of the auth, account and admin routes, and every error, are ' +
            '`Cache-Control: no-store`. Every error has the body ' +
            '`{ statusCode, error, message, requestId }`.',
        ].join('\n\n'),
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
    { operationIdFactory: operationIdOf },
  );
}

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: NestFastifyApplication, config: Configuration): void {
  SwaggerModule.setup(DOCS_PATH, app, openApiDocument(app, config), {
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
