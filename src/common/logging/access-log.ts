import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { pathOf } from '../http/path-of';

/**
 * One access line per request, written when the answer is sent: the path without its query
 * string, the client address, the status and the time taken. Never headers or bodies.
 */
export class AccessLogController extends LogController {
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
