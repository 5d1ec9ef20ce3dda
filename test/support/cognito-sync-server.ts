import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-memory Amazon Cognito Sync (2014-06-30, REST-JSON) for tests: the five dataset operations
 * the app uses (ListDatasets, DescribeDataset, ListRecords, UpdateRecords, DeleteDataset), answered
 * the way `@aws-sdk/client-cognito-sync` sends and parses them. moto implements no Cognito Sync.
 * https://docs.aws.amazon.com/cognitosync/latest/APIReference/Welcome.html
 */
export interface CognitoSyncServer {
  /** `http://127.0.0.1:<port>`, the endpoint for a CognitoSyncClient. */
  readonly endpoint: string;
  /** Every dataset of an identity as stored (removed records included, without a value): a copy. */
  datasets(identityPoolId: string, identityId: string): StoredDataset[];
  /** How many requests of each operation it answered, errors included (e.g. `{ ListRecords: 2 }`). */
  calls(): Record<string, number>;
  /**
   * Makes every request answer with this exception name (its Cognito Sync status, else `status`,
   * else 500) until called with `undefined`.
   */
  failWith(name: string | undefined, status?: number): void;
  /** Forgets every dataset, deletion, session token and call count. */
  reset(): void;
  /** Closes the server; safe to call twice. */
  stop(): Promise<void>;
}

export interface StoredRecord {
  key: string;
  /** Absent for a removed record (what ListRecords lists as a tombstone). */
  value?: string;
  syncCount: number;
  lastModifiedDate: Date;
  lastModifiedBy: string;
  deviceLastModifiedDate?: Date;
}

export interface StoredDataset {
  name: string;
  syncCount: number;
  creationDate: Date;
  lastModifiedDate: Date;
  lastModifiedBy: string;
  records: StoredRecord[];
}

export interface CognitoSyncServerOptions {
  /** How long a SyncSessionToken from ListRecords stays usable (default 5 minutes). */
  sessionTtlMs?: number;
}

/** Cognito Sync's documented quotas and shape constraints (cognito-sync-2014-06-30 model). */
export const COGNITO_SYNC_LIMITS = {
  datasetsPerIdentity: 20,
  recordsPerDataset: 1024,
  bytesPerDataset: 1024 * 1024,
  keyLength: 1024,
  valueLength: 1_048_575,
} as const;

const DEFAULT_SESSION_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_RECORDS = 1024;
const DEFAULT_MAX_DATASETS = 64;
/** IdentityPoolId and IdentityId: `[\w-]+:[0-9a-f-]+`, 1 to 55 characters. */
const ID_PATTERN = /^[\w-]+:[0-9a-f-]+$/;
const DATASET_NAME_PATTERN = /^[a-zA-Z0-9_.:-]{1,128}$/;

/** The HTTP status of each Cognito Sync exception (the SDK's error schemas). */
const STATUS_OF: Record<string, number> = {
  AlreadyStreamedException: 400,
  ConcurrentModificationException: 400,
  DuplicateRequestException: 400,
  InternalErrorException: 500,
  InvalidConfigurationException: 400,
  InvalidLambdaFunctionOutputException: 400,
  InvalidParameterException: 400,
  LambdaThrottledException: 429,
  LimitExceededException: 400,
  NotAuthorizedException: 403,
  ResourceConflictException: 409,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429,
  SerializationException: 400,
  UnknownOperationException: 404,
};

class SyncError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Dataset {
  name: string;
  syncCount: number;
  creationDate: number;
  lastModifiedDate: number;
  lastModifiedBy: string;
  records: Map<string, StoredRecord>;
}

interface Identity {
  datasets: Map<string, Dataset>;
  /** Per dataset name: the sync count each deleted incarnation had when it was deleted. */
  deletions: Map<string, number[]>;
}

interface Session {
  scope: string;
  expires: number;
}

interface Route {
  operation: string;
  pool: string;
  identity: string;
  dataset?: string;
}

