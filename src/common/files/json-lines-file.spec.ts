import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLines, rewriteJsonLines } from './json-lines-file';

const parse = (line: string): { n: number } | undefined => {
  try {
    const value = JSON.parse(line) as { n?: unknown };
    return typeof value.n === 'number' ? { n: value.n } : undefined;
  } catch {
    return undefined;
  }
};

describe('JSON lines state files', () => {
  const logger = new Logger('test');
  let warn: jest.SpyInstance;
  let file: string;

  beforeEach(() => {
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    file = join(mkdtempSync(join(tmpdir(), 'json-lines-')), 'state', 'values.jsonl');
  });

  it('reads nothing from a file not there yet, and makes its private folder', async () => {
    await expect(readJsonLines(file, parse, logger)).resolves.toEqual([]);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
  });

  it('skips a broken line with one warning', async () => {
    await readJsonLines(file, parse, logger);
    writeFileSync(file, '{"n":1}\n\n{"n":2}\n{"n":');
    await expect(readJsonLines(file, parse, logger)).resolves.toEqual([{ n: 1 }, { n: 2 }]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Ignored 1 malformed line(s)'));
  });

  it('rewrites the file at once, private, leaving no temporary file', async () => {
    await readJsonLines(file, parse, logger);
    writeFileSync(file, 'old\n');
    await rewriteJsonLines(file, [{ n: 3 }, { n: 4 }]);
    expect(readFileSync(file, 'utf8')).toBe('{"n":3}\n{"n":4}\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, '..'))).toEqual(['values.jsonl']);
  });
});
