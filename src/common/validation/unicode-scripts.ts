/**
 * Which writing system a piece of text uses, for refusing labels that mix scripts (the way a
 * Cyrillic `а` hides inside a Latin word). Letters of the scripts below are told apart with
 * Unicode property escapes; digits, punctuation and combining marks (Script=Common and
 * Script=Inherited) belong to no script and mix with any.
 */

/**
 * The scripts a domain label may be written in: those that internationalised domain names are
 * registered in. A letter of any other script (historic ones, and scripts with few domains but
 * many letters that look Latin, such as Cherokee) is refused.
 */
export const ACCEPTED_SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Ethiopic',
  'Mongolian',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Bopomofo',
] as const;
export type Script = (typeof ACCEPTED_SCRIPTS)[number];

const PATTERNS = ACCEPTED_SCRIPTS.map(
  (script) => [script, new RegExp(`^\\p{Script=${script}}$`, 'u')] as const,
);
const NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/**
 * Scripts that are written together in one word, after Unicode's "highly restrictive" level
 * (UTS #39, 5.2): Japanese mixes Han and the kana, Chinese Han and Bopomofo, Korean Han and
 * Hangul, each possibly with Latin.
 * https://www.unicode.org/reports/tr39/#Restriction_Level_Detection
 */
const WRITTEN_TOGETHER: readonly (readonly Script[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

/**
 * Lower-case letters of other scripts that look like Latin letters (from Unicode's confusables
 * list): a label made only of them reads as a Latin word, e.g. Cyrillic `ехо` as "exo".
 * https://www.unicode.org/Public/security/latest/confusables.txt
 */
const LATIN_LOOKALIKES = new Set([
  // Cyrillic: a c d e h i j l o p q s v w x y y
  ...'асԁеһіјӏорԛѕѵԝхуү',
  // Greek: a c i j o p u v x y
  ...'αϲιϳορυνχγ',
  // Armenian: g h n o q u
  ...'ցհոօզս',
]);

/** The script of one character: a name, `neutral` for Common/Inherited, `other` for the rest. */
export function scriptOf(char: string): Script | 'neutral' | 'other' {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x80) return /[a-z]/i.test(char) ? 'Latin' : 'neutral';
  if (NEUTRAL.test(char)) return 'neutral';
  for (const [script, pattern] of PATTERNS) if (pattern.test(char)) return script;
  return 'other';
}

/** Why a label (one word of a domain) cannot be accepted, or undefined when it can. */
export function scriptProblem(label: string): string | undefined {
  const scripts = new Set<Script>();
  let allLookalikes = true;
  let letters = 0;
  for (const char of label) {
    const script = scriptOf(char);
    if (script === 'neutral') continue;
    if (script === 'other') return 'uses a script that is not accepted';
    scripts.add(script);
    letters++;
    if (!LATIN_LOOKALIKES.has(char)) allLookalikes = false;
  }
  if (
    scripts.size > 1 &&
    !WRITTEN_TOGETHER.some((set) => [...scripts].every((s) => set.includes(s)))
  ) {
    return `mixes scripts (${[...scripts].join(', ')})`;
  }
  if (letters > 0 && allLookalikes && !scripts.has('Latin')) {
    return 'is written in letters that look Latin';
  }
  return undefined;
}
