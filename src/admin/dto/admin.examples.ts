import { UPSTREAM_ERRORS } from '../../common/http/api-errors.decorator';

/**
 * What Swagger shows of the admin routes beyond the DTOs' own properties: the path parameters,
 * and the error answers several routes share.
 */

export const NO_USER = { 404: 'No such user (`USER_NOT_FOUND`).', ...UPSTREAM_ERRORS };

export const NO_GROUP = {
  404: 'No such group or user (`GROUP_NOT_FOUND`, `USER_NOT_FOUND`).',
  ...UPSTREAM_ERRORS,
};

export const USER_PARAM = {
  name: 'user',
  description: 'Cognito username, sub, or email.',
  example: 'alice@example.com',
};

export const GROUP_PARAM = { name: 'group', example: 'editors' };

export const MESSAGE_LIMIT =
  'Too many requests, or too many messages to this user this hour (`TOO_MANY_REQUESTS`, with `Retry-After`).';

export const PROVIDER_NAME_PARAM = {
  name: 'providerName',
  description: 'The identity provider’s name in the user pool.',
  example: 'Google',
};

export const PROVIDER_USER_ID_PARAM = {
  name: 'providerUserId',
  description: 'The user’s subject at that provider.',
  example: '115550000000000000001',
};
