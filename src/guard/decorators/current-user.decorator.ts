import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../auth-user';

/**
 * The verified user of the request, or one of its fields: `@CurrentUser() user: AuthUser`,
 * `@CurrentUser('sub') sub: string`. Undefined on a `@Public()` route or an `@OptionalAuth()`
 * route called without a token.
 */
export const CurrentUser = createParamDecorator(
  (field: keyof AuthUser | undefined, context: ExecutionContext) => {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    return field ? user?.[field] : user;
  },
);
