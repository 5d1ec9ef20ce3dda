import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rememberSecret, rememberedSecrets } from './suite-log';

describe(rememberSecret.name, () => {
  const saved = process.env.E2E_CANARY_FILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.E2E_CANARY_FILE;
    else process.env.E2E_CANARY_FILE = saved;
  });

  it('remembers each secret with its kind, whatever characters it holds', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'canaries-')), 'secrets.txt');
    writeFileSync(file, '');
    process.env.E2E_CANARY_FILE = file;
    rememberSecret('123456', 'code');
    rememberSecret('line one\nline "two"', 'password');
    rememberSecret(undefined, 'refresh token');
    expect(rememberedSecrets()).toEqual([
      { kind: 'code', value: '123456' },
      { kind: 'password', value: 'line one\nline "two"' },
    ]);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('remembers nothing outside an e2e run', () => {
    delete process.env.E2E_CANARY_FILE;
    rememberSecret('123456', 'code');
    expect(rememberedSecrets()).toEqual([]);
  });
});
