import { HttpStatus } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { securityHeaders } from '../common/http/security-headers';
import type { Configuration } from '../config';
import { isOddDocsPath } from './swagger.setup';

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

export type SetAnswerHeaders = (request: FastifyRequest, reply: FastifyReply) => void;

/** What sets the headers every answer carries: helmet's and the request's id. */
export function answerHeaders(config: Configuration): SetAnswerHeaders {
  const headers = appSecurityHeaders(config);
  return (request, reply) => {
    reply.headers(headers).header('x-request-id', request.id);
  };
}

/**
 * The first hook of our own on every request: the answer's headers, then the refusal of odd
 * `/docs/` paths. One hook for both: each hook is one more call on every request.
 */
export function addAnswerHeaders(fastify: FastifyInstance, config: Configuration): void {
  const setHeaders = answerHeaders(config);
  fastify.addHook('onRequest', (request, reply, done) => {
    // Headers first, so that a refusal (here or in any later step) carries them too.
    setHeaders(request, reply);
    if (isOddDocsPath(request.url)) {
      done(new AppException(HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND, 'No such file.'));
      return;
    }
    done();
  });
}
