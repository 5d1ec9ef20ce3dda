import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Configuration } from '../config';

/**
 * Only the configured origins, with credentials (cookies); others get no CORS headers at all, and
 * with no origin configured nothing is enabled. The adapter runs CORS in its own onRequest hook,
 * ahead of every hook added in configureApp, so a preflight is answered before those run, without
 * their headers.
 */
export function enableCors(app: NestFastifyApplication, config: Configuration): void {
  if (config.http.corsOrigins.length === 0) return;
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
