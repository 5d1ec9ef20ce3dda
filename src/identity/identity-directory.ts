import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { appendFile, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SharedStore } from '../common/redis/shared-store';

export const IDENTITY_IDS_FILE = 'identity-ids.jsonl';

/** One line of the file: a user's identity, or (without `identityId`) its removal. */
interface Line {
  sub: string;
  identityId?: string;
}

function parseLine(text: string): Line | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { sub, identityId } = value as Record<string, unknown>;
    if (typeof sub !== 'string') return undefined;
    if (identityId !== undefined && typeof identityId !== 'string') return undefined;
    return { sub, identityId };
  } catch {
    return undefined;
  }
}

/**
 * Which identity-pool identity each user has (`sub` → identity id), as GetId told, so what is
 * kept per identity (Cognito Sync's datasets) can be found again without the user's ID token:
 * when their account is deleted. With REDIS_URL in one Redis hash all instances share; otherwise
 * in memory and in a file in STATE_DIR (one JSON line per change, compacted at start, 0600 in a
 * 0700 folder), so a restart forgets none. Identity ids are not secrets, but nobody else's
 * business either. Only kept when something needs it (`enabled`: SYNC_BACKEND=cognito-sync);
 * otherwise it remembers nothing.
 */
export class IdentityDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IdentityDirectory');
  private readonly redis?: SharedStore;
  private readonly local = new Map<string, string>();
  private readonly file: string;

  constructor(
    private readonly enabled: boolean,
    private readonly stateDir: string,
    url?: string,
  ) {
    this.file = join(stateDir, IDENTITY_IDS_FILE);
    if (!enabled || !url) return;
    this.redis = new SharedStore(
      url,
      'auth:',
      this.logger,
      'Redis is unreachable: identity ids are not remembered meanwhile',
    );
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled || this.redis) return;
    try {
      await this.load();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(
        `Cannot keep identity ids in ${this.stateDir} (${reason}): make STATE_DIR a writable folder, or set REDIS_URL`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.close();
  }

  /** The user's identity id, when it is known. */
  async get(sub: string): Promise<string | undefined> {
    if (!this.enabled) return undefined;
    if (!this.redis) return this.local.get(sub);
    return (await this.redis.run((redis) => redis.hget('identity-ids', sub))) ?? undefined;
  }

  async remember(sub: string, identityId: string): Promise<void> {
    if (!this.enabled) return;
    if (this.redis) {
      await this.redis.run((redis) => redis.hset('identity-ids', sub, identityId));
      return;
    }
    if (this.local.get(sub) === identityId) return;
    this.local.set(sub, identityId);
    await this.append({ sub, identityId });
  }

  async forget(sub: string): Promise<void> {
    if (!this.enabled) return;
    if (this.redis) {
      await this.redis.run((redis) => redis.hdel('identity-ids', sub));
      return;
    }
    if (!this.local.delete(sub)) return;
    await this.append({ sub });
  }

  private async append(line: Line): Promise<void> {
    try {
      await appendFile(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.logger.warn(
        `Cannot write ${this.file} (${reason}): a restart will forget this identity`,
      );
    }
  }

  private async load(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let malformed = 0;
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      const line = parseLine(raw);
      if (!line) malformed += 1;
      else if (line.identityId) this.local.set(line.sub, line.identityId);
      else this.local.delete(line.sub);
    }
    // A crash in the middle of an append leaves at most one broken last line.
    if (malformed > 0) this.logger.warn(`Ignored ${malformed} malformed line(s) in ${this.file}`);
    // Compact: one line per user, through a temporary file and a rename.
    const temporary = `${this.file}.${randomUUID()}.tmp`;
    const lines = [...this.local].map(([sub, identityId]) => JSON.stringify({ sub, identityId }));
    await writeFile(temporary, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.file);
  }
}
