import { scriptOf, scriptProblem } from './unicode-scripts';

describe(scriptOf.name, () => {
  it('names the script of a letter; digits, hyphens and combining marks belong to none', () => {
    expect(
      ['a', 'é', 'а', 'α', 'ա', 'א', 'ب', '字', 'か', 'カ', '한', 'ㄅ', 'ก'].map(scriptOf),
    ).toEqual([
      'Latin',
      'Latin',
      'Cyrillic',
      'Greek',
      'Armenian',
      'Hebrew',
      'Arabic',
      'Han',
      'Hiragana',
      'Katakana',
      'Hangul',
      'Bopomofo',
      'Thai',
    ]);
    expect(['1', '-', '\u0301', 'ー'].map(scriptOf)).toEqual([
      'neutral',
      'neutral',
      'neutral',
      'neutral',
    ]);
    expect(scriptOf('\u13aa')).toBe('other'); // Cherokee
  });
});

describe(scriptProblem.name, () => {
  it.each([
    ['example'],
    ['bücher'],
    ['пример'],
    ['παράδειγμα'],
    ['مثال'],
    ['例え'],
    ['日本語ドメイン'], // Han + Katakana
    ['ひらがなカタカナ漢字abc'], // Japanese with Latin
    ['한국어漢字'], // Hangul + Han
    ['中文ㄅ'], // Han + Bopomofo
    ['123-456'],
    ['рф'],
  ])('accepts %s', (label) => {
    expect(scriptProblem(label)).toBeUndefined();
  });

  it.each([
    ['ex\u0430mple', 'mixes scripts (Latin, Cyrillic)'],
    ['g\u03bfogle', 'mixes scripts (Latin, Greek)'],
    ['\u0430\u03b1', 'mixes scripts (Cyrillic, Greek)'],
    ['漢字кириллица', 'mixes scripts (Han, Cyrillic)'],
    ['한국어ひらがな', 'mixes scripts (Hangul, Hiragana)'],
    ['\u0435\u0445\u043e', 'is written in letters that look Latin'],
    ['\u03bf\u03bd\u03bf', 'is written in letters that look Latin'],
    ['\u0585\u057d', 'is written in letters that look Latin'],
    ['\u13aa\u13b7', 'uses a script that is not accepted'],
  ])('refuses %s: it %s', (label, problem) => {
    expect(scriptProblem(label)).toBe(problem);
  });
});
