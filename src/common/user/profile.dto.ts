import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The signed-in user's profile, as GET /auth/me answers it; GET /account answers it too, without
 * the top-level `name` (it is in `attributes`) and with the MFA settings.
 */
export class ProfileDto {
  @ApiProperty({ example: '7d8ca528-4931-4254-9273-ea5ee853f271' })
  sub!: string;

  @ApiProperty({
    example: '7d8ca528-4931-4254-9273-ea5ee853f271',
    description: 'Cognito username.',
  })
  username!: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  email?: string;

  @ApiProperty({ example: true })
  emailVerified!: boolean;

  @ApiPropertyOptional({ example: 'Alice Liddell' })
  name?: string;

  @ApiProperty({ example: ['admin'], type: [String], description: 'From the access token.' })
  groups!: string[];

  @ApiProperty({
    description: 'Every user attribute Cognito returned.',
    example: { email: 'alice@example.com', email_verified: 'true', name: 'Alice Liddell' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  attributes!: Record<string, string>;
}
