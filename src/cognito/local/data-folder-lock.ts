import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'instance.lock';

/** The embedded data folder belongs to another running instance: one line, no stack. */
export class DataFolderInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded data folder ${dataDir} is in use by process ${pid}: stop it, or set ` +
        'COGNITO_LOCAL_DATA_DIR to another folder',
    );
    this.name = 'DataFolderInUseError';
  }
}

/** Whether a process with this id runs (signal 0 checks without sending anything). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the embedded data folder for this process, or throws DataFolderInUseError when another
 * running instance has it. Two instances on one folder would run two emulators over one data file,
 * each overwriting the other's writes (a changed password reverted), and would each remember
 * their own emulator port. A lock left by a process that is gone is taken over. Answers the
 * function that gives the folder back.
 */
export function lockDataFolder(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && running(holder)) {
        throw new DataFolderInUseError(dataDir, holder);
      }
      unlinkSync(file);
    }
  }
  return () => {
    try {
      if (Number.parseInt(readFileSync(file, 'utf8'), 10) === process.pid) unlinkSync(file);
    } catch {
      // Gone already.
    }
  };
}
