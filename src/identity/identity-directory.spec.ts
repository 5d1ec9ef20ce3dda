import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_IDS_FILE, IdentityDirectory } from './identity-directory';

async function started(dir: string, enabled = true): Promise<IdentityDirectory> {
  const directory = new IdentityDirectory(enabled, dir);
  await directory.onModuleInit();
  return directory;
}

describe(IdentityDirectory.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'identity-directory-')), 'state');
  });

  it('remembers identities across a restart, and forgets a removed one', async () => {
    const first = await started(dir);
    await first.remember('sub-1', 'eu-west-1:a');
    await first.remember('sub-2', 'eu-west-1:b');
    await first.remember('sub-2', 'eu-west-1:c');
    await first.forget('sub-1');
    const second = await started(dir);
    await expect(second.get('sub-1')).resolves.toBeUndefined();
    await expect(second.get('sub-2')).resolves.toBe('eu-west-1:c');
    // Compacted at start: one line per user; private to the process's user.
    expect(readFileSync(join(dir, IDENTITY_IDS_FILE), 'utf8')).toBe(
      '{"sub":"sub-2","identityId":"eu-west-1:c"}\n',
    );
    expect(statSync(join(dir, IDENTITY_IDS_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('skips a broken line (a crash in the middle of an append), with a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const first = await started(dir);
    await first.remember('sub-1', 'eu-west-1:a');
    writeFileSync(
      join(dir, IDENTITY_IDS_FILE),
      '{"sub":"sub-1","identityId":"eu-west-1:a"}\n{"sub":',
      {
        flag: 'w',
      },
    );
    await expect((await started(dir)).get('sub-1')).resolves.toBe('eu-west-1:a');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Ignored 1 malformed line(s)'));
    warn.mockRestore();
  });

  it('when nothing needs it, remembers nothing and writes no file', async () => {
    const off = await started(dir, false);
    await off.remember('sub-1', 'eu-west-1:a');
    await expect(off.get('sub-1')).resolves.toBeUndefined();
    expect(() => statSync(dir)).toThrow();
  });

  it('a folder it cannot write stops the start with what to do', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'identity-directory-')), 'not-a-folder');
    writeFileSync(file, '');
    await expect(started(file)).rejects.toThrow(
      /make STATE_DIR a writable folder, or set REDIS_URL/,
    );
  });
});
