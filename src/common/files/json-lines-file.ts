import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * State kept by one instance in a file of JSON lines, appended as it changes and compacted at
 * start: the folder is made `0700`, the file is `0600` (what it holds is nobody else's business).
 */

/**
 * The values of the file's lines (none when there is no file yet), making its folder if needed.
 * A line `parse` refuses is skipped with one warning: a crash in the middle of an append leaves
 * at most one broken last line.
 */
export async function readJsonLines<T>(
  file: string,
  parse: (line: string) => T | undefined,
  logger: Logger,
): Promise<T[]> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const values: T[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const value = parse(line);
    if (value === undefined) malformed += 1;
    else values.push(value);
  }
  if (malformed > 0) logger.warn(`Ignored ${malformed} malformed line(s) in ${file}`);
  return values;
}

/**
 * Replaces the file by these values, one JSON line each, at once: written to a temporary file,
 * synced, then renamed over it, so a crash leaves the old file or the new one, never half.
 */
export async function rewriteJsonLines(file: string, values: readonly unknown[]): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(values.map((value) => `${JSON.stringify(value)}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
