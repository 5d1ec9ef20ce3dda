import { HttpStatus } from '@nestjs/common';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { normaliseEmail } from '../validation/email-address';

/**
 * Standard attributes a user may set on their own account. Not here, on purpose: `sub`,
 * `email_verified`, `phone_number_verified`, `updated_at`, `identities`, and any `custom:`
 * attribute not configured in ACCOUNT_CUSTOM_ATTRIBUTES.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html
 */
export const SELF_WRITABLE_ATTRIBUTES = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'address',
  'email',
  'phone_number',
] as const;

/** Administrators may also vouch for an email or phone number. */
export const ADMIN_WRITABLE_ATTRIBUTES = [
  ...SELF_WRITABLE_ATTRIBUTES,
  'email_verified',
  'phone_number_verified',
] as const;

/** Attributes with a verification flow (a code is sent, then verified). */
export const VERIFIABLE_ATTRIBUTES = ['email', 'phone_number'] as const;

/**
 * Checks a map of attributes against an allowlist: every name must be allowed and every value a
 * short string without control characters. Answers 400 naming every refused attribute. An
 * `email` goes through the same normalisation as sign-up (normaliseEmail): it is returned in its
 * stored form, or refused with 400 `VALIDATION_FAILED` saying why.
 */
export function allowedAttributes(
  attributes: Record<string, unknown>,
  allowed: readonly string[],
): Record<string, string> {
  const refused = Object.keys(attributes).filter((name) => !allowed.includes(name));
  if (refused.length > 0) {
    throw new AppException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.ATTRIBUTE_NOT_ALLOWED,
      `These attributes cannot be changed here: ${refused.join(', ')}.`,
      {
        details: refused.map((field) => ({ field, messages: [`${field} cannot be changed here`] })),
      },
    );
  }
  const invalid = Object.entries(attributes).filter(
    ([, value]) => typeof value !== 'string' || value.length > 2048 || /\p{Cc}/u.test(value),
  );
  if (invalid.length > 0) {
    throw new AppException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.VALIDATION_FAILED,
      `Attribute values must be text of at most 2048 characters: ${invalid.map(([n]) => n).join(', ')}.`,
      { details: invalid.map(([field]) => ({ field, messages: [`${field} must be short text`] })) },
    );
  }
  const checked = { ...(attributes as Record<string, string>) };
  if (checked.email !== undefined) {
    const check = normaliseEmail(checked.email);
    if ('problem' in check) {
      const message = `email ${check.problem}`;
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, message, {
        details: [{ field: 'email', messages: [message] }],
      });
    }
    checked.email = check.email;
  }
  return checked;
}
