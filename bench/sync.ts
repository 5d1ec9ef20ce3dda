import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDynamoDbClient } from '../src/cognito/cognito-client.factory';
import { startDynaliteProcess, type DynaliteProcess } from '../src/cognito/local/dynalite-process';
import { SyncDynamoDbAdapter } from '../src/cognito/sync-dynamodb.adapter';
import { COGNITO_SYNC_LIMITS, type RecordChange } from '../src/cognito/sync-store.port';
import { ensureSyncTable } from '../src/cognito/sync-table';
import { percentile } from './harness';

/**
 * User data sync in `npm run bench`: the embedded store (dynalite as a child process, on a fresh
 * data folder), the app pointed at it (SYNC_TABLE / SYNC_DYNAMODB_ENDPOINT), and one request at a
 * time through the app beside the same store call made directly in this process.
 */

const TABLE = 'bench-sync';
const REGION = 'us-east-1';
/** Records per write, and the keys the writes cycle through (the dataset's size once primed). */
const CHANGES_PER_WRITE = 10;
const KEYS = 100;

export interface SyncStore {
  /** The variables that point the app at this store. */
  env: Record<string, string>;
  client: DynamoDBClient;
  adapter: SyncDynamoDbAdapter;
  /** DynamoDB calls the direct client has sent so far. */
  calls(): number;
  close(): Promise<void>;
}

