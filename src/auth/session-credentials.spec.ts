import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/errors/app.exception';
import type { SessionCookies } from '../guard';
import { SessionCredentials } from './session-credentials';

type PresentedSession = ReturnType<SessionCookies['presented']>;
type SessionCookieUse = Parameters<SessionCookies['presented']>[1];

function tokenWith(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2ln`;
}

describe(SessionCredentials.name, () => {
  const request = {} as FastifyRequest;

  /** SessionCookies presenting `cookie` (each credential only when the route consumes it). */
  function credentialsWith(cookie: PresentedSession) {
    const presented = jest.fn((_: FastifyRequest, use: SessionCookieUse): PresentedSession => ({
      refreshUsername: cookie.refreshUsername,
      ...(use.access ? { accessToken: cookie.accessToken } : {}),
      ...(use.refresh ? { refreshToken: cookie.refreshToken } : {}),
    }));
    const credentials = new SessionCredentials({ presented } as unknown as SessionCookies);
    return { credentials, presented };
  }

  describe('forRefresh', () => {
    it("uses the body's refresh token and leaves the cookie's unconsumed", () => {
      const { credentials, presented } = credentialsWith({ refreshToken: 'cookie-refresh' });
      const result = credentials.forRefresh(request, { refreshToken: 'body-refresh' }, undefined);
      expect(result.refreshToken).toBe('body-refresh');
      expect(presented).toHaveBeenCalledWith(request, { refresh: false });
    });

    it("takes the cookie session's refresh token when the body has none", () => {
      const { credentials, presented } = credentialsWith({ refreshToken: 'cookie-refresh' });
      expect(credentials.forRefresh(request, {}, undefined).refreshToken).toBe('cookie-refresh');
      expect(presented).toHaveBeenCalledWith(request, { refresh: true });
    });

    it('answers 401 REFRESH_TOKEN_REQUIRED without a refresh token', () => {
      const { credentials } = credentialsWith({});
      expect(() => credentials.forRefresh(request, {}, undefined)).toThrow(
        expect.objectContaining({ code: 'REFRESH_TOKEN_REQUIRED', status: 401 }) as AppException,
      );
    });

    it("takes the username from the body, else the cookie, else the old access token's claim", () => {
      const old = tokenWith({ username: 'uuid-token' });
      const both = credentialsWith({ refreshToken: 'r', refreshUsername: 'uuid-cookie' });
      expect(both.credentials.forRefresh(request, { username: 'uuid-body' }, old).username).toBe(
        'uuid-body',
      );
      expect(both.credentials.forRefresh(request, {}, old).username).toBe('uuid-cookie');
      const tokenOnly = credentialsWith({ refreshToken: 'r' });
      expect(tokenOnly.credentials.forRefresh(request, {}, old).username).toBe('uuid-token');
      expect(tokenOnly.credentials.forRefresh(request, {}, undefined).username).toBeUndefined();
    });
  });

  describe('forLogout', () => {
    it("gathers the body's and the cookie's refresh tokens, consuming both session cookies", () => {
      const { credentials, presented } = credentialsWith({ refreshToken: 'cookie-refresh' });
      expect(credentials.forLogout(request, { refreshToken: 'body-refresh' })).toEqual([
        'body-refresh',
        'cookie-refresh',
      ]);
      expect(presented).toHaveBeenCalledWith(request, { access: true, refresh: true });
      expect(credentialsWith({}).credentials.forLogout(request, {})).toEqual([]);
    });
  });
});
