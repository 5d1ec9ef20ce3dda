import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { CodeDeliveryDto } from '../../common/user/code-delivery.dto';
import { ProfileDto } from '../../common/user/profile.dto';

export class MfaSettingsDto {
  @ApiProperty({
    example: true,
    description: 'An authenticator app (TOTP) is required at sign-in.',
  })
  totpEnabled!: boolean;

  @ApiPropertyOptional({ example: 'SOFTWARE_TOKEN_MFA' })
  preferred?: string;
}

/** GET /account: the profile (src/common/user) without its top-level `name`, with the MFA settings. */
export class AccountResponseDto extends OmitType(ProfileDto, ['name'] as const) {
  @ApiProperty({ type: MfaSettingsDto })
  mfa!: MfaSettingsDto;
}

export class AttributesUpdatedDto {
  @ApiProperty({
    type: [CodeDeliveryDto],
    description:
      'Where verification codes were sent (masked). For a new email: to the new address, which ' +
      'becomes the account’s email once verified; the old one stays in use until then.',
    example: [{ destination: 'n***@e***.com', medium: 'EMAIL', attribute: 'email' }],
  })
  codeDelivery!: CodeDeliveryDto[];
}

export class CodeSentDto {
  @ApiPropertyOptional({ type: CodeDeliveryDto })
  codeDelivery?: CodeDeliveryDto;
}

export class VerifyCodeDto {
  @ApiProperty({ example: '123456', pattern: '^[0-9]{6}$' })
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'code must be the 6-digit code' })
  code!: string;
}

export class VerifyTotpDto extends VerifyCodeDto {
  @ApiPropertyOptional({
    example: 'Phone',
    maxLength: 64,
    description: 'A name for the authenticator.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[^\p{Cc}]{1,64}$/u, { message: 'deviceName must be a short name' })
  deviceName?: string;
}

export class TotpSetupDto {
  @ApiProperty({
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    description: 'Enter it in an authenticator app.',
  })
  secretCode!: string;

  @ApiProperty({
    example:
      'otpauth://totp/nest-cognito-auth:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=nest-cognito-auth',
  })
  otpauthUri!: string;

  @ApiProperty({
    // The beginning of a real one; the whole is about 2 kB.
    example:
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAPAAAADwCAYAAAA+VemSAAAAAklEQVR4AewaftIAAA...',
    description:
      'A picture to scan with an authenticator app: `otpauthUri` as a QR code, a 240 × 240 PNG ' +
      'inside a `data:` URL. Use the whole string as the source of an image, ' +
      '`<img src="…qrCode…" alt="QR code for your authenticator app">`; nothing needs decoding. ' +
      'Swagger UI shows it as text only: paste it into the address bar of a new tab to see the ' +
      'picture. A user who cannot scan types `secretCode` instead.',
  })
  qrCode!: string;
}

export class PasswordConfirmationDto {
  @ApiProperty({
    example: 'Correct-Horse-9',
    format: 'password',
    description: 'The current password.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

/**
 * What proves the account's owner beyond the access token, which a thief may hold: the current
 * password. (Not an authenticator code: whoever holds the access token can register their own
 * authenticator at Cognito with it.)
 */
export class ReauthenticationDto {
  @ApiPropertyOptional({
    example: 'Correct-Horse-9',
    format: 'password',
    description: 'The current password.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password?: string;
}

/** Attributes to change; a new email or phone number also needs the current `password`. */
export class UpdateAccountDto extends ReauthenticationDto {
  @ApiProperty({
    description:
      'Attributes to change: standard ones (name, given_name, family_name, email, phone_number, ' +
      'locale, ...) and the custom: attributes in ACCOUNT_CUSTOM_ATTRIBUTES. A new email replaces ' +
      'the old one only once verified with the code sent to it; a new phone number must be ' +
      'verified too. Changing the email or the phone number also needs the current `password` ' +
      '(403 `REAUTHENTICATION_REQUIRED` without). An email is ' +
      'normalised like sign-up’s (trimmed, NFKC, lower case, domain in ASCII); invisible or text-direction characters, a non-ASCII local part or a domain word ' +
      'that mixes scripts: 400.',
    example: { name: 'Alice Liddell', locale: 'en-GB' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsObject()
  attributes!: Record<string, string>;
}

export class MfaPreferenceDto extends ReauthenticationDto {
  @ApiProperty({
    example: false,
    description: 'Require the authenticator app at sign-in. Turning it on or off needs `password`.',
  })
  @IsBoolean()
  totpEnabled!: boolean;
}
