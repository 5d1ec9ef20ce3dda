import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonLines, rewriteJsonLines } from '../common/files/json-lines-file';
import { SharedStore } from '../common/redis/shared-store';

export const IDENTITY_IDS_FILE = 'identity-ids.jsonl';

/** The Redis hash (under the `auth:` prefix): field `sub`, value an IdentityEntry as JSON. */
const FIELD_HASH = 'identity-ids';

/**
 * What is known of a user's identity: `live`; `deleting` (the account was deleted and its data
 * kept per identity is being deleted; retried at start until done); `deleted` (done: the mark
 * stays, so nothing is ever kept for that user again).
 */
export interface IdentityEntry {
  identityId?: string;
  state: 'live' | 'deleting' | 'deleted';
}

const STATES = new Set(['live', 'deleting', 'deleted']);

/** One line of the file (or one Redis field's value, without `sub`). */
interface Line extends IdentityEntry {
  sub: string;
}

function parseEntry(value: unknown): IdentityEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { identityId, state } = value as Record<string, unknown>;
  if (identityId !== undefined && typeof identityId !== 'string') return undefined;
  if (typeof state !== 'string' || !STATES.has(state)) return undefined;
  if (state === 'live' && identityId === undefined) return undefined;
  return { identityId, state: state as IdentityEntry['state'] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseLine(text: string): Line | undefined {
  const value = parseJson(text);
  const entry = parseEntry(value);
  const sub = (value as { sub?: unknown } | undefined)?.sub;
  return entry && typeof sub === 'string' ? { sub, ...entry } : undefined;
}

/**
 * Which identity-pool identity each user has (`sub` → identity id), as GetId first told, so what
 * is kept per identity (Cognito Sync's datasets) can be found again without the user's ID token:
 * when their account is deleted. A deleted account keeps a mark (IdentityEntry), so a request
 * still under way when it was deleted can tell, and a deletion that failed is retried. With REDIS_URL in one Redis hash all instances share; otherwise
 * in memory and in a file in STATE_DIR (one JSON line per change, compacted at start, 0600 in a
 * 0700 folder), so a restart forgets none. Identity ids are not secrets, but nobody else's
 * business either. Only kept when something needs it (`enabled`: SYNC_BACKEND=cognito-sync);
 * otherwise it remembers nothing.
 */
export class IdentityDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IdentityDirectory');
  private readonly redis?: SharedStore;
  private readonly local = new Map<string, IdentityEntry>();
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

  /** What is known of the user's identity. */
  async get(sub: string): Promise<IdentityEntry | undefined> {
    if (!this.enabled) return undefined;
    if (!this.redis) return this.local.get(sub);
    const stored = await this.redis.run((redis) => redis.hget(FIELD_HASH, sub));
    return stored ? parseEntry(parseJson(stored)) : undefined;
  }

  /**
   * Remembers the user's identity unless something is known already (the first identity stays,
   * and a deleted account never comes back); answers what is known afterwards.
   */
  async remember(sub: string, identityId: string): Promise<IdentityEntry | undefined> {
    if (!this.enabled) return undefined;
    const entry: IdentityEntry = { identityId, state: 'live' };
    if (this.redis) {
      await this.redis.run((redis) => redis.hsetnx(FIELD_HASH, sub, JSON.stringify(entry)));
      return this.get(sub);
    }
    const known = this.local.get(sub);
    if (known) return known;
    await this.store(sub, entry);
    return entry;
  }

  /**
   * Marks the account deleted, before what is kept for its identity is deleted: `deleting` when
   * an identity is known (answered, to delete its data), else `deleted` at once.
   */
  async beginDeletion(sub: string): Promise<string | undefined> {
    if (!this.enabled) return undefined;
    const identityId = (await this.get(sub))?.identityId;
    await this.store(sub, { identityId, state: identityId ? 'deleting' : 'deleted' });
    return identityId;
  }

  /** The deletion of the account's data is done. */
  async endDeletion(sub: string): Promise<void> {
    if (!this.enabled) return;
    const identityId = (await this.get(sub))?.identityId;
    await this.store(sub, { identityId, state: 'deleted' });
  }

  /** Accounts whose data deletion did not finish (a failure, a crash), to try again. */
  async pendingDeletions(): Promise<{ sub: string; identityId: string }[]> {
    if (!this.enabled) return [];
    const entries: [string, IdentityEntry | undefined][] = this.redis
      ? Object.entries((await this.redis.run((redis) => redis.hgetall(FIELD_HASH))) ?? {}).map(
          ([sub, text]) => [sub, parseEntry(parseJson(text))],
        )
      : [...this.local];
    return entries.flatMap(([sub, entry]) =>
      entry?.state === 'deleting' && entry.identityId
        ? [{ sub, identityId: entry.identityId }]
        : [],
    );
  }

  private async store(sub: string, entry: IdentityEntry): Promise<void> {
    if (this.redis) {
      await this.redis.run((redis) => redis.hset(FIELD_HASH, sub, JSON.stringify(entry)));
      return;
    }
    this.local.set(sub, entry);
    await this.append({ sub, ...entry });
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
    for (const line of await readJsonLines(this.file, parseLine, this.logger)) {
      this.local.set(line.sub, { identityId: line.identityId, state: line.state });
    }
    // Compact: one line per user.
    await rewriteJsonLines(
      this.file,
      [...this.local].map(([sub, entry]) => ({ sub, ...entry })),
    );
  }
}
