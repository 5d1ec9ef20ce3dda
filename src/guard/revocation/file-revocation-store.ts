import { Logger } from '@nestjs/common';
import { appendFile, chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseRevocation, type Revocation, type RevocationStore } from './revocation-store';

export const REVOCATIONS_FILE = 'revocations.jsonl';

/**
 * One instance's revocations in a file, so a restart forgets no logout, password change or
 * disabled account: one JSON line per revocation, appended before the answer that made it (a
 * process that dies afterwards has handed it to the operating system already). At start the file is read, expired lines are dropped and it is rewritten compactly
 * (through a temporary file and a rename, so a crash leaves the old or the new file, never half).
 * The folder is 0700 and the file 0600: token ids and user ids are nobody else's business.
 */
export class FileRevocationStore implements RevocationStore {
  readonly shared = false;
  private readonly logger = new Logger('FileRevocationStore');
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly onRevocation: (revocation: Revocation) => void,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.file = join(dir, REVOCATIONS_FILE);
  }

  async start(): Promise<void> {
    try {
      await this.load();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(
        `Cannot keep revocations in ${this.dir} (${reason}): make STATE_DIR a writable folder, or set REDIS_URL`,
      );
    }
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const kept: Revocation[] = [];
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let malformed = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const revocation = parseRevocation(line);
      if (!revocation) malformed += 1;
      else if (revocation.expiresAt > this.now()) kept.push(revocation);
    }
    // A crash in the middle of an append leaves at most one broken last line.
    if (malformed > 0) this.logger.warn(`Ignored ${malformed} malformed line(s) in ${this.file}`);
    for (const revocation of kept) this.onRevocation(revocation);
    const temporary = `${this.file}.${randomUUID()}.tmp`;
    await this.write(
      temporary,
      kept.map((revocation) => `${JSON.stringify(revocation)}\n`).join(''),
    );
    await rename(temporary, this.file);
  }

  async publish(revocation: Revocation): Promise<void> {
    await appendFile(this.file, `${JSON.stringify(revocation)}\n`, { mode: 0o600 });
  }

  /** Whether the file can still be written. */
  async ping(): Promise<boolean> {
    try {
      await appendFile(this.file, '', { mode: 0o600 });
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    // Every append is complete before publish resolves; nothing is buffered.
  }

  private async write(path: string, content: string): Promise<void> {
    const handle = await open(path, 'w', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(path, 0o600);
  }
}
