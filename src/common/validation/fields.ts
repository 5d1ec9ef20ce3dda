import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { normaliseEmail } from './email-address';

export const EMAIL_DESCRIPTION =
  'Trimmed, NFKC-normalised (fullwidth letters become plain ones) and lower-cased. ASCII before ' +
  'the @; each word of the domain in one script, stored in its ASCII (punycode) form. Invisible ' +
  'and text-direction characters, and domain words that mix scripts, are refused (400).';

/**
 * The one email field of every request that takes an email (sign-up, login, reset, challenge,
 * invitation): the value is brought to its stored form by normaliseEmail, so `Alice@Example.com `
 * and `ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ` are one user, and lookalikes are refused with a
 * message that says why.
 */
export function EmailField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example: 'alice@example.com',
      format: 'email',
      maxLength: 254,
      description: EMAIL_DESCRIPTION,
    }),
    Transform(({ value }: { value: unknown }) => {
      const check = normaliseEmail(value);
      return 'email' in check ? check.email : value;
    }),
    ValidateBy({
      name: 'isNormalisedEmail',
      validator: {
        validate: (value: unknown) => {
          const check = normaliseEmail(value);
          return 'email' in check && check.email === value;
        },
        defaultMessage: (args?: ValidationArguments) => {
          const check = normaliseEmail(args?.value);
          return `${args?.property ?? 'email'} ${'problem' in check ? check.problem : 'must be an email address'}`;
        },
      },
    }),
  );
}

/**
 * A password exactly as typed: never trimmed or normalised, so what the user typed is what
 * Cognito checks. New passwords are also checked against the password policy by the service.
 */
export function PasswordField(description: string, example = 'Correct-Horse-9'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minLength: 1, maxLength: 256, format: 'password', description }),
    IsString(),
    MinLength(1),
    MaxLength(256),
  );
}

/** A 6-digit code that Cognito sent by email. */
export function CodeField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: '123456', pattern: '^[0-9]{6}$', description }),
    IsString(),
    Matches(/^[0-9]{6}$/, { message: 'code must be the 6-digit code that was sent' }),
  );
}

/** Free text without control characters (they would let a value forge lines in logs or mails). */
export function OptionalTextField(example: string, maxLength = 256): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example, maxLength }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim() : value,
    ),
    IsString(),
    MinLength(1),
    MaxLength(maxLength),
    Matches(/^[^\p{Cc}]*$/u, { message: '$property must not contain control characters' }),
  );
}
