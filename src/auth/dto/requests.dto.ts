import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CodeField, EmailField, OptionalTextField, PasswordField } from './fields';

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

const REFRESH_TOKEN_EXAMPLE = 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ...';

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token from login. Browsers may omit it: the refresh cookie is used.',
    example: REFRESH_TOKEN_EXAMPLE,
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
    description: 'The refresh token to revoke. Browsers may omit it: the refresh cookie is used.',
    example: REFRESH_TOKEN_EXAMPLE,
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
