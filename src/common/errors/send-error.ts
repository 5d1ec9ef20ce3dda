import { randomUUID } from 'node:crypto';
import type { ErrorDescription } from './describe-exception';

/** The parts of a Fastify or Express request that an error answer needs. */
export interface ErrorRequest {
  id?: string;
  method?: string;
  url?: string;
}

/** The parts of a Fastify reply or Express response that an error answer needs; both chain. */
export interface ErrorReply {
  status(code: number): ErrorReply;
  header(name: string, value: string): ErrorReply;
  send(body: unknown): unknown;
}

/** Writes the one error body: `{ statusCode, error, message, requestId }` (+ `details` on 400s). */
export function sendError(reply: ErrorReply, request: ErrorRequest, error: ErrorDescription): void {
  const requestId = request.id ?? randomUUID();
  reply.status(error.statusCode).header('cache-control', 'no-store');
  if (error.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  reply.send({
    statusCode: error.statusCode,
    error: error.error,
    message: error.message,
    requestId,
    ...(error.details ? { details: error.details } : {}),
    ...error.extra,
  });
}
