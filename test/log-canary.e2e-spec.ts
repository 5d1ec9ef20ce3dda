import { readFileSync } from 'node:fs';
import { rememberedSecrets, type Canary, type SecretKind } from './support/suite-log';
import { OTHER_PASSWORD, STRONG_PASSWORD } from './support/test-app';
import { TestPool } from './support/test-pool';

/**
 * The kinds of secret every run of the whole suite hands its tests, so a search that was given
 * nothing to look for fails instead of passing: every run signs accounts in (refresh tokens), and
 * a run against the emulator also reads codes, which a real pool never shows (its run is not
 * asked for any); every run gets AWS credentials from the embedded identity pool's stand-in, and
 * sends ID tokens in the X-Id-Token header to the sync routes on Cognito Sync (against moto).
 */
function kindsEveryRunRemembers(): SecretKind[] {
  const always: SecretKind[] = ['refresh token', 'aws credentials', 'id token'];
  return new TestPool().emulated ? [...always, 'code'] : always;
}

/**
 * Runs after every other spec (test/support/sequencer.js) and searches everything the suite's
 * apps and servers logged (E2E_LOG_FILE) for the secrets the suite used: passwords, the codes it
 * read, the tokens it received, the app client secret. One hit fails the run. Run alone, it has
 * nothing to search and says so; the same holds for a run that remembered none of a kind of
 * secret it must have handled.
 */
describe('Log canary (e2e, whole suite)', () => {
  const logFile = process.env.E2E_LOG_FILE ?? '';
  const text = logFile ? readFileSync(logFile, 'utf8') : '';
  const lines = text.split('\n').filter(Boolean);

  it('found the log lines of the suite to search', () => {
    expect(lines.length).toBeGreaterThan(500);
    expect(text).toContain('"event":"auth.login"');
    expect(text).toContain('"msg":"request completed"');
  });

  it('finds no password, code, token, client secret or secret hash in any log line', () => {
    const remembered = rememberedSecrets();
    expect([...new Set(remembered.map(({ kind }) => kind))]).toEqual(
      expect.arrayContaining(kindsEveryRunRemembers()),
    );
    const secret = process.env.COGNITO_CLIENT_SECRET;
    const canaries: Canary[] = [
      ...[STRONG_PASSWORD, OTHER_PASSWORD, 'Wrong-Passw0rd', 'Audit-Passw0rd!'].map(
        (value): Canary => ({ kind: 'password', value }),
      ),
      ...(secret ? [{ kind: 'client secret' as const, value: secret }] : []),
      ...remembered,
    ].filter(({ value }) => value.length >= 6);
    const hits = lines.flatMap((line, index) =>
      canaries
        .filter((canary) => appearsIn(line, canary))
        .map(({ kind, value }) => `${index}: ${kind} ${value}`),
    );
    expect(hits).toEqual([]);
    // Any JWT at all (access, ID or forged test tokens), and any secret-hash value.
    expect(lines.filter((line) => /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\./.test(line))).toEqual([]);
    expect(
      lines.filter((line) => /"(SECRET_HASH|SecretHash|secretHash)":"(?!\[REDACTED\])/.test(line)),
    ).toEqual([]);
  });

  it('redacted the Authorization and Cookie headers wherever they were logged', () => {
    expect(
      lines.filter((line) => /"(authorization|cookie)":"(?!\[REDACTED\])/i.test(line)),
    ).toEqual([]);
  });
});

/**
 * Whether a remembered secret appears in a log line. A code (six or eight digits) counts only as
 * a number of its own: the same digits inside a request id's hex are no leak.
 */
function appearsIn(line: string, { kind, value }: Canary): boolean {
  if (kind !== 'code') return line.includes(value);
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![0-9A-Za-z])${escaped}(?![0-9A-Za-z])`).test(line);
}
