import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { EmailField, OptionalTextField } from '../../common/validation/fields';

export const USER_STATUSES = [
  'UNCONFIRMED',
  'CONFIRMED',
  'FORCE_CHANGE_PASSWORD',
  'RESET_REQUIRED',
  'ARCHIVED',
  'COMPROMISED',
  'UNKNOWN',
  'EXTERNAL_PROVIDER',
] as const;

/** Filter values go inside a quoted Cognito filter string: no quote, backslash or control character. */
const FILTER_VALUE = /^[^"\\\p{Cc}]{1,256}$/u;

export class PageQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 60,
    description: 'Page size (default 20).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextToken` of the previous page’s answer.' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  nextToken?: string;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Email, or its beginning (prefix match), e.g. `alice@`.' })
  @IsOptional()
  @Matches(FILTER_VALUE, { message: 'email must be plain text' })
  email?: string;

  @ApiPropertyOptional({
    description: 'Cognito username, e.g. `7d8ca528-4931-4254-9273-ea5ee853f271`.',
  })
  @IsOptional()
  @Matches(FILTER_VALUE, { message: 'username must be plain text' })
  username?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES, description: 'Account status, e.g. `CONFIRMED`.' })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: (typeof USER_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Only enabled (true) or disabled (false) users.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  enabled?: boolean;
}

/** A federated identity linked to a user. */
export class LinkedIdentityDto {
  @ApiProperty({ example: 'Google' })
  providerName!: string;

  @ApiProperty({ example: '115550000000000000001', description: 'The user’s subject there.' })
  providerUserId!: string;

  @ApiPropertyOptional({ example: 'Google', description: 'OIDC, SAML, Google, Facebook...' })
  providerType?: string;

  @ApiPropertyOptional({ example: '2026-11-26T07:00:00.000Z' })
  dateCreated?: string;

  @ApiPropertyOptional({ example: false })
  primary?: boolean;
}

export class AdminUserDto {
  @ApiProperty({ example: '7d8ca528-4931-4254-9273-ea5ee853f271' })
  username!: string;

  @ApiPropertyOptional({ example: '7d8ca528-4931-4254-9273-ea5ee853f271' })
  sub?: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  email?: string;

  @ApiProperty({ example: true })
  emailVerified!: boolean;

  @ApiPropertyOptional({ enum: USER_STATUSES, example: 'CONFIRMED' })
  status?: string;

  @ApiProperty({ example: true })
  enabled!: boolean;

  @ApiPropertyOptional({ example: '2026-11-26T07:00:00.000Z' })
  createdAt?: string;

  @ApiPropertyOptional({ example: '2026-11-26T07:00:00.000Z' })
  updatedAt?: string;

