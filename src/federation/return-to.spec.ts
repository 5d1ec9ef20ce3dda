import { AppException } from '../common/errors/app.exception';
import { checkedReturnTo } from './return-to';

const ALLOWED = ['https://app.example.com', 'com.example.app:'];

function refusal(value: string): string | undefined {
  try {
    checkedReturnTo(value, ALLOWED);
    return undefined;
  } catch (error) {
    return (error as AppException).code;
  }
}

describe(checkedReturnTo.name, () => {
  it('takes paths of this site, defaulting to /', () => {
    expect(checkedReturnTo(undefined, ALLOWED)).toBe('/');
    expect(checkedReturnTo('', ALLOWED)).toBe('/');
    expect(checkedReturnTo('/account?tab=2#mfa', ALLOWED)).toBe('/account?tab=2#mfa');
  });

  it('gives a path back as a browser reads it, dot segments resolved', () => {
    expect(checkedReturnTo('/a/../account/./mfa', ALLOWED)).toBe('/account/mfa');
    expect(checkedReturnTo('/%2e%2e/account', ALLOWED)).toBe('/account');
    // Percent-encoded as a header value must be: a raw character there would fail the redirect.
    expect(checkedReturnTo('/／/evil.example', ALLOWED)).toBe('/%EF%BC%8F/evil.example');
    expect(checkedReturnTo('/\u200b/x?q=é', ALLOWED)).toBe('/%E2%80%8B/x?q=%C3%A9');
  });

  it('takes addresses on the allowed origins and app schemes only', () => {
    expect(checkedReturnTo('https://app.example.com/welcome', ALLOWED)).toBe(
      'https://app.example.com/welcome',
    );
    expect(checkedReturnTo('com.example.app:/signed-in', ALLOWED)).toBe(
      'com.example.app:/signed-in',
    );
    for (const foreign of [
      'https://evil.example/',
      'https://app.example.com.evil.example/',
      'http://app.example.com/',
      'https://app.example.com:8443/',
      'https://user@app.example.com/',
      'other.app:/x',
    ]) {
      expect([foreign, refusal(foreign)]).toEqual([foreign, 'RETURN_TO_NOT_ALLOWED']);
    }
  });

  it('refuses what a browser would read as another site or as script', () => {
    for (const value of [
      '//evil.example',
      '/..//evil.example',
      '/.//evil.example',
      '/%2e%2e//evil.example',
      '/a/..//evil.example/x',
      '/\\evil.example',
      '/\t/evil.example',
      '/%0a',
      ' /account',
      'javascript:alert(1)',
      'data:text/html,x',
      'evil.example',
      `/${'a'.repeat(2048)}`,
    ]) {
      const expected = value === '/%0a' ? undefined : 'RETURN_TO_NOT_ALLOWED';
      expect([value, refusal(value)]).toEqual([value, expected]);
    }
  });
});
