import { UPSTREAM_ERRORS } from '../../common/http/api-errors.decorator';

/**
 * What Swagger shows of the admin routes beyond the DTOs' own properties: the path parameters,
 * and the error answers several routes share. A parameter's example is in its description:
 * Swagger UI's "Try it out" would pre-fill an `example` and send it.
 */

export const NO_USER = { 404: 'No such user (`USER_NOT_FOUND`).', ...UPSTREAM_ERRORS };

export const NO_GROUP = {
  404: 'No such group or user (`GROUP_NOT_FOUND`, `USER_NOT_FOUND`).',
  ...UPSTREAM_ERRORS,
};

export const USER_PARAM = {
  name: 'user',
  schema: { type: 'string' },
  description: 'Cognito username, sub, or email, e.g. `alice@example.com`.',
};

export const GROUP_PARAM = {
  name: 'group',
  schema: { type: 'string' },
  description: 'The group’s name, e.g. `editors`.',
};

export const MESSAGE_LIMIT =
  'Too many requests, or too many messages to this user this hour (`TOO_MANY_REQUESTS`, with `Retry-After`).';

export const PROVIDER_NAME_PARAM = {
  name: 'providerName',
  schema: { type: 'string', maxLength: 32 },
  description: 'The identity provider’s name in the user pool, e.g. `Google`.',
};

export const PROVIDER_USER_ID_PARAM = {
  name: 'providerUserId',
  schema: { type: 'string', maxLength: 128 },
  description: 'The user’s subject at that provider, e.g. `115550000000000000001`.',
};
