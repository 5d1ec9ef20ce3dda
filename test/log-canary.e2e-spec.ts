import { readFileSync } from 'node:fs';
import { OTHER_PASSWORD, STRONG_PASSWORD } from './support/test-app';

/**
 * Runs after every other spec (test/support/sequencer.js) and searches everything the suite's
 * apps and servers logged (E2E_LOG_FILE) for the secrets the suite used: passwords, the codes it
 * read, the tokens it received, the app client secret. One hit fails the run. Run alone, it has
 * nothing to search and says so.
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
    const canaries = [
      STRONG_PASSWORD,
      OTHER_PASSWORD,
      'Wrong-Passw0rd',
      'Audit-Passw0rd!',
      process.env.COGNITO_CLIENT_SECRET,
      ...readFileSync(process.env.E2E_CANARY_FILE ?? '', 'utf8').split('\n'),
    ].filter((value): value is string => Boolean(value && value.length >= 6));
    expect(canaries.length).toBeGreaterThan(10);
    const hits = lines.flatMap((line, index) =>
      canaries.filter((canary) => line.includes(canary)).map((canary) => `${index}: ${canary}`),
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
