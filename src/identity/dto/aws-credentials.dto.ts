import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** An IAM role's ARN, in any partition. */
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** An identity id: `<region>:<id>`. */
const IDENTITY_ID = /^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f-]{1,64}$/;

export class AwsCredentialsRequestDto {
  @ApiPropertyOptional({
    description:
      'Bearer clients: the ID token of this sign-in (from POST /auth/login or /auth/refresh). ' +
      'Cookie sessions leave it out: the session’s ID token cookie is used.',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(16384)
  idToken?: string | null;

  @ApiPropertyOptional({
    description:
      'One of the IAM roles in the ID token’s `cognito:roles` (the roles of the user’s groups), ' +
      'sent to the identity pool as `CustomRoleArn`. Without it the pool chooses ' +
      '(`cognito:preferred_role`, or its role mapping).',
    example: 'arn:aws:iam::123456789012:role/app-editors',
  })
  @IsOptional()
  @Matches(ROLE_ARN, { message: 'roleArn must be the ARN of an IAM role' })
  @MaxLength(2048)
  roleArn?: string | null;
}

export class GuestCredentialsRequestDto {
  @ApiPropertyOptional({
    description:
      'The `identityId` of an earlier guest answer, to keep the same guest identity (whoever ' +
      'sends it gets its credentials: keep it as a secret). Without it a new guest identity is made.',
    example: 'eu-west-1:7b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  })
  @IsOptional()
  @Matches(IDENTITY_ID, { message: 'identityId must be an identity id, <region>:<id>' })
  @MaxLength(55)
  identityId?: string | null;
}

export class AwsCredentialsDto {
  @ApiProperty({
    description: 'The identity of the identity pool the credentials belong to.',
    example: 'eu-west-1:7b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  })
  identityId!: string;

  @ApiProperty({ example: 'ASIAXXXXXXXXXXXXXXXX' })
  accessKeyId!: string;

  @ApiProperty({ example: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' })
  secretAccessKey!: string;

  @ApiProperty({ example: 'IQoJb3JpZ2luX2VjEXAMPLE...' })
  sessionToken!: string;

  @ApiProperty({
    description: 'When the credentials expire (ISO 8601); ask again before then.',
    example: '2026-11-30T21:15:00.000Z',
  })
  expiration!: string;
}
