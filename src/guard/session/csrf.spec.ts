import type { ConfigType } from '@nestjs/config';
import type { authConfig, httpConfig } from '../../config';
import { CsrfProtection, type CsrfRequest } from './csrf';

describe(CsrfProtection.name, () => {
  const csrf = new CsrfProtection(
    { corsOrigins: [] } as unknown as ConfigType<typeof httpConfig>,
    { cookieSecure: true } as ConfigType<typeof authConfig>,
  );

  /** A POST with the secret cookie and the token header a browser page of the site sends. */
  function post(secret: string, token: string): CsrfRequest {
    return {
      method: 'POST',
      headers: { 'x-xsrf-token': token },
      cookies: { '__Host-csrf_secret': secret },
    };
  }

  const passes = (request: CsrfRequest, credential: string) => {
    try {
      csrf.verify(request, credential);
      return true;
    } catch {
      return false;
    }
  };

  it('accepts the token for either credential of the session it was issued with', () => {
    const { secret, token } = csrf.issue(['access-1', 'refresh-1']);
    expect(passes(post(secret, token), 'access-1')).toBe(true);
    expect(passes(post(secret, token), 'refresh-1')).toBe(true);
  });

  it('refuses a consistent secret and token issued for another session', () => {
    const attacker = csrf.issue(['access-attacker', 'refresh-attacker']);
    expect(passes(post(attacker.secret, attacker.token), 'access-victim')).toBe(false);
    expect(passes(post(attacker.secret, attacker.token), 'refresh-victim')).toBe(false);
  });

  it('refuses a token made with another secret, and a missing or malformed one', () => {
    const mine = csrf.issue(['access-1']);
    const other = csrf.issue(['access-1']);
    expect(passes(post(mine.secret, other.token), 'access-1')).toBe(false);
    expect(passes(post(mine.secret, ''), 'access-1')).toBe(false);
    expect(passes(post(mine.secret, 'a.b.c'), 'access-1')).toBe(false);
    expect(passes({ method: 'POST', headers: {}, cookies: {} }, 'access-1')).toBe(false);
  });

  it('names the readable token cookie in its refusal', () => {
    expect(() => csrf.verify(post('s', 't'), 'access-1')).toThrow(
      'Send the __Host-XSRF-TOKEN cookie value in the X-XSRF-TOKEN header, or use a bearer token.',
    );
  });
});
