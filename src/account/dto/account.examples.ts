import { UPSTREAM_ERRORS } from '../../common/http/api-errors.decorator';

/**
 * What Swagger shows of the account routes beyond the DTOs' own properties: request examples,
 * the attribute path parameter, and the descriptions several routes share.
 */

export const VALIDATION_400 = 'The body is invalid (`VALIDATION_FAILED`).';

export const MESSAGE_LIMIT =
  'Too many requests, or too many codes this hour (`TOO_MANY_REQUESTS`, with `Retry-After`).';

export const WRONG_PASSWORDS =
  'Too many attempts, or too many wrong passwords for this account (`TOO_MANY_REQUESTS`).';

/** The answers of a route that needs the current password in its body (besides a wrong one). */
export const PASSWORD_REQUIRED_ERRORS = {
  403: 'The current password is needed (`REAUTHENTICATION_REQUIRED`).',
  429: WRONG_PASSWORDS,
  ...UPSTREAM_ERRORS,
};

export const ATTRIBUTE_PARAM = { name: 'name', enum: ['email', 'phone_number'], example: 'email' };

export const REAUTHENTICATION_EXAMPLES = {
  password: { summary: 'The current password', value: { password: 'Correct-Horse-9' } },
};

export const UPDATE_EXAMPLES = {
  profile: { summary: 'Profile attributes', value: { attributes: { name: 'Alice Liddell' } } },
  email: {
    summary: 'A new email: with the current password',
    value: { attributes: { email: 'alice@example.org' }, password: 'Correct-Horse-9' },
  },
};

export const MFA_EXAMPLES = {
  on: { summary: 'Turn MFA on', value: { totpEnabled: true, password: 'Correct-Horse-9' } },
  off: {
    summary: 'Turn MFA off',
    value: { totpEnabled: false, password: 'Correct-Horse-9' },
  },
};
