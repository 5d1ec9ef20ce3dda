import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { HttpStatus, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { ErrorCode } from '../common/errors/error-code';
import { toAppException, type Overrides } from './cognito-errors';
import { SYNC_BY_SYNC_COUNT_INDEX } from './sync-table';
import {
  SyncStorePort,
  type ChangeOutcome,
  type DatasetSummary,
  type RecordChange,
  type SyncLimits,
  type SyncRecord,
} from './sync-store.port';

type Item = Record<string, AttributeValue>;

/** How long a change batch is kept after it is written (DynamoDB's TTL on `expiresAt`). */
const BATCH_LIFETIME_SECONDS = 24 * 3600;

/** When a deleted dataset's partition is swept again, for writes that were under way. */
const SWEEP_AGAIN_MS = 30_000;

/** How long the count of an owner's dataset places must be still before it may be set right. */
const PLACES_SETTLE_MS = 60_000;

/** The changes one request may carry: each is one conditional write of a record item. */
export const MAX_CHANGES_PER_REQUEST = 100;

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const sizeOf = (key: string, value: string) => bytes(key) + bytes(value);

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function text(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

function count(item: Item, name: string): number {
  return Number(item[name]?.N ?? 0);
}

/** A change as a batch keeps it, with what it did to the dataset's totals worked out. */
interface BatchChange {
  op: 'put' | 'remove';
  key: string;
  value?: string;
  deviceLastModified?: string;
}

interface Batch {
  syncCount: number;
  base: number;
  at: string;
  recordCount: number;
  sizeBytes: number;
  changes: BatchChange[];
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

const TABLE_MISSING: Overrides = {
  // A request the table refuses as malformed is this adapter's mistake, never the client's.
  ValidationException: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: ErrorCode.INTERNAL_ERROR,
    message: 'Something went wrong on our side. Try again later.',
  },
  // The table (SYNC_TABLE) does not exist in this region or endpoint: the operator's to fix.
  ResourceNotFoundException: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: ErrorCode.INTERNAL_ERROR,
    message: 'Something went wrong on our side. Try again later.',
  },
  ProvisionedThroughputExceededException: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: ErrorCode.UPSTREAM_UNAVAILABLE,
    message: 'The data store is busy. Try again shortly.',
    retryAfterSeconds: 2,
  },
  ThrottlingException: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: ErrorCode.UPSTREAM_UNAVAILABLE,
    message: 'The data store is busy. Try again shortly.',
    retryAfterSeconds: 2,
  },
  RequestLimitExceeded: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: ErrorCode.UPSTREAM_UNAVAILABLE,
    message: 'The data store is busy. Try again shortly.',
    retryAfterSeconds: 2,
  },
};

/**
 * User data sync on one DynamoDB table (key schema in ./sync-table.ts): per dataset a head item
 * (`u#<sub>` / `d#<name>`: its sync count and totals), and in the dataset's own partition
 * (`u#<sub>#d#<name>`) one item per record (`r#<key>`, with `sc` = the count it changed at, which
 * the `bySyncCount` index orders) and one item per accepted write (`c#<count>`).
 *
 * DynamoDB transactions are not used (the embedded mode's dynalite has none); a write is still
 * all or nothing, and one of several writers with the same count wins:
 * 1. The write's changes, with the dataset totals they lead to, are put as ONE batch item
 *    `c#<count + 1>`, on condition that none exists: that conditional put decides the winner, on
 *    any number of instances.
 * 2. The batch is then applied: each record item is put on condition that it is older than the
 *    batch, and the head moves to the new count on condition that it is still at the old one.
 *    Both are idempotent, so anyone may apply a batch again.
 * 3. Every read and write first applies any batch past the head ("rolls forward"), so a writer
 *    that stopped between 1 and 2 leaves nothing half-done for long; and a read returns only
 *    records up to the head's count, a consistent snapshot.
 */
