import type { ConfigType } from '@nestjs/config';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { CognitoConnection } from '../../cognito/cognito-connection';
import type { authConfig, httpConfig } from '../../config';
import { AppException } from '../../common/errors/app.exception';
import { ACCESS_COOKIE_NAME } from '../jwt/token-extractors';
import { CsrfProtection } from './csrf';
import { SessionCookies } from './session-cookies';

describe(SessionCookies.name, () => {
  const csrf = new CsrfProtection(
    { corsOrigins: [] } as unknown as ConfigType<typeof httpConfig>,
    { cookieSecure: true } as ConfigType<typeof authConfig>,
  );
  const cookiesFor = (tokenDelivery: string) =>
    new SessionCookies(
      { cookieSecure: true, tokenDelivery } as ConfigType<typeof authConfig>,
      csrf,
      {} as HttpAdapterHost,
      {} as CognitoConnection,
    );
  const cookies = cookiesFor('both');

  /** A POST from the session's browser: its cookies, and the CSRF header when `csrfToken`. */
  function post(jar: Record<string, string>, headers: Record<string, string> = {}): FastifyRequest {
    return {
      method: 'POST',
      headers,
      cookies: jar,
      [ACCESS_COOKIE_NAME]: cookies.names.access,
    } as unknown as FastifyRequest;
  }

  const session = {
    [cookies.names.access]: 'access-1',
    [cookies.names.refresh]: 'refresh-1',
    [cookies.names.refreshUsername]: 'uuid-1',
  };

  /** The session's CSRF secret cookie and token header, issued for its two tokens. */
  function withCsrf(): [Record<string, string>, Record<string, string>] {
    const { secret, token } = csrf.issue(['access-1', 'refresh-1']);
    return [{ ...session, [cookies.names.csrfSecret]: secret }, { 'x-xsrf-token': token }];
  }

  const rejection = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error instanceof AppException ? error.code : error;
    }
    return undefined;
  };

  it('hands over the refresh cookie only with the CSRF token bound to it', () => {
    expect(rejection(() => cookies.presented(post(session), { refresh: true }))).toBe(
      'CSRF_REJECTED',
    );
    const [jar, headers] = withCsrf();
    expect(cookies.presented(post(jar, headers), { refresh: true })).toEqual({
      refreshToken: 'refresh-1',
      refreshUsername: 'uuid-1',
    });
  });

  it('leaves a refresh cookie the route does not consume unread and unchecked', () => {
    expect(cookies.presented(post(session), {})).toEqual({ refreshUsername: 'uuid-1' });
  });

  it('checks the access cookie of a cookie-authenticated request, not of a bearer one', () => {
    expect(rejection(() => cookies.presented(post(session), { access: true }))).toBe(
      'CSRF_REJECTED',
    );
    const [jar, headers] = withCsrf();
    expect(cookies.presented(post(jar, headers), { access: true }).accessToken).toBe('access-1');
    const bearer = post(session, { authorization: 'Bearer other-access' });
    expect(cookies.presented(bearer, { access: true }).accessToken).toBeUndefined();
  });

  it('with TOKEN_DELIVERY=body, ignores the refresh cookies yet still checks an access cookie', () => {
    const bodyOnly = cookiesFor('body');
    expect(bodyOnly.presented(post(session), { refresh: true })).toEqual({});
    expect(rejection(() => bodyOnly.presented(post(session), { access: true }))).toBe(
      'CSRF_REJECTED',
    );
  });
});
