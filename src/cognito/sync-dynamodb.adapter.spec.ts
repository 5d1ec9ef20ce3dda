import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { SyncDynamoDbAdapter } from './sync-dynamodb.adapter';
import { ensureSyncTable } from './sync-table';
import { COGNITO_SYNC_LIMITS, type RecordChange } from './sync-store.port';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: object) => import('node:http').Server;

const TABLE = 'sync-spec';

describe(SyncDynamoDbAdapter.name, () => {
  const server = dynalite({ createTableMs: 0 });
  let client: DynamoDBClient;
  let store: SyncDynamoDbAdapter;
  let owner = 0;
  const user = () => `user-${++owner}`;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureSyncTable(client, TABLE);
    store = new SyncDynamoDbAdapter(client, TABLE);
  });

  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const put = (key: string, value: string): RecordChange => ({ op: 'put', key, value });
  const remove = (key: string): RecordChange => ({ op: 'remove', key });

  it('creates a dataset at count 0, then pulls only what changed after a count, tombstones included', async () => {
    const me = user();
    const first = await store.applyChanges(
      me,
      'settings',
      0,
      [put('theme', 'dark'), put('lang', 'en')],
      COGNITO_SYNC_LIMITS,
    );
    expect(first).toMatchObject({
      kind: 'applied',
      dataset: { name: 'settings', syncCount: 1, recordCount: 2, sizeBytes: 15 },
    });
    const second = await store.applyChanges(
      me,
      'settings',
      1,
      [remove('lang'), put('font', 'serif')],
      COGNITO_SYNC_LIMITS,
    );
    expect(second).toMatchObject({
      kind: 'applied',
      dataset: { syncCount: 2, recordCount: 2, sizeBytes: 9 + 9 },
    });

    const all = await store.readDataset(me, 'settings', 0);
    expect(all?.records.map((r) => [r.key, r.value, r.syncCount, r.deleted]).sort()).toEqual([
      ['font', 'serif', 2, false],
      ['lang', undefined, 2, true],
      ['theme', 'dark', 1, false],
    ]);
    const since1 = await store.readDataset(me, 'settings', 1);
    expect(since1?.records.map((r) => r.key).sort()).toEqual(['font', 'lang']);
    expect((await store.readDataset(me, 'settings', 2))?.records).toEqual([]);
    expect(await store.listDatasets(me)).toEqual([
      expect.objectContaining({ name: 'settings', syncCount: 2, recordCount: 2 }),
    ]);
  });

  it('refuses a stale count with the records changed since it', async () => {
    const me = user();
    await store.applyChanges(me, 'game', 0, [put('level', '1')], COGNITO_SYNC_LIMITS);
    await store.applyChanges(
      me,
      'game',
      1,
      [put('level', '2'), put('score', '10')],
      COGNITO_SYNC_LIMITS,
    );
    const stale = await store.applyChanges(me, 'game', 1, [put('level', '9')], COGNITO_SYNC_LIMITS);
    expect(stale).toMatchObject({ kind: 'conflict', dataset: { syncCount: 2 } });
    if (stale.kind !== 'conflict') throw new Error('expected a conflict');
    expect(stale.records.map((r) => [r.key, r.value]).sort()).toEqual([
      ['level', '2'],
      ['score', '10'],
    ]);
    // Creating what exists is a conflict too.
    expect(
      (await store.applyChanges(me, 'game', 0, [put('x', 'y')], COGNITO_SYNC_LIMITS)).kind,
    ).toBe('conflict');
  });

  it('lets exactly one of many writers with the same count win, across instances', async () => {
    const me = user();
    await store.applyChanges(me, 'race', 0, [put('k', 'start')], COGNITO_SYNC_LIMITS);
    // A second instance of the app: its own client and adapter on the same table.
    const otherClient = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const instances = [store, new SyncDynamoDbAdapter(otherClient, TABLE)];
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        instances[i % 2].applyChanges(
          me,
          'race',
          1,
          [put('k', `writer-${i}`), put(`only-${i}`, 'x')],
          COGNITO_SYNC_LIMITS,
        ),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'conflict')).toHaveLength(19);
    const read = await store.readDataset(me, 'race', 0);
    expect(read?.dataset).toMatchObject({ syncCount: 2, recordCount: 2 });
    const winner = read?.records.find((r) => r.key.startsWith('only-'))?.key.slice('only-'.length);
    expect(read?.records.find((r) => r.key === 'k')?.value).toBe(`writer-${winner}`);
    otherClient.destroy();
  });

  it('finishes a write another request left half-done, before anything reads or writes', async () => {
    const me = user();
    await store.applyChanges(me, 'notes', 0, [put('a', '1')], COGNITO_SYNC_LIMITS);
    // A writer that stopped right after its batch was accepted: the head never moved.
    const crashing = new SyncDynamoDbAdapter(client, TABLE);
    (crashing as unknown as { apply: () => Promise<never> }).apply = () =>
      Promise.reject(new Error('process died'));
    await expect(
      crashing.applyChanges(me, 'notes', 1, [put('b', '2')], COGNITO_SYNC_LIMITS),
    ).rejects.toThrow('process died');
    const read = await store.readDataset(me, 'notes', 0);
    expect(read?.dataset).toMatchObject({ syncCount: 2, recordCount: 2 });
    expect(read?.records.map((r) => r.key).sort()).toEqual(['a', 'b']);
    // And the next writer builds on it.
    expect(
      (await store.applyChanges(me, 'notes', 1, [put('c', '3')], COGNITO_SYNC_LIMITS)).kind,
    ).toBe('conflict');
    expect(
      (await store.applyChanges(me, 'notes', 2, [put('c', '3')], COGNITO_SYNC_LIMITS)).kind,
    ).toBe('applied');
  });

  it('enforces the limits against the dataset as it is: datasets, records, bytes', async () => {
    const me = user();
    const limits = { datasetsPerOwner: 2, recordsPerDataset: 3, bytesPerDataset: 20 };
    expect((await store.applyChanges(me, 'one', 0, [put('a', '1')], limits)).kind).toBe('applied');
    expect((await store.applyChanges(me, 'two', 0, [put('a', '1')], limits)).kind).toBe('applied');
    expect(await store.applyChanges(me, 'three', 0, [put('a', '1')], limits)).toEqual({
      kind: 'limit',
      limit: 'datasets',
    });
    expect(
      await store.applyChanges(me, 'one', 1, [put('b', '1'), put('c', '1'), put('d', '1')], limits),
    ).toEqual({ kind: 'limit', limit: 'records' });
    // Replacing and removing keep within the count.
    expect(
      (
        await store.applyChanges(
          me,
          'one',
          1,
          [put('a', '2'), put('b', '1'), put('c', '1')],
          limits,
        )
      ).kind,
    ).toBe('applied');
    expect(await store.applyChanges(me, 'one', 2, [put('a', 'x'.repeat(16))], limits)).toEqual({
      kind: 'limit',
      limit: 'bytes',
    });
    expect(
      (await store.applyChanges(me, 'one', 2, [remove('b'), put('a', 'x'.repeat(12))], limits))
        .kind,
    ).toBe('applied');
    expect((await store.readDataset(me, 'one', 0))?.dataset).toMatchObject({
      recordCount: 2,
      sizeBytes: 13 + 2,
    });
  });

  it('deletes a dataset, or all of an owner’s, and never reads another owner’s', async () => {
    const me = user();
    const other = user();
    await store.applyChanges(me, 'a', 0, [put('k', 'v')], COGNITO_SYNC_LIMITS);
    await store.applyChanges(me, 'b', 0, [put('k', 'v')], COGNITO_SYNC_LIMITS);
    await store.applyChanges(other, 'a', 0, [put('k', 'theirs')], COGNITO_SYNC_LIMITS);
    expect((await store.readDataset(me, 'a', 0))?.records[0].value).toBe('v');
    expect(await store.deleteDataset(me, 'a')).toBe(true);
    expect(await store.deleteDataset(me, 'a')).toBe(false);
    expect(await store.readDataset(me, 'a', 0)).toBeUndefined();
    // Created again from 0, with none of the old records.
    expect(
      (await store.applyChanges(me, 'a', 0, [put('new', '1')], COGNITO_SYNC_LIMITS)).kind,
    ).toBe('applied');
    expect((await store.readDataset(me, 'a', 0))?.records.map((r) => r.key)).toEqual(['new']);
    await store.deleteAll(me);
    expect(await store.listDatasets(me)).toEqual([]);
    expect((await store.readDataset(other, 'a', 0))?.records[0].value).toBe('theirs');
  });

  it('keeps to the dataset limit when creations are sent together, and recovers a drifted count', async () => {
    const me = user();
    const limits = { ...COGNITO_SYNC_LIMITS, datasetsPerOwner: 3 };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.applyChanges(me, `d${i}`, 0, [put('k', 'v')], limits),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'applied')).toHaveLength(3);
    expect(outcomes.filter((o) => o.kind === 'limit')).toHaveLength(5);
    expect(await store.listDatasets(me)).toHaveLength(3);
    // A deletion gives its place back.
    const [first] = await store.listDatasets(me);
    await store.deleteDataset(me, first.name);
    expect((await store.applyChanges(me, 'again', 0, [put('k', 'v')], limits)).kind).toBe(
      'applied',
    );
    // A count left too high (a request that stopped after taking its place) is set right once it
    // has been still for a minute.
    const other = user();
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `u#${other}` },
          sk: { S: 'n#datasets' },
          places: { N: '3' },
          changedAt: { N: String(Date.now() - 120_000) },
        },
      }),
    );
    expect((await store.applyChanges(other, 'first', 0, [put('k', 'v')], limits)).kind).toBe(
      'applied',
    );
  });
});
