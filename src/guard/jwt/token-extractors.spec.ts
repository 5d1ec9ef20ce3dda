import { ACCESS_COOKIE_NAME, extractAccessToken, presentedAccessToken } from './token-extractors';

describe(extractAccessToken.name, () => {
  it('takes a bearer token from the Authorization header, whatever the scheme case', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect(extractAccessToken({ headers: { authorization: `${scheme} abc.def.ghi` } })).toBe(
        'abc.def.ghi',
      );
    }
    expect(extractAccessToken({ headers: { authorization: 'Bearer   abc.def.ghi ' } })).toBe(
      'abc.def.ghi',
    );
  });

  it('falls back to the access cookie when there is no bearer header', () => {
    const cookies = { access_token: 'from.cookie.jwt' };
    expect(extractAccessToken({ headers: {}, cookies })).toBe('from.cookie.jwt');
    expect(extractAccessToken({ headers: { authorization: 'Basic dXNlcjpwYXNz' }, cookies })).toBe(
      'from.cookie.jwt',
    );
    expect(extractAccessToken({ headers: { authorization: 'Bearer ' }, cookies })).toBe(
      'from.cookie.jwt',
    );
  });

  it('prefers the header to the cookie', () => {
    expect(
      extractAccessToken({
        headers: { authorization: 'Bearer from.header.jwt' },
        cookies: { access_token: 'c' },
      }),
    ).toBe('from.header.jwt');
  });

  it('finds nothing elsewhere: not in the query string, not in other cookies', () => {
    expect(
      extractAccessToken({
        headers: {},
        cookies: { refresh_token: 'r' },
        query: { access_token: 'q' },
      }),
    ).toBeNull();
    expect(extractAccessToken({ headers: { authorization: 'Bearerabc' } })).toBeNull();
    expect(extractAccessToken({})).toBeNull();
    expect(extractAccessToken(undefined)).toBeNull();
  });

  it('reads the access cookie only under the name the app gives it', () => {
    // SessionCookies puts the name on the request prototype; a request inherits it.
    const request = Object.create({ [ACCESS_COOKIE_NAME]: '__Host-access_token' }) as object;
    const withCookies = (cookies: Record<string, string>) =>
      Object.assign(Object.create(request) as object, { headers: {}, cookies });
    expect(extractAccessToken(withCookies({ '__Host-access_token': 'host.cookie.jwt' }))).toBe(
      'host.cookie.jwt',
    );
    // A plain cookie could have been planted over http or from a sibling subdomain.
    const planted = withCookies({ access_token: 'planted.cookie.jwt' });
    expect(extractAccessToken(planted)).toBeNull();
    expect(presentedAccessToken(planted)?.viaCookie).not.toBe(true);
  });
});

describe(presentedAccessToken.name, () => {
  it('reads the request once, however many parts of the app ask', () => {
    let reads = 0;
    const request = {
      get headers() {
        reads += 1;
        return { authorization: 'Bearer abc.def.ghi' };
      },
    };
    expect(presentedAccessToken(request)).toEqual({ token: 'abc.def.ghi', viaCookie: false });
    expect(extractAccessToken(request)).toBe('abc.def.ghi');
    expect(presentedAccessToken(request)?.viaCookie).toBe(false);
    expect(reads).toBe(1);
  });

  it('says when the token is the session cookie’s', () => {
    expect(presentedAccessToken({ headers: {}, cookies: { access_token: 'c.o.k' } })).toEqual({
      token: 'c.o.k',
      viaCookie: true,
    });
  });
});