/** Starts dynalite on a fresh temporary folder and creates the sync table in it. */
export async function startSyncStore(label: string): Promise<SyncStore> {
  const dataDir = mkdtempSync(join(tmpdir(), `dynalite-${label}-`));
  let dynalite: DynaliteProcess | undefined;
  try {
    dynalite = await startDynaliteProcess(dataDir, 0, 'development');
    // The app's defaults (COGNITO_REQUEST_TIMEOUT_MS, COGNITO_MAX_ATTEMPTS).
    const client = createDynamoDbClient({
      region: REGION,
      endpoint: dynalite.endpoint,
      requestTimeoutMs: 3000,
      maxAttempts: 3,
    });
    let sent = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        sent++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCallCounter' },
    );
    await ensureSyncTable(client, TABLE);
    const running = dynalite;
    return {
      env: {
        SYNC_TABLE: TABLE,
        SYNC_DYNAMODB_ENDPOINT: running.endpoint,
        SYNC_DYNAMODB_REGION: REGION,
      },
      client,
      adapter: new SyncDynamoDbAdapter(client, TABLE),
      calls: () => sent,
      close: async () => {
        client.destroy();
        await running.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await dynalite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export interface Latency {
  p50: number;
  p99: number;
}

export interface SyncResults {
  ops: number;
  changesPerWrite: number;
  recordsPerDataset: number;
  /** (a) PATCH through the app: the store's write, then its read of the records written. */
  appPatch: Latency;
  /** (b) SyncDynamoDbAdapter.applyChanges, called directly. */
  directWrite: Latency;
  /** (b') applyChanges, then readDataset of what it wrote: the store work of one PATCH. */
  directWriteThenRead: Latency;
  /** (c) GET ?sinceSyncCount=<previous count> through the app: the last write's records. */
  appGet: Latency;
  /** (d) SyncDynamoDbAdapter.readDataset, the same incremental read, called directly. */
  directRead: Latency;
  /** One PutItem of a record-sized item: one round trip to the store. */
  putItem: Latency;
  /** DynamoDB calls of one direct write and one direct read. */
  callsPerWrite: number;
  callsPerRead: number;
  ratios: {
    /** (a) / (b), p50. */
    patchToDirectWrite: number;
    /** (a) / (b'), p50: the app's overhead over the same store work. */
    patchToDirectWriteThenRead: number;
    /** (c) / (d), p50. */
    getToDirectRead: number;
  };
}

type Measurement =
  'appPatch' | 'directWrite' | 'directWriteThenRead' | 'appGet' | 'directRead' | 'putItem';

const agent = new Agent({ keepAlive: true });

/** One request with node:http and a keep-alive agent; the status and the body. */
function send(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(payload),
              }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The `n`-th write of a dataset: 10 puts, cycling through the dataset's 100 keys. */
function changesOf(n: number): RecordChange[] {
  const at = new Date();
  return Array.from({ length: CHANGES_PER_WRITE }, (_, j) => ({
    op: 'put' as const,
    key: `key-${String((n * CHANGES_PER_WRITE + j) % KEYS).padStart(3, '0')}`,
    value: `value ${n}.${j} ${'x'.repeat(24)}`,
    deviceLastModified: at,
  }));
}

const asJson = (changes: RecordChange[]) =>
  changes.map((change) => ({
    ...change,
    deviceLastModified: change.deviceLastModified?.toISOString(),
  }));

/**
 * `ops` of each measurement, one at a time, interleaved: each turn takes them in a rotated order.
 * `owner` is the `sub` of `token`; the app's dataset and the direct ones are the same user's.
 */
export async function measureSync(
  appUrl: string,
  token: string,
  owner: string,
  store: SyncStore,
  ops: number,
): Promise<SyncResults> {
  const auth = { authorization: `Bearer ${token}` };
  const { adapter } = store;
  const counts = { app: 0, direct: 0, directRoute: 0 };

  const appPatch = async () => {
    const n = counts.app;
    const answer = await send('PATCH', `${appUrl}/sync/datasets/bench-app`, auth, {
      syncCount: n,
      changes: asJson(changesOf(n)),
    });
    if (answer.status !== 200) throw new Error(`PATCH answered ${answer.status}: ${answer.text}`);
    counts.app = n + 1;
  };
  const directWrite = async (name: 'bench-direct' | 'bench-direct-route') => {
    const key = name === 'bench-direct' ? 'direct' : 'directRoute';
    const n = counts[key];
    const outcome = await adapter.applyChanges(owner, name, n, changesOf(n), COGNITO_SYNC_LIMITS);
    if (outcome.kind !== 'applied') throw new Error(`applyChanges: ${outcome.kind}`);
    counts[key] = n + 1;
  };
  const expectRecords = (found: number, what: string) => {
    if (found !== CHANGES_PER_WRITE) throw new Error(`${what} returned ${found} records`);
  };

  // Each dataset gets every one of its keys first (which also warms up the app and the clients).
  for (let i = 0; i < KEYS / CHANGES_PER_WRITE; i++) {
    await appPatch();
    await directWrite('bench-direct');
    await directWrite('bench-direct-route');
  }

  let raw = 0;
  const ways: { name: Measurement; call: () => Promise<void> }[] = [
    {
      name: 'appPatch',
      call: appPatch,
    },
    { name: 'directWrite', call: () => directWrite('bench-direct') },
    {
      name: 'directWriteThenRead',
      call: async () => {
        await directWrite('bench-direct-route');
        const read = await adapter.readDataset(owner, 'bench-direct-route', counts.directRoute - 1);
        expectRecords(read?.records.length ?? 0, 'readDataset');
      },
    },
    {
      name: 'appGet',
      call: async () => {
        const answer = await send(
          'GET',
          `${appUrl}/sync/datasets/bench-app?sinceSyncCount=${counts.app - 1}`,
          auth,
        );
        if (answer.status !== 200) throw new Error(`GET answered ${answer.status}`);
        expectRecords((JSON.parse(answer.text) as { records: unknown[] }).records.length, 'GET');
      },
    },
    {
      name: 'directRead',
      call: async () => {
        const read = await adapter.readDataset(owner, 'bench-direct', counts.direct - 1);
        expectRecords(read?.records.length ?? 0, 'readDataset');
      },
    },
    {
      name: 'putItem',
      call: async () => {
        const n = raw++;
        await store.client.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              pk: { S: `u#${owner}#d#bench-raw` },
              sk: { S: `r#key-${String(n % KEYS).padStart(3, '0')}` },
              sc: { N: String(n + 1) },
              key: { S: `key-${n % KEYS}` },
              value: { S: `value ${n} ${'x'.repeat(24)}` },
              at: { S: new Date().toISOString() },
              deleted: { BOOL: false },
            },
          }),
        );
      },
    },
  ];

  const before = store.calls();
  await directWrite('bench-direct');
  const callsPerWrite = store.calls() - before;
  await adapter.readDataset(owner, 'bench-direct', counts.direct - 1);
  const callsPerRead = store.calls() - before - callsPerWrite;
  for (const way of ways) await way.call(); // warm-up

  const times = new Map(ways.map((way) => [way.name, [] as number[]]));
  for (let i = 0; i < ops; i++) {
    for (let k = 0; k < ways.length; k++) {
      const way = ways[(i + k) % ways.length];
      const started = performance.now();
      await way.call();
      times.get(way.name)!.push(performance.now() - started);
    }
  }
  agent.destroy();

  const latency = (name: Measurement): Latency => ({
    p50: percentile(times.get(name)!, 50),
    p99: percentile(times.get(name)!, 99),
  });
  const r = {
    appPatch: latency('appPatch'),
    directWrite: latency('directWrite'),
    directWriteThenRead: latency('directWriteThenRead'),
    appGet: latency('appGet'),
    directRead: latency('directRead'),
    putItem: latency('putItem'),
  };
  return {
    ops,
    changesPerWrite: CHANGES_PER_WRITE,
    recordsPerDataset: KEYS,
    ...r,
    callsPerWrite,
    callsPerRead,
    ratios: {
      patchToDirectWrite: r.appPatch.p50 / r.directWrite.p50,
      patchToDirectWriteThenRead: r.appPatch.p50 / r.directWriteThenRead.p50,
      getToDirectRead: r.appGet.p50 / r.directRead.p50,
    },
  };
}
