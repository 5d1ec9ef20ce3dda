import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFolderInUseError, LOCK_FILE, lockDataFolder } from './data-folder-lock';

describe(lockDataFolder.name, () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'data-lock-'));

  it('takes a free folder and gives it back', () => {
    const dir = folder();
    const unlock = lockDataFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    unlock();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder another running process holds, in one line naming it', () => {
    const dir = folder();
    // The parent of this test runner is alive for as long as the test runs.
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    expect(() => lockDataFolder(dir)).toThrow(DataFolderInUseError);
    expect(() => lockDataFolder(dir)).toThrow(
      `the embedded data folder ${dir} is in use by process ${process.ppid}: stop it, or set COGNITO_LOCAL_DATA_DIR to another folder`,
    );
  });

  it('takes over a lock left by a process that is gone', () => {
    const dir = folder();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(dir, LOCK_FILE), `${gone.stdout.toString()}\n`);
    const unlock = lockDataFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    unlock();
  });
});
