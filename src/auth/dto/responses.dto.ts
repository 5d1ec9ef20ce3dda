import { CHALLENGE_STEPS, type ChallengeStep } from './requests.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CodeDeliveryDto } from '../../common/user/code-delivery.dto';
import { ProfileDto } from '../../common/user/profile.dto';

export class SignUpResponseDto {
  @ApiProperty({ example: '7d8ca528-4931-4254-9273-ea5ee853f271', description: 'The new user id.' })
  userSub!: string;

  @ApiProperty({ example: false, description: 'False until the emailed code is confirmed.' })
  userConfirmed!: boolean;

  @ApiPropertyOptional({ type: CodeDeliveryDto })
  codeDelivery?: CodeDeliveryDto;
}

export class MessageResponseDto {
  @ApiProperty({
    example: 'If an account exists for this email, a code has been sent to it.',
  })
  message!: string;
}

export class TokensResponseDto {
  @ApiPropertyOptional({
    description: 'Send as `Authorization: Bearer <token>`. Absent when TOKEN_DELIVERY=cookie.',
    example: 'eyJraWQiOiJDb2duaXRvTG9jYWwiLCJhbGciOiJSUzI1NiJ9...',
  })
  accessToken?: string;

  @ApiPropertyOptional({
    description: 'OpenID Connect identity token. Absent when TOKEN_DELIVERY=cookie.',
    example: 'eyJraWQiOiJDb2duaXRvTG9jYWwiLCJhbGciOiJSUzI1NiJ9...',
  })
  idToken?: string;

  @ApiPropertyOptional({
    description:
      'Exchange it at /auth/refresh for new tokens. Absent when TOKEN_DELIVERY=cookie, and on ' +
      'refresh unless the pool rotates refresh tokens.',
    example: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ...',
  })
  refreshToken?: string;

  @ApiProperty({ example: 3600, description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: string;
}

export class ChallengeResponseDto {
  @ApiProperty({
    enum: CHALLENGE_STEPS,
    enumName: 'ChallengeStep',
    example: 'NEW_PASSWORD_REQUIRED',
    description:
      'The step Cognito asks for before it issues tokens, answered at POST /auth/challenge. A ' +
      'step this service cannot answer is never handed out (501 `NOT_SUPPORTED_UPSTREAM`).',
  })
  nextStep!: ChallengeStep;

  @ApiProperty({
    description:
      'Opaque session to send back with the answer to this step (POST /auth/challenge): sealed ' +
      'by this service for this email and this step, valid for 3 minutes by default, answered once.',
    example: 'AfhQf0Xz3m0k1n7cVxkq2A...',
  })
  session!: string;

  @ApiProperty({
    description: 'What Cognito says about the step (masked destinations, required attributes).',
    example: { requiredAttributes: '[]' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  parameters!: Record<string, string>;

  @ApiPropertyOptional({
    description: 'MFA_SETUP: the secret to enter in an authenticator app.',
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secretCode?: string;

  @ApiPropertyOptional({
    description: 'MFA_SETUP: the same secret as an otpauth:// URI (show it as a QR code).',
    example:
      'otpauth://totp/nest-cognito-auth:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=nest-cognito-auth',
  })
  otpauthUri?: string;

  @ApiPropertyOptional({
    description:
      'MFA_SETUP: the otpauth:// URI as a QR code, a PNG `data:` URL to show as `<img src="…">` ' +
      'for an authenticator app to scan.',
    example:
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAPAAAADwCAYAAAA+VemSAAAAAklEQVR4AewaftIAAAyW...',
  })
  qrCode?: string;
}

/** GET /auth/me: the profile (src/common/user). */
export class MeResponseDto extends ProfileDto {}
