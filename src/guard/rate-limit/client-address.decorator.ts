import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The client's address, as the rate limits see it: the socket's, or the one a proxy named in
 * TRUST_PROXY reports (`request.ip`).
 */
export const ClientAddress = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<{ ip?: string }>().ip,
);
