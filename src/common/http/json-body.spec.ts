import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-body';

describe(nestsDeeperThan.name, () => {
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('counts object and array levels, and only those beyond the limit', () => {
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[1,{"c":[]}]}}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[1,{"c":2}]}}', 4)).toBe(false);
    // Many siblings are not depth.
    expect(nestsDeeperThan(`[${'[],'.repeat(1000)}[]]`, 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(`{"a":"${'['.repeat(100)}"}`, 2)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\"${'{'.repeat(100)}"}`, 2)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\\\",${'['.repeat(10)}`, 5)).toBe(true);
    expect(nestsDeeperThan(`{"a":"\\\\\\"${'['.repeat(10)}"}`, 5)).toBe(false);
    // An unterminated string hides what follows; JSON.parse refuses the body anyway.
    expect(nestsDeeperThan(`{"a":"${'['.repeat(100)}`, 2)).toBe(false);
  });
});
