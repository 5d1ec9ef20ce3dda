import { Body, Controller, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AwsCredentials } from '../cognito/identity-pool.port';
import { NoStore } from '../common/http/no-store.decorator';
import { CurrentUser, SessionCookies, type AuthUser } from '../guard';
import {
  AwsCredentialsRequestDto,
  GuestCredentialsRequestDto,
  type AwsCredentialsDto,
} from './dto/aws-credentials.dto';
import { AwsCredentialsRoute, GuestCredentialsRoute } from './identity.routes';
import { IdentityService } from './identity.service';

function answer(credentials: AwsCredentials): AwsCredentialsDto {
  return {
    identityId: credentials.identityId,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration.toISOString(),
  };
}

/** Identity pools: temporary AWS credentials. Every answer is `no-store`. */
@ApiTags('auth')
@NoStore()
@Controller('auth/aws-credentials')
export class IdentityController {
  constructor(
    private readonly identity: IdentityService,
    private readonly cookies: SessionCookies,
  ) {}

  @AwsCredentialsRoute()
  async credentials(
    @CurrentUser() user: AuthUser,
    @Body() body: AwsCredentialsRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<AwsCredentialsDto> {
    // The body's ID token, else the session's cookie (the guard has checked CSRF for a cookie
    // session). JSON null stands for no value, as an absent field does.
    const idToken = body.idToken ?? this.cookies.presented(request, {}).idToken;
    return answer(await this.identity.forUser(user, idToken, body.roleArn ?? undefined));
  }

  @GuestCredentialsRoute()
  async guest(@Body() body: GuestCredentialsRequestDto): Promise<AwsCredentialsDto> {
    return answer(await this.identity.forGuest(body.identityId ?? undefined));
  }
}
