import { HttpStatus, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { ACCESS_STRATEGY_NAME } from '../auth.constants';
import type { AuthUser } from '../auth-user';
import { IS_PUBLIC_KEY, OPTIONAL_AUTH_KEY, REQUIRED_GROUPS_KEY } from '../decorators/auth-metadata';
import type { AuthFailure } from './cognito-access.strategy';

/**
 * The global guard: every route needs a valid Cognito access token unless it is marked
 * `@Public()`. `@OptionalAuth()` lets a route run without a token; `@Groups()` adds a group check.
 * No failure path grants access: errors become 401, 403 or 503.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard() {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_STRATEGY_NAME) strategyName: string,
  ) {
    super({ defaultStrategy: strategyName });
  }

  private metadata<T>(key: string, context: ExecutionContext): T | undefined {
    return this.reflector.getAllAndOverride<T>(key, [context.getHandler(), context.getClass()]);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.metadata<boolean>(IS_PUBLIC_KEY, context)) return true;
    await super.canActivate(context);
    const required = this.metadata<string[]>(REQUIRED_GROUPS_KEY, context);
    if (required?.length) {
      const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
      if (!user) {
        throw new AppException(
          HttpStatus.UNAUTHORIZED,
          ErrorCode.UNAUTHORIZED,
          'An access token is required.',
        );
      }
      if (!required.some((group) => user.groups.includes(group))) {
        throw new AppException(
          HttpStatus.FORBIDDEN,
          ErrorCode.FORBIDDEN,
          'You are not allowed to do this.',
        );
      }
    }
    return true;
  }

  override handleRequest<TUser = AuthUser>(
    error: unknown,
    user: TUser | false,
    info: AuthFailure | undefined,
    context: ExecutionContext,
  ): TUser {
    // KeysUnavailableError is an AppException (503): like every failure here, it never grants access.
    if (error) {
      throw error instanceof AppException
        ? error
        : new AppException(
            HttpStatus.INTERNAL_SERVER_ERROR,
            ErrorCode.INTERNAL_ERROR,
            'Authentication failed.',
            {
              cause: error,
            },
          );
    }
    if (user) return user;
    if (info?.reason === 'missing' && this.metadata<boolean>(OPTIONAL_AUTH_KEY, context)) {
      return undefined as TUser;
    }
    throw new AppException(
      HttpStatus.UNAUTHORIZED,
      ErrorCode.UNAUTHORIZED,
      info?.message ?? 'An access token is required.',
    );
  }
}
