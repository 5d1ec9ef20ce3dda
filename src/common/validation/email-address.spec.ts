import { normaliseEmail } from './email-address';

const emailOf = (value: unknown) => {
  const check = normaliseEmail(value);
  return 'email' in check ? check.email : undefined;
};
const problemOf = (value: unknown) => {
  const check = normaliseEmail(value);
  return 'problem' in check ? check.problem : undefined;
};

describe(normaliseEmail.name, () => {
  it('trims, lower-cases and keeps a plain address', () => {
    expect(emailOf('  Alice.Liddell+Tea@Example.COM\t')).toBe('alice.liddell+tea@example.com');
    expect(emailOf("o'brien@mail.example.co.uk")).toBe("o'brien@mail.example.co.uk");
  });

  // The ways an address was made to look like another: each one either becomes that very
  // address (so it reaches the same account) or is refused, never a second account.
  it.each([
    ['Cyrillic а in the local part', '\u0430dmin@example.com', undefined],
    ['Cyrillic е in the domain', 'admin@\u0435xample.com', undefined],
    ['Greek ο in the domain', 'admin@example.c\u03bfm', undefined],
    ['fullwidth forms', 'ａｄｍｉｎ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'admin@example.com'],
    ['a zero-width space', 'ad\u200bmin@example.com', undefined],
    ['a right-to-left override', '\u202emoc.elpmaxe@nimda', undefined],
    ['NFD instead of NFC', 'admin@exa\u0301mple.com', 'admin@xn--exmple-qta.com'],
  ])('maps or refuses a lookalike with %s', (_, lookalike, expected) => {
    expect(emailOf(lookalike)).toBe(expected);
    if (expected === undefined) expect(problemOf(lookalike)).toEqual(expect.any(String));
  });

  it('gives NFD and NFC spellings of one address the same stored form', () => {
    const nfc = 'admin@ex\u00e1mple.com';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(emailOf(nfd)).toBe(emailOf(nfc));
    expect(emailOf(nfc)).toBe('admin@xn--exmple-qta.com');
  });

  it.each([
    ['zero-width space', '\u200b'],
    ['zero-width non-joiner', '\u200c'],
    ['zero-width joiner', '\u200d'],
    ['word joiner', '\u2060'],
    ['byte-order mark', '\ufeff'],
    ['left-to-right mark', '\u200e'],
    ['right-to-left mark', '\u200f'],
    ['left-to-right embedding', '\u202a'],
    ['right-to-left override', '\u202e'],
    ['left-to-right isolate', '\u2066'],
    ['pop directional isolate', '\u2069'],
    ['soft hyphen', '\u00ad'],
    ['Hangul filler', '\u3164'],
    ['variation selector', '\ufe0f'],
    ['tag character', '\u{e0041}'],
    ['NUL', '\u0000'],
  ])('refuses a %s anywhere, the edges included', (_, char) => {
    for (const email of [`${char}a@example.com`, `a${char}b@example.com`, `a@exam${char}ple.com`]) {
      expect([email, problemOf(email)]).toEqual([
        email,
        'must not contain invisible or text-direction characters',
      ]);
    }
    expect(problemOf(`a@example.com${char}`)).toBe(
      'must not contain invisible or text-direction characters',
    );
  });

  it('refuses a local part that is not ASCII, mixed or not', () => {
    expect(problemOf('аdmin@example.com')).toBe(
      'must use only ASCII letters, digits and . _ + - before the @',
    );
    expect(problemOf('почта@example.com')).toBe(
      'must use only ASCII letters, digits and . _ + - before the @',
    );
    expect(problemOf('rené@example.com')).toBe(
      'must use only ASCII letters, digits and . _ + - before the @',
    );
  });

  it('refuses a domain word that mixes scripts: Latin with Cyrillic, Latin with Greek', () => {
    expect(problemOf('admin@ex\u0430mple.com')).toBe(
      'has a domain word that mixes scripts (Latin, Cyrillic)',
    );
    expect(problemOf('admin@g\u03bfogle.com')).toBe(
      'has a domain word that mixes scripts (Latin, Greek)',
    );
    // The same, sent already encoded as punycode.
    expect(problemOf('admin@xn--exmple-4nf.com')).toBe(
      'has a domain word that mixes scripts (Latin, Cyrillic)',
    );
  });

  it('accepts a domain word wholly in one other script, stored in its ASCII form', () => {
    expect(emailOf('info@пример.рф')).toBe('info@xn--e1afmkfd.xn--p1ai');
    expect(emailOf('info@xn--e1afmkfd.xn--p1ai')).toBe('info@xn--e1afmkfd.xn--p1ai');
    expect(emailOf('Info@Bücher.de')).toBe('info@xn--bcher-kva.de');
    expect(emailOf('info@例え.テスト')).toBe(`info@${new URL('http://例え.テスト').hostname}`);
    expect(emailOf('info@日本語ドメイン.jp')).toEqual(expect.stringMatching(/^info@xn--/));
  });

  it('refuses a domain word made only of letters that look Latin', () => {
    expect(problemOf('admin@\u0435\u0445\u043e.com')).toBe(
      'has a domain word that is written in letters that look Latin',
    );
    expect(problemOf('admin@\u0440\u0430\u0443\u0440\u0430\u04cf.com')).toBe(
      'has a domain word that is written in letters that look Latin',
    );
  });

  it('refuses a domain word in a script domains are not written in', () => {
    expect(problemOf('admin@\u13aa\u13b7.com')).toBe(
      'has a domain word that uses a script that is not accepted',
    );
  });

  it.each([
    ['not an email'],
    ['not-an-email'],
    ['@example.com'],
    ['alice@'],
    ['alice@localhost'],
    ['alice@@example.com'],
    ['a@b@example.com'],
    ['a＠b@example.com'],
    ['"admin@example.com"@evil.com'],
    ['alice..liddell@example.com'],
    ['.alice@example.com'],
    ['alice@example..com'],
    ['alice@-example.com'],
    ['alice@example-.com'],
    ['alice@exa_mple.com'],
    ['alice@example.com.'],
    ['alice@1.2.3.4'],
    ['alice@[127.0.0.1]'],
    ['alice@%41.com'],
    ['alice@example.c'],
    ['alice@example.123'],
    ['alice@xn--zz.com'],
    ['alice liddell@example.com'],
    ['alice@exam ple.com'],
    ['alice\u00a0liddell@example.com'],
    ['alice\nliddell@example.com'],
    [`${'a'.repeat(65)}@example.com`],
  ])('refuses %j', (value) => {
    expect(emailOf(value)).toBeUndefined();
  });

  it('refuses anything but a string, and an address over 254 characters', () => {
    for (const value of [undefined, null, 42, ['a@example.com'], { email: 'a@example.com' }]) {
      expect(problemOf(value)).toBe('must be a string');
    }
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`;
    expect(long.length).toBeGreaterThan(254);
    expect(problemOf(long)).toBe('must be at most 254 characters long');
  });

  it('changes nothing when it normalises a normalised address', () => {
    for (const value of [
      'Alice@Example.com',
      'ａｄｍｉｎ＠ｅｘａｍｐｌｅ．ｃｏｍ',
      'info@пример.рф',
      'x@Bücher.de',
      'İ@example.com',
      'k\u212a@example.com',
    ]) {
      const once = emailOf(value);
      if (once !== undefined) expect([value, emailOf(once)]).toEqual([value, once]);
    }
  });
});
