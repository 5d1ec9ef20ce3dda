import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth } from '@nestjs/swagger';
import { ApiErrorResponse } from '../../common/http/api-errors.decorator';
import { BEARER_SCHEME, COOKIE_SCHEME } from '../guard.constants';
import { OPTIONAL_AUTH_KEY } from './auth-metadata';

/**
 * The route runs with or without a signed-in user: without a token `@CurrentUser()` is undefined,
 * but a token that is present must be valid (an invalid one is still a 401).
 */
export const OptionalAuth = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(OPTIONAL_AUTH_KEY, true),
    ApiBearerAuth(BEARER_SCHEME),
    ApiCookieAuth(COOKIE_SCHEME),
    ApiErrorResponse(401, 'A token was sent but is invalid or expired (`UNAUTHORIZED`).'),
  );
