import { appendFileSync, readFileSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/**
 * Every log line the e2e suite's apps and servers write goes to one file (E2E_LOG_FILE, made by
 * the global setup), which the canary spec searches at the end of the run for secrets. Set
 * E2E_LOG_ECHO=1 to also see the lines on the terminal.
 */
export function appendSuiteLog(text: string): void {
  const file = process.env.E2E_LOG_FILE;
  if (file) appendFileSync(file, text);
  if (process.env.E2E_LOG_ECHO === '1') process.stdout.write(text);
}

/** What kind of secret a canary is; the canary spec requires every kind the run could use. */
export type SecretKind =
  | 'password'
  | 'code'
  | 'refresh token'
  | 'challenge session'
  | 'session key'
  | 'client secret'
  | 'aws credentials'
  | 'id token';

/** A value the canary spec must never find in a log line, and its kind. */
export interface Canary {
  kind: SecretKind;
  value: string;
}

/**
 * Remembers a value the canary spec must never find in a log line: a code a test read, a refresh
 * token it received, a password it chose. Appended to E2E_CANARY_FILE, one JSON line each.
 */
export function rememberSecret(value: string | undefined, kind: SecretKind): void {
  const file = process.env.E2E_CANARY_FILE;
  if (file && value) appendFileSync(file, `${JSON.stringify({ kind, value })}\n`);
}

/** The canaries the run remembered so far. */
export function rememberedSecrets(): Canary[] {
  const file = process.env.E2E_CANARY_FILE;
  if (!file) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Canary);
}

/** Collects the JSON log lines of one app (for assertions) and copies them to the suite log. */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];

  write(chunk: string): void {
    appendSuiteLog(chunk);
    for (const line of chunk.split('\n')) if (line) this.lines.push(line);
  }

  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The security events written so far, optionally only those named `event`. */
  events(event?: string): Record<string, unknown>[] {
    return this.records().filter(
      (record) => typeof record.event === 'string' && (!event || record.event === event),
    );
  }

  clear(): void {
    this.lines.length = 0;
  }
}
