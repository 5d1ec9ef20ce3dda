import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiErrorResponse } from '../../common/http/api-errors.decorator';
import { REQUIRED_GROUPS_KEY } from './auth-metadata';
import { Authenticated } from './authenticated.decorator';

/**
 * Requires membership of at least one of the groups (`cognito:groups` of the access token):
 * 401 without a valid token, 403 with a valid token but none of the groups.
 */
export const Groups = (...groups: [string, ...string[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_GROUPS_KEY, groups),
    Authenticated(),
    ApiErrorResponse(
      403,
      `The user is in none of the groups ${groups.join(', ')} (\`FORBIDDEN\`).`,
    ),
  );
