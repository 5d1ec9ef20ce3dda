import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module';
import { parseEnvironment } from '../config/environment';
import { openApiDocument } from './swagger.setup';

/**
 * The OpenAPI document of the app with its default settings, from an application in Nest's
 * preview mode: the routes and their decorators are read, but no provider is made, so nothing
 * starts (no emulator, no store, no listening socket) and nothing is needed from the machine.
 * The same document /docs-json serves with the same settings.
 */
export async function publishedOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return openApiDocument(app, parseEnvironment({}));
  } finally {
    await app.close();
  }
}

/** The document as clients/openapi.json holds it: two-space JSON and a final newline. */
export function serialiseOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
