import { Logger } from '@nestjs/common';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonLines, rewriteJsonLines } from '../../common/files/json-lines-file';
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
    const stored = await readJsonLines(this.file, parseRevocation, this.logger);
    const kept = stored.filter((revocation) => revocation.expiresAt > this.now());
    for (const revocation of kept) this.onRevocation(revocation);
    await rewriteJsonLines(this.file, kept);
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
}
