import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth } from '@nestjs/swagger';
import { ApiErrorResponse } from '../../common/http/api-errors.decorator';
import { BEARER_SCHEME, COOKIE_SCHEME } from '../guard.constants';

/**
 * Documents a route that needs a signed-in user (the guard's default): the bearer and cookie
 * security schemes and the 401 and 503 answers. Protection itself does not depend on it.
 */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiBearerAuth(BEARER_SCHEME),
    ApiCookieAuth(COOKIE_SCHEME),
    ApiErrorResponse(
      401,
      'No access token, or an invalid, expired or revoked one (`UNAUTHORIZED`).',
    ),
    ApiErrorResponse(
      503,
      'Cognito or its signing keys cannot be reached (`UPSTREAM_UNAVAILABLE`, with `Retry-After`).',
    ),
  );
