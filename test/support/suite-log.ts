import { appendFileSync } from 'node:fs';
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

/**
 * Values the canary spec must never find in a log line: codes the tests read, refresh tokens they
 * received. Appended to E2E_CANARY_FILE, one per line.
 */
export function rememberSecret(value: string | undefined): void {
  const file = process.env.E2E_CANARY_FILE;
  if (file && value) appendFileSync(file, `${value}\n`);
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
