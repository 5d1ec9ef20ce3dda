import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  CodeField,
  EmailField,
  OptionalTextField,
  PasswordField,
} from '../../common/validation/fields';

export class SignUpDto {
  @EmailField()
  email!: string;

  @PasswordField('The new password; it must meet the password policy.')
  password!: string;

  @OptionalTextField('Alice Liddell')
  name?: string;
}

export class ConfirmSignUpDto {
  @EmailField()
  email!: string;

  @CodeField('The confirmation code sent after sign-up.')
  code!: string;
}

export class EmailDto {
  @EmailField()
  email!: string;
}

export class LoginDto {
  @EmailField()
  email!: string;

  @PasswordField('The account password.')
  password!: string;
}

export class RefreshDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from login. Browsers omit it: the refresh cookie is used. (No example ' +
      'here: a pre-filled value would replace the cookie.)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  refreshToken?: string;

  @ApiPropertyOptional({
    description:
      'The `username` claim of your access token (a UUID). Needed when the app client has a ' +
      'secret, because Cognito checks a SECRET_HASH made from it; cookie sessions and requests ' +
      'that still carry the (even expired) access token may omit it.',
    example: '7d8ca528-4931-4254-9273-ea5ee853f271',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\w.@+-]{1,128}$/, { message: 'username must be the username claim of the token' })
  username?: string;
}

export class LogoutDto {
  @ApiPropertyOptional({
    description:
      'A refresh token to revoke. Browsers omit it: the refresh cookie is revoked. When both are ' +
      'there, both are revoked.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  refreshToken?: string;
}

export class ConfirmForgotPasswordDto {
  @EmailField()
  email!: string;

  @CodeField('The reset code sent by forgot-password.')
  code!: string;

  @PasswordField('The new password; it must meet the password policy.', 'New-Horse-Battery-7')
  newPassword!: string;
}

export class ChangePasswordDto {
  @PasswordField('The current password.')
  previousPassword!: string;

  @PasswordField('The new password; it must meet the password policy.', 'New-Horse-Battery-7')
  proposedPassword!: string;
}

/** The steps a login can ask for, answered at POST /auth/challenge. */
export const CHALLENGE_STEPS = [
  'NEW_PASSWORD_REQUIRED',
  'SOFTWARE_TOKEN_MFA',
  'SMS_MFA',
  'EMAIL_OTP',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
] as const;
export type ChallengeStep = (typeof CHALLENGE_STEPS)[number];

export function isChallengeStep(step: string): step is ChallengeStep {
  return (CHALLENGE_STEPS as readonly string[]).includes(step);
}

export const MFA_TYPES = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP'] as const;

export class ChallengeAnswerDto {
  @EmailField()
  email!: string;

  @ApiProperty({
    enum: CHALLENGE_STEPS,
    enumName: 'ChallengeStep',
    example: 'SOFTWARE_TOKEN_MFA',
    description: 'The step being answered.',
  })
  @IsIn(CHALLENGE_STEPS)
  nextStep!: ChallengeStep;

  @ApiProperty({
    description:
      'The session of the step, exactly as the previous answer gave it. It is sealed by this ' +
      'service for this email and this step, lasts CHALLENGE_SESSION_SECONDS (3 minutes by ' +
      'default) and is answered once; any other session is refused with 401 `INVALID_SESSION`.',
    example: 'AfhQf0Xz3m0k1n7cVxkq2A...',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  session!: string;

  @ApiPropertyOptional({
    description: 'NEW_PASSWORD_REQUIRED: the new password (it must meet the password policy).',
    example: 'New-Horse-Battery-7',
    format: 'password',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  newPassword?: string;

  @ApiPropertyOptional({
    description: 'SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, MFA_SETUP: the code.',
    example: '123456',
    pattern: '^[0-9]{6,8}$',
  })
  @IsOptional()
  @Matches(/^[0-9]{6,8}$/, { message: 'code must be the 6 to 8 digits of the code' })
  code?: string;

  @ApiPropertyOptional({
    enum: MFA_TYPES,
    example: 'SOFTWARE_TOKEN_MFA',
    description: 'SELECT_MFA_TYPE: the choice.',
  })
  @IsOptional()
  @IsIn(MFA_TYPES)
  mfaType?: (typeof MFA_TYPES)[number];

  @ApiPropertyOptional({
    description: 'MFA_SETUP: a name for the authenticator.',
    example: 'Phone',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @Matches(/^[^\p{Cc}]{1,64}$/u, { message: 'deviceName must be a short name' })
  deviceName?: string;

  @ApiPropertyOptional({
    description: 'NEW_PASSWORD_REQUIRED: values for the attributes Cognito lists as required.',
    example: { name: 'Alice Liddell' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string>;
}