const invalid = (message: string) => new SyncError('InvalidParameterException', message);
const copyRecord = (record: StoredRecord): StoredRecord => ({
  ...record,
  lastModifiedDate: new Date(record.lastModifiedDate),
  ...(record.deviceLastModifiedDate && {
    deviceLastModifiedDate: new Date(record.deviceLastModifiedDate),
  }),
});
const seconds = (ms: number) => ms / 1000;
/** DataStorage: the UTF-8 bytes of the keys and values of the records that are not removed. */
const storage = (records: Iterable<StoredRecord>) => {
  let bytes = 0;
  for (const r of records) {
    if (r.value !== undefined) bytes += Buffer.byteLength(r.key) + Buffer.byteLength(r.value);
  }
  return bytes;
};
const liveCount = (records: Iterable<StoredRecord>) => {
  let count = 0;
  for (const r of records) if (r.value !== undefined) count += 1;
  return count;
};

/** Starts the server on a free loopback port. */
export async function startCognitoSyncServer(
  options: CognitoSyncServerOptions = {},
): Promise<CognitoSyncServer> {
  const fake = new FakeCognitoSync(options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS);
  const server = createServer((request, response) => {
    fake.handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        fake.sendError(response, new SyncError('InternalErrorException', String(error)));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return new RunningServer(`http://127.0.0.1:${port}`, server, fake);
}

class RunningServer implements CognitoSyncServer {
  private stopped?: Promise<void>;

  constructor(
    readonly endpoint: string,
    private readonly server: Server,
    private readonly fake: FakeCognitoSync,
  ) {}

  datasets(identityPoolId: string, identityId: string): StoredDataset[] {
    return this.fake.snapshot(identityPoolId, identityId);
  }

  calls(): Record<string, number> {
    return { ...this.fake.counts };
  }

  failWith(name: string | undefined, status?: number): void {
    this.fake.failure = name === undefined ? undefined : { name, status };
  }

  reset(): void {
    this.fake.reset();
  }

  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.stopped;
  }
}

class FakeCognitoSync {
  counts: Record<string, number> = {};
  failure?: { name: string; status?: number };
  private identities = new Map<string, Identity>();
  private sessions = new Map<string, Session>();

  constructor(private readonly sessionTtlMs: number) {}

  reset(): void {
    this.counts = {};
    this.failure = undefined;
    this.identities.clear();
    this.sessions.clear();
  }

  snapshot(pool: string, identity: string): StoredDataset[] {
    const found = this.identities.get(identityKey(pool, identity));
    if (!found) return [];
    return [...found.datasets.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => ({
        name: d.name,
        syncCount: d.syncCount,
        creationDate: new Date(d.creationDate),
        lastModifiedDate: new Date(d.lastModifiedDate),
        lastModifiedBy: d.lastModifiedBy,
        records: [...d.records.values()].sort((a, b) => a.syncCount - b.syncCount).map(copyRecord),
      }));
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let result: unknown;
    try {
      const route = this.route(request.method ?? 'GET', url.pathname);
      this.counts[route.operation] = (this.counts[route.operation] ?? 0) + 1;
      if (this.failure) {
        const { name, status } = this.failure;
        this.sendError(response, new SyncError(name, 'failure injected by the test'), status);
        return;
      }
      // The SDK signs every request (SigV4); the signature itself is not checked here.
      if (!request.headers.authorization) {
        throw new SyncError('NotAuthorizedException', 'Missing Authentication Token');
      }
      validateIds(route);
      result = this.answer(route, url.searchParams, body);
    } catch (error) {
      if (error instanceof SyncError) {
        this.sendError(response, error);
        return;
      }
      throw error;
    }
    response.writeHead(200, {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
    });
    response.end(JSON.stringify(result));
  }

  sendError(response: ServerResponse, error: SyncError, status?: number): void {
    response.writeHead(status ?? STATUS_OF[error.type] ?? 500, {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      // As Cognito Sync answers: the type, then the model's namespace after a colon.
      'x-amzn-errortype': `${error.type}:http://internal.amazon.com/coral/com.amazonaws.cognito.sync.model/`,
    });
    response.end(JSON.stringify({ message: error.message }));
  }

  private route(method: string, pathname: string): Route {
    const parts = pathname.split('/').slice(1).map(decodeSegment);
    const [root, pool, identities, identity, datasets, dataset, records] = parts;
    const shaped =
      root === 'identitypools' &&
      identities === 'identities' &&
      datasets === 'datasets' &&
      pool !== undefined &&
      identity !== undefined;
    if (shaped && parts.length === 5 && method === 'GET') {
      return { operation: 'ListDatasets', pool, identity };
    }
    if (shaped && parts.length === 6) {
      const operation = { GET: 'DescribeDataset', POST: 'UpdateRecords', DELETE: 'DeleteDataset' }[
        method
      ];
      if (operation) return { operation, pool, identity, dataset };
    }
    if (shaped && parts.length === 7 && records === 'records' && method === 'GET') {
      return { operation: 'ListRecords', pool, identity, dataset };
    }
    throw new SyncError('UnknownOperationException', `No operation for ${method} ${pathname}`);
  }

  private answer(route: Route, query: URLSearchParams, body: string): unknown {
    const identity = this.identity(route.pool, route.identity);
    if (route.operation === 'ListDatasets') return this.listDatasets(route, identity, query);
    const name = route.dataset ?? '';
    if (!DATASET_NAME_PATTERN.test(name)) {
      throw invalid(`DatasetName '${name}' does not match [a-zA-Z0-9_.:-]{1,128}`);
    }
    switch (route.operation) {
      case 'DescribeDataset':
        return { Dataset: describe(route, this.existing(identity, name)) };
      case 'DeleteDataset': {
        const dataset = this.existing(identity, name);
        identity.datasets.delete(name);
        identity.deletions.set(name, [...(identity.deletions.get(name) ?? []), dataset.syncCount]);
        return { Dataset: describe(route, dataset) };
      }
      case 'ListRecords':
        return this.listRecords(route, identity, name, query);
      default:
        return this.updateRecords(route, identity, name, parseJson(body));
    }
  }

  private listDatasets(route: Route, identity: Identity, query: URLSearchParams): unknown {
    const max = positiveInt(query.get('maxResults'), 'maxResults') ?? DEFAULT_MAX_DATASETS;
    const after = nameCursor(query.get('nextToken'));
    const names = [...identity.datasets.keys()].sort();
    const rest = after === undefined ? names : names.filter((n) => n > after);
    const page = rest.slice(0, max);
    return {
      Datasets: page.map((n) => describe(route, identity.datasets.get(n) as Dataset)),
      Count: page.length,
      NextToken: rest.length > max ? encodeCursor({ name: page[page.length - 1] }) : undefined,
    };
  }

  private listRecords(
    route: Route,
    identity: Identity,
    name: string,
    query: URLSearchParams,
  ): unknown {
    const scope = sessionScope(route, name);
    const given = query.get('syncSessionToken');
    if (given !== null) this.checkSession(given, scope);
    const lastSyncCount = nonNegativeInt(query.get('lastSyncCount'), 'lastSyncCount') ?? 0;
    const max = positiveInt(query.get('maxResults'), 'maxResults') ?? DEFAULT_MAX_RECORDS;
    const cursor = recordCursor(query.get('nextToken'));
    const dataset = identity.datasets.get(name);
    const changed = [...(dataset?.records.values() ?? [])]
      .filter((r) => r.syncCount > lastSyncCount)
      .sort((a, b) => a.syncCount - b.syncCount || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rest = cursor === undefined ? changed : changed.filter((r) => compareAt(r, cursor) > 0);
    const page = rest.slice(0, max);
    const last = page[page.length - 1];
    const deletedCounts = identity.deletions.get(name) ?? [];
    return {
      Records: page.map(recordOut),
      NextToken:
        rest.length > max && last ? encodeCursor({ at: [last.syncCount, last.key] }) : undefined,
      Count: page.length,
      DatasetSyncCount: dataset?.syncCount ?? 0,
      LastModifiedBy: dataset?.lastModifiedBy,
      MergedDatasetNames: [],
      DatasetExists: dataset !== undefined,
      // A client that synced up to lastSyncCount holds data of an incarnation that was deleted
      // since: sync counts of a recreated dataset continue from the deleted one's.
      DatasetDeletedAfterRequestedSyncCount:
        lastSyncCount > 0 && deletedCounts.some((count) => count >= lastSyncCount),
      SyncSessionToken: this.issueSession(scope),
    };
  }

  private updateRecords(route: Route, identity: Identity, name: string, body: unknown): unknown {
    const input = (body ?? {}) as Record<string, unknown>;
    const token = input.SyncSessionToken;
    if (typeof token !== 'string') throw invalid('SyncSessionToken is required');
    this.checkSession(token, sessionScope(route, name));
    const patches = parsePatches(input.RecordPatches);

    const now = Date.now();
    const existing = identity.datasets.get(name);
    if (!existing && identity.datasets.size >= COGNITO_SYNC_LIMITS.datasetsPerIdentity) {
      throw new SyncError(
        'LimitExceededException',
        `An identity may have at most ${COGNITO_SYNC_LIMITS.datasetsPerIdentity} datasets`,
      );
    }
    const base = existing?.syncCount ?? Math.max(0, ...(identity.deletions.get(name) ?? []));
    for (const patch of patches) {
      const current = existing?.records.get(patch.key)?.syncCount ?? 0;
      if (patch.syncCount !== current) {
        throw new SyncError(
          'ResourceConflictException',
          `Current SyncCount for: ${patch.key} is: ${current} not: ${patch.syncCount}`,
        );
      }
    }

    // Applied to a copy, so a request over a limit changes nothing.
    const records = new Map(existing?.records ?? []);
    const syncCount = patches.length > 0 ? base + 1 : base;
    const written: StoredRecord[] = [];
    for (const patch of patches) {
      const record: StoredRecord = {
        key: patch.key,
        syncCount,
        lastModifiedDate: new Date(now),
        lastModifiedBy: route.identity,
      };
      if (patch.op === 'replace') record.value = patch.value;
      if (patch.deviceLastModifiedDate) {
        record.deviceLastModifiedDate = patch.deviceLastModifiedDate;
      }
      records.set(patch.key, record);
      written.push(record);
    }
    if (liveCount(records.values()) > COGNITO_SYNC_LIMITS.recordsPerDataset) {
      throw new SyncError(
        'LimitExceededException',
        `A dataset may hold at most ${COGNITO_SYNC_LIMITS.recordsPerDataset} records`,
      );
    }
    if (storage(records.values()) > COGNITO_SYNC_LIMITS.bytesPerDataset) {
      throw new SyncError('LimitExceededException', 'A dataset may hold at most 1 MB');
    }

    identity.datasets.set(name, {
      name,
      syncCount,
      records,
      creationDate: existing?.creationDate ?? now,
      lastModifiedDate: patches.length > 0 || !existing ? now : existing.lastModifiedDate,
      lastModifiedBy: route.identity,
    });
    return { Records: written.map(recordOut) };
  }

  private identity(pool: string, id: string): Identity {
    const key = identityKey(pool, id);
    let found = this.identities.get(key);
    if (!found) {
      found = { datasets: new Map(), deletions: new Map() };
      this.identities.set(key, found);
    }
    return found;
  }

  private existing(identity: Identity, name: string): Dataset {
    const dataset = identity.datasets.get(name);
    if (!dataset) throw new SyncError('ResourceNotFoundException', `Dataset ${name} not found`);
    return dataset;
  }

  private issueSession(scope: string): string {
    const now = Date.now();
    for (const [token, session] of this.sessions) {
      if (session.expires <= now) this.sessions.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, { scope, expires: now + this.sessionTtlMs });
    return token;
  }

  private checkSession(token: string, scope: string): void {
    const session = this.sessions.get(token);
    if (!session || session.scope !== scope || session.expires <= Date.now()) {
      throw invalid('SyncSessionToken not valid for these inputs');
    }
  }
}

interface Patch {
  op: 'replace' | 'remove';
  key: string;
  value?: string;
  syncCount: number;
  deviceLastModifiedDate?: Date;
}

function parsePatches(raw: unknown): Patch[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalid('RecordPatches must be a list');
  const keys = new Set<string>();
  return raw.map((item: unknown) => {
    const p = (item ?? {}) as Record<string, unknown>;
    if (p.Op !== 'replace' && p.Op !== 'remove') throw invalid(`Op must be replace or remove`);
    if (typeof p.Key !== 'string' || p.Key.length < 1 || p.Key.length > 1024) {
      throw invalid('Key must be 1 to 1024 characters');
    }
    if (keys.has(p.Key)) throw invalid(`Key ${p.Key} is patched twice`);
    keys.add(p.Key);
    if (typeof p.SyncCount !== 'number' || !Number.isInteger(p.SyncCount) || p.SyncCount < 0) {
      throw invalid('SyncCount must be a non-negative integer');
    }
    if (p.Value !== undefined && typeof p.Value !== 'string') {
      throw invalid('Value must be a string');
    }
    if (p.Op === 'replace' && p.Value === undefined) throw invalid('A replace needs a Value');
    if (typeof p.Value === 'string' && p.Value.length > COGNITO_SYNC_LIMITS.valueLength) {
      throw invalid(`Value must be at most ${COGNITO_SYNC_LIMITS.valueLength} characters`);
    }
    let device: Date | undefined;
    if (p.DeviceLastModifiedDate !== undefined) {
      if (typeof p.DeviceLastModifiedDate !== 'number') {
        throw new SyncError(
          'SerializationException',
          'DeviceLastModifiedDate must be epoch seconds',
        );
      }
      device = new Date(Math.round(p.DeviceLastModifiedDate * 1000));
    }
    return {
      op: p.Op,
      key: p.Key,
      value: p.Op === 'replace' ? p.Value : undefined,
      syncCount: p.SyncCount,
      deviceLastModifiedDate: device,
    };
  });
}

function describe(route: Route, d: Dataset) {
  return {
    IdentityId: route.identity,
    DatasetName: d.name,
    CreationDate: seconds(d.creationDate),
    LastModifiedDate: seconds(d.lastModifiedDate),
    LastModifiedBy: d.lastModifiedBy,
    DataStorage: storage(d.records.values()),
    NumRecords: liveCount(d.records.values()),
  };
}

function recordOut(r: StoredRecord) {
  return {
    Key: r.key,
    Value: r.value,
    SyncCount: r.syncCount,
    LastModifiedDate: seconds(r.lastModifiedDate.getTime()),
    LastModifiedBy: r.lastModifiedBy,
    DeviceLastModifiedDate: r.deviceLastModifiedDate
      ? seconds(r.deviceLastModifiedDate.getTime())
      : undefined,
  };
}

function validateIds(route: Route): void {
  for (const [label, id] of [
    ['IdentityPoolId', route.pool],
    ['IdentityId', route.identity],
  ]) {
    if (id.length > 55 || !ID_PATTERN.test(id)) {
      throw invalid(`${label} '${id}' does not match [\\w-]+:[0-9a-f-]+`);
    }
  }
}

const identityKey = (pool: string, identity: string) => `${pool}\n${identity}`;
const sessionScope = (route: Route, name: string) => `${route.pool}\n${route.identity}\n${name}`;

function compareAt(r: StoredRecord, [count, key]: [number, string]): number {
  return r.syncCount - count || (r.key < key ? -1 : r.key > key ? 1 : 0);
}

function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The last dataset name of the previous ListDatasets page. */
function nameCursor(token: string | null): string | undefined {
  if (token === null) return undefined;
  const parsed = decodeCursor(token);
  if (typeof parsed.name !== 'string') throw invalid('Invalid nextToken');
  return parsed.name;
}

/** The sync count and key of the last record of the previous ListRecords page. */
function recordCursor(token: string | null): [number, string] | undefined {
  if (token === null) return undefined;
  const at = decodeCursor(token).at;
  if (!Array.isArray(at) || typeof at[0] !== 'number' || typeof at[1] !== 'string') {
    throw invalid('Invalid nextToken');
  }
  return [at[0], at[1]];
}

function decodeCursor(token: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalid('Invalid nextToken');
}

function positiveInt(raw: string | null, name: string): number | undefined {
  const value = nonNegativeInt(raw, name);
  if (value === 0) throw invalid(`${name} must be at least 1`);
  return value;
}

function nonNegativeInt(raw: string | null, name: string): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw invalid(`${name} must be a non-negative integer`);
  return Number(raw);
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new SyncError('SerializationException', 'The request body is not JSON');
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