  @ApiProperty({
    example: { email: 'alice@example.com', name: 'Alice Liddell' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  attributes!: Record<string, string>;

  @ApiProperty({
    type: [LinkedIdentityDto],
    description:
      'The federated identities linked to the user (from the `identities` attribute); none: `[]`.',
  })
  identities!: LinkedIdentityDto[];
}

export class AdminUserPageDto {
  @ApiProperty({ type: [AdminUserDto] })
  items!: AdminUserDto[];

  @ApiPropertyOptional({
    description: 'Pass as nextToken for the next page; absent on the last page.',
  })
  nextToken?: string;
}

export class GroupDto {
  @ApiProperty({ example: 'editors' })
  name!: string;

  @ApiPropertyOptional({ example: 'People who edit articles' })
  description?: string;

  @ApiPropertyOptional({ example: 10, description: 'Lower wins when a user is in several groups.' })
  precedence?: number;

  @ApiPropertyOptional({
    example: 'arn:aws:iam::123456789012:role/app-editors',
    description:
      'The IAM role of the group: in its members’ ID tokens (`cognito:roles`), for AWS credentials.',
  })
  roleArn?: string;

  @ApiPropertyOptional({ example: '2026-11-26T07:00:00.000Z' })
  createdAt?: string;

  @ApiPropertyOptional({ example: '2026-11-26T07:00:00.000Z' })
  updatedAt?: string;
}

export class GroupPageDto {
  @ApiProperty({ type: [GroupDto] })
  items!: GroupDto[];

  @ApiPropertyOptional({
    description: 'Pass as nextToken for the next page; absent on the last page.',
  })
  nextToken?: string;
}

export class CreateUserDto {
  @EmailField()
  email!: string;

  @OptionalTextField('Alice Liddell')
  name?: string;

  @ApiPropertyOptional({
    description:
      'A temporary password the user must change at first sign-in; it must meet the password ' +
      'policy. Omitted: Cognito makes one.',
    example: 'Temp-Passw0rd!',
    format: 'password',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  temporaryPassword?: string;

  @ApiPropertyOptional({ example: true, description: 'Email the invitation (default true).' })
  @IsOptional()
  @IsBoolean()
  sendInvitation?: boolean;

  @ApiPropertyOptional({
    example: { 'custom:team': 'blue' },
    description: 'More attributes (standard ones and the configured custom: attributes).',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string>;
}

export class SetPasswordDto {
  @ApiProperty({
    example: 'New-Horse-Battery-7',
    format: 'password',
    description: 'The new password; it must meet the password policy, as at sign-up.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;

  @ApiPropertyOptional({
    example: false,
    description:
      'True: the password is final; false (default): the user must change it at sign-in.',
  })
  @IsOptional()
  @IsBoolean()
  permanent?: boolean;
}

export class UpdateAttributesDto {
  @ApiProperty({
    example: { name: 'Alice Liddell', email_verified: 'true' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsObject()
  attributes!: Record<string, string>;
}

const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
/** An IAM role's ARN, in any partition (Cognito allows 20 to 2048 characters). */
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ROLE_ARN_DOC =
  'The IAM role of the group, for AWS credentials: its members’ ID tokens carry it in ' +
  '`cognito:roles` (and in `cognito:preferred_role` for the group of lowest precedence), which an ' +
  'identity pool set to choose the role from the token uses.';

export class CreateGroupDto {
  @ApiProperty({ example: 'editors', maxLength: 128 })
  @Matches(GROUP_NAME, { message: 'name must be 1 to 128 characters without spaces' })
  name!: string;

  @ApiPropertyOptional({ example: 'People who edit articles', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  description?: string;

  @ApiPropertyOptional({ example: 10, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  precedence?: number;

  @ApiPropertyOptional({
    example: 'arn:aws:iam::123456789012:role/app-editors',
    description: ROLE_ARN_DOC,
  })
  @IsOptional()
  @Matches(ROLE_ARN, { message: 'roleArn must be the ARN of an IAM role' })
  @MaxLength(2048)
  roleArn?: string;
}

export class UpdateGroupDto {
  @ApiPropertyOptional({ example: 'People who edit and publish articles', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  description?: string;

  @ApiPropertyOptional({ example: 5, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  precedence?: number;

  @ApiPropertyOptional({
    example: 'arn:aws:iam::123456789012:role/app-publishers',
    description: `${ROLE_ARN_DOC} A change of role or precedence ends the members' sessions.`,
  })
  @IsOptional()
  @Matches(ROLE_ARN, { message: 'roleArn must be the ARN of an IAM role' })
  @MaxLength(2048)
  roleArn?: string;
}

/**
 * A provider name as a user pool takes it: 1 to 32 letters, marks, symbols, digits or punctuation,
 * but not `Cognito` (the pool's own users, in any letter case).
 */
const PROVIDER_NAME = /^(?!cognito$)[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$/iu;
/** A subject at the provider: 1 to 128 printable characters. */
const PROVIDER_USER_ID = /^\P{C}{1,128}$/u;
const PROVIDER_NAME_MESSAGE =
  'providerName must be 1 to 32 characters without spaces, and not Cognito';
const PROVIDER_USER_ID_MESSAGE = 'providerUserId must be 1 to 128 printable characters';

export class LinkIdentityDto {
  @ApiProperty({
    example: 'Google',
    maxLength: 32,
    description: 'An identity provider of the user pool (not `Cognito`).',
  })
  @IsString()
  @Matches(PROVIDER_NAME, { message: PROVIDER_NAME_MESSAGE })
  providerName!: string;

  @ApiProperty({
    example: '115550000000000000001',
    maxLength: 128,
    description: 'The user’s subject (`sub`) at that provider.',
  })
  @IsString()
  @Matches(PROVIDER_USER_ID, { message: PROVIDER_USER_ID_MESSAGE })
  providerUserId!: string;
}

/**
 * The path of one linked identity: `users/:user/identities/:providerName/:providerUserId`. Its
 * Swagger parameters are the route's (admin.examples.ts), with no example to pre-fill.
 */
export class IdentityParamsDto {
  @IsString()
  user!: string;

  @IsString()
  @Matches(PROVIDER_NAME, { message: PROVIDER_NAME_MESSAGE })
  providerName!: string;

  @IsString()
  @Matches(PROVIDER_USER_ID, { message: PROVIDER_USER_ID_MESSAGE })
  providerUserId!: string;
}
