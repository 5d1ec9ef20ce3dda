import { extractAccessToken } from './token-extractors';

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
});