export class SyncDynamoDbAdapter extends SyncStorePort {
  readonly ownedBy = 'user';
  private readonly logger = new Logger('SyncStore');

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  async listDatasets(owner: string): Promise<DatasetSummary[]> {
    const heads = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ExpressionAttributeValues: { ':pk': S(`u#${owner}`), ':d': S('d#') },
      ConsistentRead: true,
    });
    const datasets = await Promise.all(
      heads.map((head) => this.rollForward(owner, text(head, 'name') ?? '', head)),
    );
    return datasets
      .filter((head): head is Item => head !== undefined)
      .map(summaryOf)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async readDataset(
    owner: string,
    name: string,
    sinceSyncCount: number,
  ): Promise<{ dataset: DatasetSummary; records: SyncRecord[] } | undefined> {
    const head = await this.rollForward(owner, name, await this.head(owner, name));
    if (!head) return undefined;
    const dataset = summaryOf(head);
    return {
      dataset,
      records: await this.changedSince(owner, name, genOf(head), sinceSyncCount, dataset),
    };
  }

  async applyChanges(
    owner: string,
    name: string,
    expectedSyncCount: number,
    changes: readonly RecordChange[],
    limits: SyncLimits,
  ): Promise<ChangeOutcome> {
    let head = await this.rollForward(owner, name, await this.head(owner, name));
    const current = head ? summaryOf(head) : emptySummary(name, this.now());
    if (expectedSyncCount !== current.syncCount) {
      return this.conflict(owner, name, expectedSyncCount);
    }

    const before = head
      ? await this.records(
          partitionOf(owner, name, genOf(head)),
          changes.map((change) => change.key),
        )
      : new Map<string, SyncRecord>();
    let { recordCount, sizeBytes } = current;
    for (const change of changes) {
      const old = before.get(change.key);
      const live = old !== undefined && !old.deleted;
      if (live) {
        recordCount -= 1;
        sizeBytes -= sizeOf(old.key, old.value ?? '');
      }
      if (change.op === 'put') {
        recordCount += 1;
        sizeBytes += sizeOf(change.key, change.value ?? '');
      }
      // Later changes of the same key see this one.
      before.set(change.key, {
        key: change.key,
        value: change.value,
        deleted: change.op === 'remove',
        syncCount: 0,
        lastModified: this.now(),
      });
    }
    if (recordCount > limits.recordsPerDataset) return { kind: 'limit', limit: 'records' };
    if (sizeBytes > limits.bytesPerDataset) return { kind: 'limit', limit: 'bytes' };
    if (!head) {
      // A new dataset takes one of the owner's places first, atomically, so that creations sent
      // together cannot pass the limit between them; then its head, at count 0.
      if (!(await this.reservePlace(owner, limits.datasetsPerOwner))) {
        return { kind: 'limit', limit: 'datasets' };
      }
      const created = await this.createHead(owner, name);
      if (created === 'owner-deleted') return { kind: 'owner-deleted' };
      if (!created) {
        // Another request created it first: this write goes on only if that one is still at 0.
        await this.releasePlace(owner);
        head = await this.rollForward(owner, name, await this.head(owner, name));
        if (!head || count(head, 'syncCount') !== 0) {
          return this.conflict(owner, name, expectedSyncCount);
        }
      } else head = created;
    }
    const partition = partitionOf(owner, name, genOf(head));

    const batch: Batch = {
      syncCount: current.syncCount + 1,
      base: current.syncCount,
      at: this.now().toISOString(),
      recordCount,
      sizeBytes,
      changes: changes.map((change) => ({
        op: change.op,
        key: change.key,
        value: change.op === 'put' ? change.value : undefined,
        deviceLastModified: change.deviceLastModified?.toISOString(),
      })),
    };
    const written = await this.send(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: S(partition),
            sk: S(batchSk(batch.syncCount)),
            batch: S(JSON.stringify(batch)),
            expiresAt: N(Math.floor(Date.parse(batch.at) / 1000) + BATCH_LIFETIME_SECONDS),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ConditionLost) return false;
        throw error;
      },
    );
    // Another writer took this count first: the caller merges what it wrote.
    if (!written) return this.conflict(owner, name, expectedSyncCount);
    const applied = await this.apply(owner, name, genOf(head), batch);
    return { kind: 'applied', dataset: summaryOf(applied) };
  }

  async deleteDataset(owner: string, name: string): Promise<boolean> {
    const removed = await this.send(() =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: headKey(owner, name),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    if (!removed.Attributes) return false;
    await this.releasePlace(owner);
    // The dataset's items: now, and once more when any write that was under way has ended.
    // Nothing can read them any more (a new dataset of this name has another generation).
    const partition = partitionOf(owner, name, genOf(removed.Attributes));
    await this.sweep(partition);
    setTimeout(() => {
      this.sweep(partition).catch((error: unknown) =>
        this.logger.warn(
          `A deleted dataset's items were not all removed: ${(error as Error).message}`,
        ),
      );
    }, SWEEP_AGAIN_MS).unref();
    return true;
  }

  /** Deletes every item of a dataset's partition. */
  private async sweep(partition: string): Promise<void> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': S(partition) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    for (let start = 0; start < items.length; start += 25) {
      const chunk = items.slice(start, start + 25);
      await this.writeAll(
        chunk.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
      );
    }
  }

  async deleteAll(owner: string): Promise<void> {
    // First, so no dataset can be created for the owner any more (see createHead).
    await this.send(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...placesKey(owner), places: N(0), deleted: { BOOL: true } },
        }),
      ),
    );
    const heads = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ExpressionAttributeValues: { ':pk': S(`u#${owner}`), ':d': S('d#') },
      ProjectionExpression: '#n',
      ExpressionAttributeNames: { '#n': 'name' },
      ConsistentRead: true,
    });
    for (const head of heads) await this.deleteDataset(owner, text(head, 'name') ?? '');
  }

  /**
   * Creates the dataset's head at count 0 with a new generation (the partition its items go to),
   * on condition that none exists: undefined when another request created it first. Should the
   * owner's account be deleted meanwhile, the head is taken back (`owner-deleted`): the deletion
   * marks the owner before it lists the datasets, so a head made after that listing sees the mark.
   */
  private async createHead(
    owner: string,
    name: string,
  ): Promise<Item | undefined | 'owner-deleted'> {
    const head: Item = {
      ...headKey(owner, name),
      name: S(name),
      gen: S(randomUUID()),
      syncCount: N(0),
      recordCount: N(0),
      sizeBytes: N(0),
      lastModified: S(this.now().toISOString()),
    };
    const created = await this.send(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: head,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ConditionLost) return false;
        throw error;
      },
    );
    if (!created) return undefined;
    const places = await this.send(() =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: placesKey(owner), ConsistentRead: true }),
      ),
    );
    if (places.Item?.deleted?.BOOL) {
      await this.deleteDataset(owner, name);
      return 'owner-deleted';
    }
    return head;
  }

  /** The records of the dataset that changed after `since`, up to the head's count. */
  private async changedSince(
    owner: string,
    name: string,
    gen: string,
    since: number,
    dataset: DatasetSummary,
  ): Promise<SyncRecord[]> {
    if (since >= dataset.syncCount) return [];
    const items = await this.queryAll({
      TableName: this.table,
      IndexName: SYNC_BY_SYNC_COUNT_INDEX,
      KeyConditionExpression: 'pk = :pk AND sc BETWEEN :after AND :upTo',
      ExpressionAttributeValues: {
        ':pk': S(partitionOf(owner, name, gen)),
        ':after': N(since + 1),
        ':upTo': N(dataset.syncCount),
      },
      ConsistentRead: true,
    });
    return items.map(recordOf);
  }

  private async conflict(
    owner: string,
    name: string,
    clientSyncCount: number,
  ): Promise<ChangeOutcome> {
    const head = await this.rollForward(owner, name, await this.head(owner, name));
    const dataset = head ? summaryOf(head) : emptySummary(name, this.now());
    // A client ahead of the dataset (a count it never had) gets every record.
    const since = clientSyncCount > dataset.syncCount ? 0 : clientSyncCount;
    return {
      kind: 'conflict',
      dataset,
      records: head ? await this.changedSince(owner, name, genOf(head), since, dataset) : [],
    };
  }

  private async head(owner: string, name: string): Promise<Item | undefined> {
    const answer = await this.send(() =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: headKey(owner, name),
          ConsistentRead: true,
        }),
      ),
    );
    return answer.Item;
  }

  /** Applies every accepted batch past `head`, in order; the head as it then is. */
  private async rollForward(
    owner: string,
    name: string,
    head: Item | undefined,
  ): Promise<Item | undefined> {
    // A dataset without a head does not exist: a batch never creates one.
    if (!head) return undefined;
    let current = head;
    const gen = genOf(head);
    for (;;) {
      const next = count(current, 'syncCount') + 1;
      const answer = await this.send(() =>
        this.client.send(
          new GetItemCommand({
            TableName: this.table,
            Key: { pk: S(partitionOf(owner, name, gen)), sk: S(batchSk(next)) },
            ConsistentRead: true,
          }),
        ),
      );
      const stored = answer.Item && text(answer.Item, 'batch');
      if (!stored) return current;
      this.logger.debug(`Applying an accepted write another request left unfinished (${next})`);
      current = await this.apply(owner, name, gen, JSON.parse(stored) as Batch);
    }
  }

  /** Writes a batch's records, then moves the head to its count; safe to repeat. */
  private async apply(owner: string, name: string, gen: string, batch: Batch): Promise<Item> {
    const partition = partitionOf(owner, name, gen);
    const puts = batch.changes.map((change) => async () => {
      const item: Item = {
        pk: S(partition),
        sk: S(recordSk(change.key)),
        sc: N(batch.syncCount),
        key: S(change.key),
        at: S(batch.at),
        deleted: { BOOL: change.op === 'remove' },
      };
      if (change.op === 'put') item.value = S(change.value ?? '');
      if (change.deviceLastModified) item.deviceAt = S(change.deviceLastModified);
      await this.send(() =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: item,
            // A later batch's value stays: only an older record is replaced.
            ConditionExpression: 'attribute_not_exists(sc) OR sc < :n',
            ExpressionAttributeValues: { ':n': N(batch.syncCount) },
          }),
        ),
      ).catch((error: unknown) => {
        if (!(error instanceof ConditionLost)) throw error;
      });
    });
    // The last change of a key is its value: changes of one key are written in order.
    await inOrderPerKey(batch.changes, puts);
    const head: Item = {
      ...headKey(owner, name),
      name: S(name),
      gen: S(gen),
      syncCount: N(batch.syncCount),
      recordCount: N(batch.recordCount),
      sizeBytes: N(batch.sizeBytes),
      lastModified: S(batch.at),
    };
    await this.send(() =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: headKey(owner, name),
          UpdateExpression:
            'SET #n = :name, syncCount = :n, recordCount = :rc, sizeBytes = :sb, lastModified = :at',
          // The same dataset (not one deleted and made again since), at the batch's base count.
          ConditionExpression: 'gen = :gen AND syncCount = :base',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: {
            ':name': S(name),
            ':n': N(batch.syncCount),
            ':rc': N(batch.recordCount),
            ':sb': N(batch.sizeBytes),
            ':at': S(batch.at),
            ':gen': S(gen),
            ':base': N(batch.base),
          },
        }),
      ),
    ).catch((error: unknown) => {
      // Someone applied it (or a later batch) already, or the dataset was deleted meanwhile.
      if (!(error instanceof ConditionLost)) throw error;
    });
    return head;
  }

  /** The current records of `keys` (deleted ones as tombstones). */
  private async records(partition: string, keys: string[]): Promise<Map<string, SyncRecord>> {
    const found = new Map<string, SyncRecord>();
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Item[] | undefined = unique
        .slice(start, start + 100)
        .map((key) => ({ pk: S(partition), sk: S(recordSk(key)) }));
      while (pending && pending.length > 0) {
        const keysNow: Item[] = pending;
        const answer: BatchGetItemCommandOutput = await this.send(() =>
          this.client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.table]: { Keys: keysNow, ConsistentRead: true } },
            }),
          ),
        );
        for (const item of answer.Responses?.[this.table] ?? []) {
          const record = recordOf(item);
          found.set(record.key, record);
        }
        pending = answer.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return found;
  }

  /**
   * Takes one of the owner's dataset places (a counter item, incremented on condition that it is
   * under the limit); false when none is left. A counter that drifted above the real count (a
   * request that stopped between taking a place and creating its dataset) is set back to the
   * count of the owner's datasets, but only when it has not moved for a minute: a place taken by
   * a creation still under way must not be counted away.
   */
  private async reservePlace(owner: string, limit: number, repaired = false): Promise<boolean> {
    const now = this.now().getTime();
    const taken = await this.send(() =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: placesKey(owner),
          UpdateExpression: 'ADD places :one SET changedAt = :now',
          // Never for an owner whose account was deleted (deleteAll marks it).
          ConditionExpression:
            'attribute_not_exists(deleted) AND (attribute_not_exists(places) OR places < :limit)',
          ExpressionAttributeValues: { ':one': N(1), ':limit': N(limit), ':now': N(now) },
        }),
      ),
    ).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ConditionLost) return false;
        throw error;
      },
    );
    if (taken || repaired) return taken;
    const counter = await this.send(() =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: placesKey(owner), ConsistentRead: true }),
      ),
    );
    if (counter.Item?.deleted?.BOOL) return false;
    const changedAt = counter.Item ? count(counter.Item, 'changedAt') : 0;
    if (now - changedAt < PLACES_SETTLE_MS) return false;
    const actual = await this.datasetCount(owner);
    if (actual >= limit) return false;
    const reset = await this.send(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...placesKey(owner), places: N(actual), changedAt: N(now) },
          ConditionExpression: 'changedAt = :seen',
          ExpressionAttributeValues: { ':seen': N(changedAt) },
        }),
      ),
    ).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ConditionLost) return false;
        throw error;
      },
    );
    return reset && this.reservePlace(owner, limit, true);
  }

  /** Gives a dataset place back (the dataset was deleted, or its creation lost a race). */
  private async releasePlace(owner: string): Promise<void> {
    await this.send(() =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: placesKey(owner),
          UpdateExpression: 'ADD places :minus SET changedAt = :now',
          ConditionExpression: 'places > :zero',
          ExpressionAttributeValues: {
            ':minus': N(-1),
            ':zero': N(0),
            ':now': N(this.now().getTime()),
          },
        }),
      ),
    ).catch((error: unknown) => {
      if (!(error instanceof ConditionLost)) throw error;
    });
  }

  private async datasetCount(owner: string): Promise<number> {
    const answer = await this.send(() =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
          ExpressionAttributeValues: { ':pk': S(`u#${owner}`), ':d': S('d#') },
          Select: 'COUNT',
          ConsistentRead: true,
        }),
      ),
    );
    return answer.Count ?? 0;
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const answer = await this.send(() =>
        this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
      );
      items.push(...(answer.Items ?? []));
      start = answer.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async writeAll(requests: { DeleteRequest: { Key: Item } }[]): Promise<void> {
    let pending: typeof requests | undefined = requests;
    while (pending && pending.length > 0) {
      const now = pending;
      const answer = await this.send(() =>
        this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: now } })),
      );
      pending = answer.UnprocessedItems?.[this.table] as typeof requests | undefined;
    }
  }

  /** One call: a lost condition becomes ConditionLost, anything else its mapped AppException. */
  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isConditionFailure(error)) throw new ConditionLost();
      const mapped = toAppException(error, TABLE_MISSING);
      if (mapped.getStatus() === Number(HttpStatus.INTERNAL_SERVER_ERROR)) {
        this.logger.error(
          `The sync table ${this.table} refused the call (${(error as Error).name}): check SYNC_TABLE and its region`,
        );
      }
      throw mapped;
    }
  }
}

