import {
  CognitoSyncClient,
  DeleteDatasetCommand,
  DescribeDatasetCommand,
  InternalErrorException,
  InvalidParameterException,
  LimitExceededException,
  ListDatasetsCommand,
  ListRecordsCommand,
  type ListRecordsCommandOutput,
  NotAuthorizedException,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateRecordsCommand,
  type RecordPatch,
} from '@aws-sdk/client-cognito-sync';
import type { FinalizeHandler, MetadataBearer } from '@smithy/types';
import {
  COGNITO_SYNC_LIMITS,
  startCognitoSyncServer,
  type CognitoSyncServer,
} from './cognito-sync-server';

const POOL = 'us-east-1:0f0e0d0c-0000-4000-8000-000000000001';
const ALICE = 'us-east-1:a11ce000-0000-4000-8000-000000000001';
const BOB = 'us-east-1:b0b00000-0000-4000-8000-000000000002';

const clientFor = (server: CognitoSyncServer) =>
  new CognitoSyncClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
    maxAttempts: 1,
  });

describe('startCognitoSyncServer', () => {
  let server: CognitoSyncServer;
  let client: CognitoSyncClient;

  beforeAll(async () => {
    server = await startCognitoSyncServer();
    client = clientFor(server);
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });
  beforeEach(() => server.reset());

  const list = (
    dataset: string,
    extra: { lastSyncCount?: number; maxResults?: number; nextToken?: string } = {},
    identity = ALICE,
  ) =>
    client.send(
      new ListRecordsCommand({
        IdentityPoolId: POOL,
        IdentityId: identity,
        DatasetName: dataset,
        LastSyncCount: extra.lastSyncCount,
        MaxResults: extra.maxResults,
        NextToken: extra.nextToken,
      }),
    );

  const update = async (
    dataset: string,
    patches: RecordPatch[],
    identity = ALICE,
    token?: string,
  ) => {
    const session = token ?? (await list(dataset, {}, identity)).SyncSessionToken;
    return client.send(
      new UpdateRecordsCommand({
        IdentityPoolId: POOL,
        IdentityId: identity,
        DatasetName: dataset,
        SyncSessionToken: session,
        RecordPatches: patches,
      }),
    );
  };

  const put = (key: string, value: string, syncCount = 0): RecordPatch => ({
    Op: 'replace',
    Key: key,
    Value: value,
    SyncCount: syncCount,
  });

  const rejection = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as Error & { $metadata: { httpStatusCode?: number } };
    }
    throw new Error('expected the request to be rejected');
  };

  it('creates a dataset on the first UpdateRecords and describes it with dates', async () => {
    const before = await list('settings');
    expect(before).toMatchObject({
      DatasetExists: false,
      DatasetSyncCount: 0,
      Count: 0,
      Records: [],
      DatasetDeletedAfterRequestedSyncCount: false,
    });
    expect(before.SyncSessionToken).toEqual(expect.any(String));

    const device = new Date('2026-01-02T03:04:05.678Z');
    const written = await update('settings', [
      { ...put('theme', 'dark'), DeviceLastModifiedDate: device },
      put('lang', 'fr'),
    ]);
    expect(written.Records).toHaveLength(2);
    for (const record of written.Records ?? []) {
      expect(record.SyncCount).toBe(1);
      expect(record.LastModifiedDate).toBeInstanceOf(Date);
      expect(record.LastModifiedBy).toBe(ALICE);
    }
    expect(written.Records?.[0].DeviceLastModifiedDate).toEqual(device);

    const { Dataset } = await client.send(
      new DescribeDatasetCommand({
        IdentityPoolId: POOL,
        IdentityId: ALICE,
        DatasetName: 'settings',
      }),
    );
    expect(Dataset).toMatchObject({
      IdentityId: ALICE,
      DatasetName: 'settings',
      NumRecords: 2,
      DataStorage: 'themedarklangfr'.length,
      LastModifiedBy: ALICE,
    });
    expect(Dataset?.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (Dataset?.LastModifiedDate?.getTime() ?? 0))).toBeLessThan(5000);

    const after = await list('settings');
    expect(after).toMatchObject({ DatasetExists: true, DatasetSyncCount: 1, Count: 2 });
    expect(server.datasets(POOL, ALICE)).toEqual([
      expect.objectContaining({
        name: 'settings',
        syncCount: 1,
        records: expect.arrayContaining([
          expect.objectContaining({ key: 'theme', value: 'dark', deviceLastModifiedDate: device }),
        ]),
      }),
    ]);
  });

  it('lists only the records changed after lastSyncCount, in sync count order', async () => {
    await update('d', [put('a', '1'), put('b', '1')]);
    await update('d', [put('c', '2')]);
    await update('d', [put('a', '3', 1)]);

    const changed = await list('d', { lastSyncCount: 1 });
    expect(changed.Records?.map((r) => [r.Key, r.Value, r.SyncCount])).toEqual([
      ['c', '2', 2],
      ['a', '3', 3],
    ]);
    expect(changed.DatasetSyncCount).toBe(3);
    expect((await list('d', { lastSyncCount: 3 })).Records).toEqual([]);
  });

  it('rejects a stale per-record SyncCount with ResourceConflictException and applies nothing', async () => {
    await update('d', [put('score', '10')]);
    await update('d', [put('score', '20', 1)]);

    const error = await rejection(update('d', [put('fresh', 'x'), put('score', '30', 1)]));
    expect(error).toBeInstanceOf(ResourceConflictException);
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.message).toBe('Current SyncCount for: score is: 2 not: 1');
    // A record that does not exist must be patched with 0.
    expect(await rejection(update('d', [put('nothing', 'x', 5)]))).toBeInstanceOf(
      ResourceConflictException,
    );

    const all = await list('d');
    expect(all.Records?.map((r) => [r.Key, r.Value])).toEqual([['score', '20']]);
    expect(all.DatasetSyncCount).toBe(2);
  });

  it('lists a removed record as a tombstone without a value', async () => {
    await update('d', [put('keep', 'k'), put('gone', 'g')]);
    const removed = await update('d', [{ Op: 'remove', Key: 'gone', SyncCount: 1 }]);
    expect(removed.Records).toHaveLength(1);
    expect(removed.Records?.[0]).toMatchObject({ Key: 'gone', SyncCount: 2 });
    expect(removed.Records?.[0]).not.toHaveProperty('Value');

    const since = await list('d', { lastSyncCount: 1 });
    expect(since.Records).toHaveLength(1);
    expect(since.Records?.[0]).toMatchObject({ Key: 'gone', SyncCount: 2 });
    expect(since.Records?.[0]).not.toHaveProperty('Value');
    const { Dataset } = await client.send(
      new DescribeDatasetCommand({ IdentityPoolId: POOL, IdentityId: ALICE, DatasetName: 'd' }),
    );
    expect(Dataset).toMatchObject({ NumRecords: 1, DataStorage: 'keepk'.length });
    // Writing the key again takes the tombstone's sync count.
    await expect(update('d', [put('gone', 'back', 2)])).resolves.toBeDefined();
  });

  it('pages ListRecords with maxResults and an opaque nextToken', async () => {
    await update('d', [put('a', '1'), put('b', '1'), put('c', '1')]);
    await update('d', [put('d', '2'), put('e', '2')]);

    const seen: string[] = [];
    let page: ListRecordsCommandOutput | undefined;
    let pages = 0;
    do {
      page = await list('d', { maxResults: 2, nextToken: page?.NextToken });
      pages += 1;
      expect(page.Count).toBe(page.Records?.length);
      seen.push(...(page.Records ?? []).map((r) => r.Key ?? ''));
    } while (page.NextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);

    const invalid = await rejection(list('d', { nextToken: 'not-a-token' }));
    expect(invalid).toBeInstanceOf(InvalidParameterException);
  });

  it('pages ListDatasets with maxResults and an opaque nextToken', async () => {
    for (const name of ['one', 'two', 'three', 'four', 'five']) {
      await update(name, [put('k', name)]);
    }
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListDatasetsCommand({
          IdentityPoolId: POOL,
          IdentityId: ALICE,
          MaxResults: 2,
          NextToken: nextToken,
        }),
      );
      pages += 1;
      expect(page.Count).toBe(page.Datasets?.length);
      for (const dataset of page.Datasets ?? []) {
        expect(dataset.CreationDate).toBeInstanceOf(Date);
        expect(dataset.NumRecords).toBe(1);
        names.push(dataset.DatasetName ?? '');
      }
      nextToken = page.NextToken;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(names.sort()).toEqual(['five', 'four', 'one', 'three', 'two']);
  });

  it('deletes a dataset and tells a client that synced before the deletion', async () => {
    await update('d', [put('a', '1')]);
    await update('d', [put('a', '2', 1)]);
    const deleted = await client.send(
      new DeleteDatasetCommand({ IdentityPoolId: POOL, IdentityId: ALICE, DatasetName: 'd' }),
    );
    expect(deleted.Dataset).toMatchObject({ DatasetName: 'd', NumRecords: 1 });
    expect(deleted.Dataset?.LastModifiedDate).toBeInstanceOf(Date);

    const describeGone = await rejection(
      client.send(
        new DescribeDatasetCommand({ IdentityPoolId: POOL, IdentityId: ALICE, DatasetName: 'd' }),
      ),
    );
    expect(describeGone).toBeInstanceOf(ResourceNotFoundException);
    expect(describeGone.$metadata.httpStatusCode).toBe(404);
    expect(
      await rejection(
        client.send(
          new DeleteDatasetCommand({ IdentityPoolId: POOL, IdentityId: ALICE, DatasetName: 'd' }),
        ),
      ),
    ).toBeInstanceOf(ResourceNotFoundException);

    const stale = await list('d', { lastSyncCount: 2 });
    expect(stale).toMatchObject({
      DatasetExists: false,
      DatasetSyncCount: 0,
      DatasetDeletedAfterRequestedSyncCount: true,
    });
    expect((await list('d', { lastSyncCount: 0 })).DatasetDeletedAfterRequestedSyncCount).toBe(
      false,
    );

    // Recreated: a client that synced the old incarnation is still told; one that synced the new is not.
    const recreated = await update('d', [put('b', 'new')]);
    const newCount = recreated.Records?.[0].SyncCount ?? 0;
    expect(newCount).toBeGreaterThan(2);
    expect((await list('d', { lastSyncCount: 1 })).DatasetDeletedAfterRequestedSyncCount).toBe(
      true,
    );
    const fresh = await list('d', { lastSyncCount: newCount });
    expect(fresh).toMatchObject({
      DatasetExists: true,
      DatasetSyncCount: newCount,
      DatasetDeletedAfterRequestedSyncCount: false,
    });
    expect(server.datasets(POOL, ALICE)[0].records.map((r) => r.key)).toEqual(['b']);
  });

  describe('limits', () => {
    it(`refuses a dataset beyond ${COGNITO_SYNC_LIMITS.datasetsPerIdentity} per identity`, async () => {
      for (let i = 0; i < COGNITO_SYNC_LIMITS.datasetsPerIdentity; i += 1) {
        await update(`ds-${i}`, [put('k', 'v')]);
      }
      const error = await rejection(update('one-too-many', [put('k', 'v')]));
      expect(error).toBeInstanceOf(LimitExceededException);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(server.datasets(POOL, ALICE)).toHaveLength(COGNITO_SYNC_LIMITS.datasetsPerIdentity);
      // An existing dataset still takes writes.
      await expect(update('ds-0', [put('k', 'w', 1)])).resolves.toBeDefined();
    });

    it(`refuses a record beyond ${COGNITO_SYNC_LIMITS.recordsPerDataset} per dataset`, async () => {
      const full = Array.from({ length: COGNITO_SYNC_LIMITS.recordsPerDataset }, (_, i) =>
        put(`k${i}`, 'v'),
      );
      await update('d', full);
      expect(await rejection(update('d', [put('extra', 'v')]))).toBeInstanceOf(
        LimitExceededException,
      );
      // Removing one makes room.
      await update('d', [{ Op: 'remove', Key: 'k0', SyncCount: 1 }]);
      await expect(update('d', [put('extra', 'v')])).resolves.toBeDefined();
    });

    it('refuses a dataset over 1 MB of keys and values', async () => {
      const value = 'a'.repeat(COGNITO_SYNC_LIMITS.bytesPerDataset - 1);
      await update('d', [put('k', value)]); // exactly 1 MB
      const error = await rejection(update('d', [put('x', 'y')]));
      expect(error).toBeInstanceOf(LimitExceededException);
      expect((await list('d')).Records?.map((r) => r.Key)).toEqual(['k']);
    });

    it('refuses a key over 1024 characters, a value over 1048575 and a bad dataset name', async () => {
      await expect(update('d', [put('k'.repeat(1024), 'v')])).resolves.toBeDefined();
      expect(await rejection(update('d', [put('k'.repeat(1025), 'v')]))).toBeInstanceOf(
        InvalidParameterException,
      );
      expect(
        await rejection(update('d', [put('big', 'v'.repeat(COGNITO_SYNC_LIMITS.valueLength + 1))])),
      ).toBeInstanceOf(InvalidParameterException);
      for (const name of ['has space', 'slash/es', 'x'.repeat(129)]) {
        const error = await rejection(list(name));
        expect(error).toBeInstanceOf(InvalidParameterException);
        expect(error.$metadata.httpStatusCode).toBe(400);
      }
      await expect(list('ok_name.with:all-chars')).resolves.toBeDefined();
    });
  });

  it('accepts only a sync session token it issued for this identity and dataset', async () => {
    const token = (await list('d')).SyncSessionToken;
    const other = (await list('other')).SyncSessionToken;
    const bobs = (await list('d', {}, BOB)).SyncSessionToken;

    for (const bad of ['made-up', other, bobs]) {
      const error = await rejection(update('d', [put('k', 'v')], ALICE, bad));
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toBe('SyncSessionToken not valid for these inputs');
    }
    expect(server.datasets(POOL, ALICE)).toEqual([]);
    await expect(update('d', [put('k', 'v')], ALICE, token)).resolves.toBeDefined();
  });

  it('refuses an expired sync session token', async () => {
    const shortLived = await startCognitoSyncServer({ sessionTtlMs: 150 });
    const shortClient = clientFor(shortLived);
    try {
      const { SyncSessionToken } = await shortClient.send(
        new ListRecordsCommand({ IdentityPoolId: POOL, IdentityId: ALICE, DatasetName: 'd' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const error = await rejection(
        shortClient.send(
          new UpdateRecordsCommand({
            IdentityPoolId: POOL,
            IdentityId: ALICE,
            DatasetName: 'd',
            SyncSessionToken,
            RecordPatches: [put('k', 'v')],
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(shortLived.datasets(POOL, ALICE)).toEqual([]);
    } finally {
      shortClient.destroy();
      await shortLived.stop();
    }
  });

  it('keeps each identity to its own datasets', async () => {
    await update('shared-name', [put('secret', 'alice')]);

    const bobView = await list('shared-name', {}, BOB);
    expect(bobView).toMatchObject({ DatasetExists: false, Records: [] });
    const bobDatasets = await client.send(
      new ListDatasetsCommand({ IdentityPoolId: POOL, IdentityId: BOB }),
    );
    expect(bobDatasets.Datasets).toEqual([]);
    expect(
      await rejection(
        client.send(
          new DescribeDatasetCommand({
            IdentityPoolId: POOL,
            IdentityId: BOB,
            DatasetName: 'shared-name',
          }),
        ),
      ),
    ).toBeInstanceOf(ResourceNotFoundException);
    // Bob writing the same name creates his own dataset, starting from 0.
    await update('shared-name', [put('secret', 'bob')], BOB);
    expect(server.datasets(POOL, BOB)[0].records[0].value).toBe('bob');
    expect(server.datasets(POOL, ALICE)[0].records[0].value).toBe('alice');
    // The same identity id in another pool is another identity.
    const otherPool = 'us-east-1:0f0e0d0c-0000-4000-8000-000000000099';
    const elsewhere = await client.send(
      new ListDatasetsCommand({ IdentityPoolId: otherPool, IdentityId: ALICE }),
    );
    expect(elsewhere.Datasets).toEqual([]);
    expect(
      await rejection(
        client.send(new ListDatasetsCommand({ IdentityPoolId: POOL, IdentityId: 'not-an-id' })),
      ),
    ).toBeInstanceOf(InvalidParameterException);
  });

  it('answers NotAuthorizedException (403) to an unsigned request', async () => {
    const unsigned = clientFor(server);
    const stripAuthorization =
      (next: FinalizeHandler<object, MetadataBearer>): FinalizeHandler<object, MetadataBearer> =>
      (args) => {
        delete (args.request as { headers: Record<string, string> }).headers.authorization;
        return next(args);
      };
    unsigned.middlewareStack.addRelativeTo(stripAuthorization, {
      relation: 'after',
      toMiddleware: 'httpSigningMiddleware',
      name: 'stripAuthorization',
    });
    try {
      const error = await rejection(
        unsigned.send(new ListDatasetsCommand({ IdentityPoolId: POOL, IdentityId: ALICE })),
      );
      expect(error).toBeInstanceOf(NotAuthorizedException);
      expect(error.$metadata.httpStatusCode).toBe(403);
    } finally {
      unsigned.destroy();
    }
  });

  it('counts calls per operation and fails every call on demand', async () => {
    await update('d', [put('k', 'v')]);
    await client.send(new ListDatasetsCommand({ IdentityPoolId: POOL, IdentityId: ALICE }));

    server.failWith('InternalErrorException');
    const internal = await rejection(list('d'));
    expect(internal).toBeInstanceOf(InternalErrorException);
    expect(internal.$metadata.httpStatusCode).toBe(500);
    server.failWith('TooManyRequestsException');
    const throttled = await rejection(
      client.send(
        new DescribeDatasetCommand({ IdentityPoolId: POOL, IdentityId: ALICE, DatasetName: 'd' }),
      ),
    );
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect(throttled.$metadata.httpStatusCode).toBe(429);
    server.failWith('ServiceUnavailable', 503);
    expect((await rejection(list('d'))).$metadata.httpStatusCode).toBe(503);
    server.failWith(undefined);
    expect((await list('d')).Count).toBe(1);

    expect(server.calls()).toEqual({
      ListRecords: 4,
      UpdateRecords: 1,
      ListDatasets: 1,
      DescribeDataset: 1,
    });
  });
});
