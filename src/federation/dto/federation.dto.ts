import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const PROVIDER_TYPES = ['social', 'saml', 'oidc', 'cognito'] as const;

export class ProviderDto {
  @ApiProperty({ example: 'Google', description: 'The name to pass as `provider`.' })
  name!: string;

  @ApiProperty({
    enum: PROVIDER_TYPES,
    example: 'social',
    description:
      '`social` (Google, Facebook, Login with Amazon, Sign in with Apple), `saml`, `oidc`, or ' +
      "`cognito` (the pool's own email and password page).",
  })
  type!: (typeof PROVIDER_TYPES)[number];
}

/** PKCE's S256 challenge: 43 base64url characters. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export class AuthorizeQueryDto {
  @ApiPropertyOptional({
    description:
      'One of GET /auth/oauth/providers, e.g. `Google`. Without it the managed login page lets ' +
      'the user choose.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  provider?: string;

  @ApiPropertyOptional({
    description:
      'Where the browser goes once signed in: a path of this site (e.g. `/account`), or an ' +
      'address on OAUTH_RETURN_ORIGINS (default `/`).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  returnTo?: string;

  @ApiPropertyOptional({
    description:
      'Bearer clients only: base64url(SHA-256(verifier)) of a random verifier the client keeps ' +
      '(e.g. `E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM`). ' +
      'The callback then sets no cookie and sends the browser to `returnTo?loginCode=...`, which ' +
      'POST /auth/oauth/token exchanges once, with the verifier, for the tokens.',
  })
  @IsOptional()
  @Matches(CHALLENGE, { message: 'codeChallenge must be 43 base64url characters (S256)' })
  codeChallenge?: string;
}

export class CallbackQueryDto {
  @ApiPropertyOptional({ description: 'The authorization code, from the managed login.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  code?: string;

  @ApiPropertyOptional({ description: 'The state the authorization request carried.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  state?: string;

  @ApiPropertyOptional({ description: 'Set when the sign-in failed, e.g. `access_denied`.' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  error?: string;

  @ApiPropertyOptional({ description: 'The provider’s words on the failure (never shown as is).' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  error_description?: string;

  @ApiPropertyOptional({
    description: 'The issuer of the answer (RFC 9207), when the managed login sends it (ignored).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  iss?: string;

  @ApiPropertyOptional({ description: 'A page about the failure, from the provider (ignored).' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  error_uri?: string;
}

export class LoginCodeDto {
  @ApiProperty({ description: 'The `loginCode` the callback put on `returnTo`.' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'loginCode must be the code the callback gave' })
  loginCode!: string;

  @ApiProperty({
    example: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    description: 'The verifier whose S256 was sent as `codeChallenge`.',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._~-]{43,128}$/, {
    message: 'codeVerifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~',
  })
  codeVerifier!: string;
}

export class LogoutUrlResponseDto {
  @ApiProperty({
    example:
      'https://auth.example.com/logout?client_id=1example23456789&logout_uri=https%3A%2F%2Fapp.example.com%2F',
    nullable: true,
    type: String,
    description:
      "The managed login's /logout: send the browser there to end its session with the provider " +
      'too. Null when the managed login cannot be reached now (the session has ended anyway).',
  })
  logoutUrl!: string | null;
}