/** A conditional write whose condition did not hold (not an error of the request). */
class ConditionLost extends Error {
  constructor() {
    super('condition not met');
    this.name = 'ConditionLost';
  }
}

/**
 * A dataset's partition: its records and writes, under its generation (a random id its head
 * holds), so that a dataset deleted and made again never meets what the old one left.
 */
function partitionOf(owner: string, name: string, gen: string): string {
  return `u#${owner}#d#${name}#${gen}`;
}

function genOf(head: Item): string {
  return text(head, 'gen') ?? '';
}

/**
 * A record's sort key: a digest of its key, so every key Cognito Sync allows (1024 characters,
 * up to 4 KB of UTF-8) fits DynamoDB's 1024-byte sort keys; the key itself is an attribute.
 */
export function recordSk(key: string): string {
  return `r#${createHash('sha256').update(key, 'utf8').digest('base64url')}`;
}

/** The owner's count of dataset places taken (sorted apart from the heads' `d#`). */
function placesKey(owner: string): Item {
  return { pk: S(`u#${owner}`), sk: S('n#datasets') };
}

function headKey(owner: string, name: string): Item {
  return { pk: S(`u#${owner}`), sk: S(`d#${name}`) };
}

/** Batch keys sort by count: zero-padded to the 16 digits of a safe integer. */
function batchSk(syncCount: number): string {
  return `c#${String(syncCount).padStart(16, '0')}`;
}

