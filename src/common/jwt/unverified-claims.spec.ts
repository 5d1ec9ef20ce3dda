import { stringClaim, subOfToken, unverifiedClaims, usernameOfToken } from './unverified-claims';

/** A JWT-shaped token with the given claims and a signature nobody checks here. */
function tokenWith(claims: unknown, header: unknown = { alg: 'RS256', kid: 'k' }): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part(header)}.${part(claims)}.c2ln`;
}

describe('unverified claims', () => {
  it('reads the claims of a well-formed token without checking its signature', () => {
    const token = tokenWith({ sub: 'uuid-1', username: 'uuid-1', iat: 1, jti: 'j' });
    expect(unverifiedClaims(token)).toEqual({
      sub: 'uuid-1',
      username: 'uuid-1',
      iat: 1,
      jti: 'j',
    });
    expect(subOfToken(token)).toBe('uuid-1');
    expect(usernameOfToken(token)).toBe('uuid-1');
  });

  it.each([
    ['nothing', undefined],
    ['an empty string', ''],
    ['a string that is no JWT', 'not-a-token'],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['a payload that is no object', tokenWith(['sub'])],
    ['a header that is no object', tokenWith({ sub: 'x' }, 'RS256')],
    ['a standard claim of the wrong type', tokenWith({ sub: 'x', exp: 'tomorrow' })],
  ])('gives no claims for %s', (_, token) => {
    expect(unverifiedClaims(token)).toBeUndefined();
    expect(stringClaim(token, 'sub')).toBeUndefined();
  });

  it('answers only a claim that is a string', () => {
    const token = tokenWith({ username: 42, sub: 'uuid-1' });
    expect(usernameOfToken(token)).toBeUndefined();
    expect(stringClaim(token, 'missing')).toBeUndefined();
  });
});
