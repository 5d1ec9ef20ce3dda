import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** Emails are trimmed and lower-cased, so `Alice@Example.com ` and `alice@example.com` are one user. */
export function EmailField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: 'alice@example.com', maxLength: 254 }),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim().toLowerCase() : value,
    ),
    IsEmail({}, { message: 'email must be an email address' }),
    MaxLength(254),
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