function summaryOf(head: Item): DatasetSummary {
  return {
    name: text(head, 'name') ?? '',
    syncCount: count(head, 'syncCount'),
    recordCount: count(head, 'recordCount'),
    sizeBytes: count(head, 'sizeBytes'),
    lastModified: new Date(text(head, 'lastModified') ?? 0),
  };
}

function emptySummary(name: string, now: Date): DatasetSummary {
  return { name, syncCount: 0, recordCount: 0, sizeBytes: 0, lastModified: now };
}

function recordOf(item: Item): SyncRecord {
  const deviceAt = text(item, 'deviceAt');
  return {
    key: text(item, 'key') ?? '',
    value: item.deleted?.BOOL ? undefined : (text(item, 'value') ?? ''),
    syncCount: count(item, 'sc'),
    lastModified: new Date(text(item, 'at') ?? 0),
    deviceLastModified: deviceAt ? new Date(deviceAt) : undefined,
    deleted: item.deleted?.BOOL === true,
  };
}

/**
 * Runs the writes of a batch, several keys at once but the changes of one key one after the
 * other, so the last change of a key is the one that stays (each write replaces only an older
 * record, and changes of one batch share its count).
 */
async function inOrderPerKey(
  changes: readonly BatchChange[],
  writes: (() => Promise<void>)[],
): Promise<void> {
  const lastIndex = new Map<string, number>();
  changes.forEach((change, index) => lastIndex.set(change.key, index));
  // Only the last change of each key matters: earlier ones of the same key are superseded.
  const wanted = writes.filter((_, index) => lastIndex.get(changes[index].key) === index);
  const CONCURRENCY = 10;
  for (let start = 0; start < wanted.length; start += CONCURRENCY) {
    await Promise.all(wanted.slice(start, start + CONCURRENCY).map((write) => write()));
  }
}
