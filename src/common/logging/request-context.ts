import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

const requestLogs = new AsyncLocalStorage<Logger>();
const scopes = new WeakMap<FastifyRequest, AsyncResource>();

/**
 * The logger of the request being handled (a child carrying its `reqId`), or undefined outside a
 * request. Nest's `Logger` lines go through it, so a line written deep in a service still names
 * its request.
 */
export function currentRequestLog(): Logger | undefined {
  return requestLogs.getStore();
}

/**
 * Makes each request's logger the ambient one for everything that runs on its behalf. The body
 * is parsed in stream callbacks that belong to the socket, not to the request, so the context is
 * entered again before validation (the same approach as @fastify/request-context).
 */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    requestLogs.run(request.log as Logger, () => {
      const scope = new AsyncResource('request-log');
      scopes.set(request, scope);
      scope.runInAsyncScope(done, request.raw);
    });
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.runInAsyncScope(done, request.raw);
    else done();
  });
}
