import { HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { SessionCookies } from '../guard';
import { usernameOfToken } from '../common/jwt/unverified-claims';
import type { LogoutDto, RefreshDto } from './dto/requests.dto';

/** What a refresh sends Cognito. */
export interface RefreshCredentials {
  refreshToken: string;
  /** The Cognito username a SECRET_HASH is made from, when known. */
  username?: string;
}

/**
 * The credentials a refresh or a logout works with, from the body or the cookie session. The
 * cookies, and their CSRF check, are SessionCookies' part.
 */
@Injectable()
export class SessionCredentials {
  constructor(private readonly cookies: SessionCookies) {}

  /**
   * The refresh token: the body's, else the cookie session's (a body that brings one leaves the
   * cookie unused and unchecked), else 401 `REFRESH_TOKEN_REQUIRED`. The username: the body's,
   * the cookie session's, else the `username` claim of the old access token (`accessToken`).
   */
  forRefresh(
    request: FastifyRequest,
    dto: RefreshDto,
    accessToken: string | undefined,
  ): RefreshCredentials {
    const cookies = this.cookies.presented(request, { refresh: !dto.refreshToken });
    const refreshToken = dto.refreshToken ?? cookies.refreshToken;
    if (!refreshToken) {
      throw new AppException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.REFRESH_TOKEN_REQUIRED,
        'Send the refresh token in the body, or sign in again.',
      );
    }
    const username = dto.username ?? cookies.refreshUsername ?? usernameOfToken(accessToken);
    return { refreshToken, username };
  }

  /**
   * The refresh tokens a logout revokes: the body's and the cookie session's. A logout that
   * relies on the access cookie passes the CSRF check for it too, before anything ends.
   */
  forLogout(request: FastifyRequest, dto: LogoutDto): string[] {
    const cookies = this.cookies.presented(request, { access: true, refresh: true });
    return [dto.refreshToken, cookies.refreshToken].filter((token): token is string =>
      Boolean(token),
    );
  }
}
