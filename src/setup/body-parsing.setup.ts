import { HttpStatus } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { registerJsonParser } from '../common/http/json-body';

/** Request bodies are small JSON documents; anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 100 * 1024;

function hasBody(headers: IncomingHttpHeaders): boolean {
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

/**
 * JSON only: bodies are parsed by registerJsonParser within the server's body limit, and a body of
 * any other type is refused before parsing, whatever parsers exist (Fastify accepts text/plain and
 * Nest adds urlencoded forms by default).
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  registerJsonParser(fastify, fastify.initialConfig.bodyLimit ?? BODY_LIMIT_BYTES);
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
}
