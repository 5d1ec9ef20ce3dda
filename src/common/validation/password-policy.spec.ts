import { passwordPolicyViolations } from './password-policy';

const strict = {
  minimumLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumbers: true,
  requireSymbols: true,
};

describe(passwordPolicyViolations.name, () => {
  it('accepts a password that meets every rule', () => {
    expect(passwordPolicyViolations('Passw0rd!', strict)).toEqual([]);
  });

  it('names every unmet rule', () => {
    expect(passwordPolicyViolations('abc', strict)).toEqual([
      'at least 8 characters',
      'an uppercase letter',
      'a number',
      'a symbol',
    ]);
  });

  it("counts Cognito's symbols, the space and the backtick included", () => {
    for (const symbol of ['^', '$', '`', '=', '+', '-', '\\', '"', ' ']) {
      expect(passwordPolicyViolations(`Passw0rd${symbol}x`, strict)).toEqual([]);
    }
    expect(passwordPolicyViolations('Passw0rd€x', strict)).toEqual(['a symbol']);
  });

  it('refuses a leading or trailing space rather than trimming it', () => {
    expect(passwordPolicyViolations(' Passw0rd!', strict)).toEqual([
      'no space at the start or end',
    ]);
    expect(passwordPolicyViolations('Passw0rd! ', strict)).toEqual([
      'no space at the start or end',
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordPolicyViolations('P0!a😀😀', { ...strict, minimumLength: 6 })).toEqual([]);
    expect(passwordPolicyViolations('P0!a😀', { ...strict, minimumLength: 6 })).toEqual([
      'at least 6 characters',
    ]);
  });

  it('applies only the rules the policy asks for', () => {
    const relaxed = {
      minimumLength: 6,
      requireUppercase: false,
      requireLowercase: true,
      requireNumbers: false,
      requireSymbols: false,
    };
    expect(passwordPolicyViolations('abcdef', relaxed)).toEqual([]);
  });
});
