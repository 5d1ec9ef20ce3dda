import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { BEARER_SCHEME, COOKIE_SCHEME } from '../auth.constants';

/**
 * Documents a route that needs a signed-in user (the guard's default): the bearer and cookie
 * security schemes and the 401 answer. Protection itself does not depend on this decorator.
 */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiBearerAuth(BEARER_SCHEME),
    ApiCookieAuth(COOKIE_SCHEME),
    ApiUnauthorizedResponse({
      description: 'No access token, or an invalid, expired or revoked one.',
      type: ErrorResponseDto,
    }),
    ApiServiceUnavailableResponse({
      description: 'The signing keys or Cognito could not be reached.',
      type: ErrorResponseDto,
    }),
  );
