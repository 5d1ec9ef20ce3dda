import { sessionCookieNames } from './cookie-names';

describe(sessionCookieNames.name, () => {
  it('prefixes __Host- where the cookie is Secure without a Domain, __Secure- on the refresh paths', () => {
    expect(sessionCookieNames({ cookieSecure: true })).toEqual({
      access: '__Host-access_token',
      refresh: '__Secure-refresh_token',
      refreshUsername: '__Secure-refresh_username',
      idToken: '__Secure-id_token',
      csrfSecret: '__Host-csrf_secret',
      csrfToken: '__Host-XSRF-TOKEN',
    });
  });

  it('uses __Secure- everywhere with a Domain, which __Host- forbids', () => {
    expect(sessionCookieNames({ cookieSecure: true, cookieDomain: 'example.com' })).toEqual({
      access: '__Secure-access_token',
      refresh: '__Secure-refresh_token',
      refreshUsername: '__Secure-refresh_username',
      idToken: '__Secure-id_token',
      csrfSecret: '__Secure-csrf_secret',
      csrfToken: '__Secure-XSRF-TOKEN',
    });
  });

  it('keeps the plain names without Secure (plain-http development), which both prefixes need', () => {
    expect(sessionCookieNames({ cookieSecure: false, cookieDomain: 'example.com' })).toEqual({
      access: 'access_token',
      refresh: 'refresh_token',
      refreshUsername: 'refresh_username',
      idToken: 'id_token',
      csrfSecret: 'csrf_secret',
      csrfToken: 'XSRF-TOKEN',
    });
  });
});
