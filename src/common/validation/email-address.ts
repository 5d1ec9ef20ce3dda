import { domainToASCII, domainToUnicode } from 'node:url';
import { scriptProblem } from './unicode-scripts';

/** An email in its one stored form, or why it is refused (a phrase that follows "email"). */
export type EmailCheck = { email: string } | { problem: string };

/**
 * Characters nobody sees: format characters (zero-width spaces and joiners, direction marks and
 * overrides, the byte-order mark, soft hyphens), everything Unicode says to render invisibly, and
 * the other non-characters (controls, private use, unassigned, lone surrogates).
 */
const INVISIBLE = /[\p{C}\p{Default_Ignorable_Code_Point}]/u;
/** The invisible characters that String.prototype.trim would otherwise drop silently (U+FEFF). */
const FORMAT = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const SPACE = /[\p{Z}\s]/u;

/** RFC 5322 dot-atom in ASCII: no quoted strings, no comments, no spaces. */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const MAX_LENGTH = 254;

/**
 * Brings an email address to the one form it is stored and looked up in, so that every way of
 * writing an address reaches the same account and no second account can look like it:
 *
 * - surrounding white space is trimmed; invisible and direction characters anywhere are refused;
 * - NFKC: compatibility forms become their plain letters (fullwidth `ａ` is `a`), and the result
 *   is NFC; then lower case;
 * - the part before the @ must be ASCII: Cognito sends its codes through Amazon SES, which only
 *   takes ASCII there (no SMTPUTF8), and an ASCII local part cannot hide a lookalike letter;
 * - each word of the domain must be written in one script (Latin, Cyrillic, Han...) and not only
 *   in letters that look Latin; `xn--` words are decoded and checked the same way;
 * - the domain is stored in its ASCII (punycode) form, the form SES sends to, so `bücher.de` and
 *   `xn--bcher-kva.de` are one address.
 *
 * Normalising a normalised address changes nothing.
 */
export function normaliseEmail(value: unknown): EmailCheck {
  if (typeof value !== 'string') return { problem: 'must be a string' };
  const trimmed = value.trim();
  if (FORMAT.test(value) || INVISIBLE.test(trimmed)) {
    return { problem: 'must not contain invisible or text-direction characters' };
  }
  const text = trimmed.normalize('NFKC').toLowerCase().normalize('NFKC');
  if (INVISIBLE.test(text)) {
    return { problem: 'must not contain invisible or text-direction characters' };
  }
  if (SPACE.test(text)) return { problem: 'must not contain spaces' };
  const at = text.lastIndexOf('@');
  const local = text.slice(0, Math.max(at, 0));
  const domain = text.slice(at + 1);
  if (at <= 0 || !domain || local.includes('@')) return { problem: 'must be an email address' };
  if (!LOCAL_PART.test(local)) {
    return /[^\0-\x7f]/.test(local)
      ? { problem: 'must use only ASCII letters, digits and . _ + - before the @' }
      : { problem: 'must be an email address' };
  }
  if (local.length > 64) return { problem: 'must be an email address' };

  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
    return { problem: 'must be an email address' };
  }
  const ascii = domainToASCII(domain);
  const unicode = ascii && domainToUnicode(ascii);
  if (!ascii || !unicode) return { problem: 'must be an email address' };
  const asciiLabels = ascii.split('.');
  if (
    asciiLabels.length !== labels.length ||
    !asciiLabels.every((label) => ASCII_LABEL.test(label)) ||
    !TOP_LEVEL.test(asciiLabels[asciiLabels.length - 1])
  ) {
    return { problem: 'must be an email address' };
  }
  for (const label of unicode.split('.')) {
    if (INVISIBLE.test(label)) {
      return { problem: 'must not contain invisible or text-direction characters' };
    }
    const problem = scriptProblem(label);
    if (problem) return { problem: `has a domain word that ${problem}` };
  }
  const email = `${local}@${ascii}`;
  if (email.length > MAX_LENGTH) {
    return { problem: `must be at most ${MAX_LENGTH} characters long` };
  }
  return { email };
}
