import {
  CognitoSyncClient,
  CognitoSyncServiceException,
  DeleteDatasetCommand,
  DescribeDatasetCommand,
  ListDatasetsCommand,
  ListRecordsCommand,
  UpdateRecordsCommand,
  type Dataset,
} from '@aws-sdk/client-cognito-sync';
import { Logger } from '@nestjs/common';
import { mockClient } from 'aws-sdk-client-mock';
import { AppException } from '../common/errors/app.exception';
import { SyncCognitoAdapter } from './sync-cognito.adapter';
import { COGNITO_SYNC_LIMITS } from './sync-store.port';

const IDENTITY_POOL_ID = 'eu-west-1:0d9a5f1e-3c2b-4a8e-9f61-2b7c4d3e1a90';
const IDENTITY_ID = 'eu-west-1:7b1c2d3e-0000-4000-8000-000000000001';
const OWNER = { IdentityPoolId: IDENTITY_POOL_ID, IdentityId: IDENTITY_ID };
const T1 = new Date('2026-11-30T10:00:00Z');
const T2 = new Date('2026-11-30T11:00:00Z');

/** The exception Amazon Cognito Sync would send, as the SDK deserialises it. */
function syncError(name: string, status = 400): CognitoSyncServiceException {
  return new CognitoSyncServiceException({
    name,
    message: 'AWS detail',
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

function dataset(name: string, records = 2, bytes = 40): Dataset {
  return {
    IdentityId: IDENTITY_ID,
    DatasetName: name,
    CreationDate: T1,
    LastModifiedDate: T2,
    LastModifiedBy: 'device',
    NumRecords: records,
    DataStorage: bytes,
  };
}

async function refusalOf(
  promise: Promise<unknown>,
): Promise<{ status: number; code: string; retryAfter?: number }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    const refusal = error as AppException;
    return {
      status: refusal.getStatus(),
      code: refusal.code,
      ...(refusal.retryAfterSeconds ? { retryAfter: refusal.retryAfterSeconds } : {}),
    };
  }
  throw new Error('expected a rejection');
}

describe(SyncCognitoAdapter.name, () => {
  const client = new CognitoSyncClient({ region: 'eu-west-1' });
  const sdk = mockClient(client);
  const adapter = new SyncCognitoAdapter(client, {
    identityPoolId: IDENTITY_POOL_ID,
    region: 'eu-west-1',
  });
  let errors: jest.SpyInstance;

  beforeEach(() => {
    sdk.reset();
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('keys datasets by identity-pool identity', () => {
    expect(adapter.ownedBy).toBe('identity');
  });

  describe('listing datasets', () => {
    it('reads every page, and each dataset’s sync count from ListRecords', async () => {
      sdk
        .on(ListDatasetsCommand, { NextToken: undefined })
        .resolves({ Datasets: [dataset('settings')], NextToken: 'page-2' })
        .on(ListDatasetsCommand, { NextToken: 'page-2' })
        .resolves({ Datasets: [dataset('drafts', 1, 9), dataset('gone')] });
      sdk
        .on(ListRecordsCommand, { DatasetName: 'settings' })
        .resolves({ DatasetExists: true, DatasetSyncCount: 7, Records: [] })
        .on(ListRecordsCommand, { DatasetName: 'drafts' })
        .resolves({ DatasetExists: true, DatasetSyncCount: 2, Records: [] })
        // Deleted between the two calls: not listed.
        .on(ListRecordsCommand, { DatasetName: 'gone' })
        .resolves({ DatasetExists: false, DatasetSyncCount: 0 });
      await expect(adapter.listDatasets(IDENTITY_ID)).resolves.toEqual([
        { name: 'drafts', syncCount: 2, recordCount: 1, sizeBytes: 9, lastModified: T2 },
        { name: 'settings', syncCount: 7, recordCount: 2, sizeBytes: 40, lastModified: T2 },
      ]);
      for (const call of sdk.commandCalls(ListDatasetsCommand)) {
        expect(call.args[0].input).toMatchObject(OWNER);
      }
      expect(sdk.commandCalls(ListRecordsCommand)[0].args[0].input).toEqual({
        ...OWNER,
        DatasetName: 'settings',
        MaxResults: 1,
      });
    });

    it('a pager that never ends is a 502, not a request that never ends', async () => {
      sdk.on(ListDatasetsCommand).resolves({ Datasets: [], NextToken: 'again' });
      await expect(refusalOf(adapter.listDatasets(IDENTITY_ID))).resolves.toEqual({
        status: 502,
        code: 'UPSTREAM_ERROR',
      });
    });
  });

  describe('reading a dataset', () => {
    it('the records changed after the count, every page, removed ones as tombstones', async () => {
      sdk.on(DescribeDatasetCommand).resolves({ Dataset: dataset('settings') });
      sdk
        .on(ListRecordsCommand, { NextToken: undefined })
        .resolves({
          DatasetExists: true,
          DatasetSyncCount: 4,
          SyncSessionToken: 'session-1',
          Records: [
            {
              Key: 'theme',
              Value: 'dark',
              SyncCount: 3,
              LastModifiedDate: T1,
              DeviceLastModifiedDate: T1,
            },
          ],
          NextToken: 'more',
        })
        .on(ListRecordsCommand, { NextToken: 'more' })
        .resolves({
          DatasetExists: true,
          DatasetSyncCount: 4,
          Records: [{ Key: 'font', SyncCount: 4, LastModifiedDate: T2 }],
        });
      await expect(adapter.readDataset(IDENTITY_ID, 'settings', 2)).resolves.toEqual({
        dataset: {
          name: 'settings',
          syncCount: 4,
          recordCount: 2,
          sizeBytes: 40,
          lastModified: T2,
        },
        records: [
          {
            key: 'theme',
            value: 'dark',
            syncCount: 3,
            lastModified: T1,
            deviceLastModified: T1,
            deleted: false,
          },
          { key: 'font', syncCount: 4, lastModified: T2, deleted: true },
        ],
      });
      expect(sdk.commandCalls(ListRecordsCommand)[0].args[0].input).toEqual({
        ...OWNER,
        DatasetName: 'settings',
        LastSyncCount: 2,
        MaxResults: 1024,
        NextToken: undefined,
      });
    });

    it('no such dataset: undefined', async () => {
      sdk.on(DescribeDatasetCommand).rejects(syncError('ResourceNotFoundException', 404));
      sdk.on(ListRecordsCommand).resolves({ DatasetExists: false, DatasetSyncCount: 0 });
      await expect(adapter.readDataset(IDENTITY_ID, 'none', 0)).resolves.toBeUndefined();
    });

    it('a dataset deleted and made again since the count: all of the new one', async () => {
      sdk.on(DescribeDatasetCommand).resolves({ Dataset: dataset('settings', 1, 10) });
      sdk
        .on(ListRecordsCommand, { LastSyncCount: 9 })
        .resolves({
          DatasetExists: true,
          DatasetSyncCount: 2,
          DatasetDeletedAfterRequestedSyncCount: true,
        })
        .on(ListRecordsCommand, { LastSyncCount: 0 })
        .resolves({
          DatasetExists: true,
          DatasetSyncCount: 2,
          Records: [{ Key: 'k', Value: 'v', SyncCount: 1, LastModifiedDate: T1 }],
        });
      const read = await adapter.readDataset(IDENTITY_ID, 'settings', 9);
      expect(read?.records.map((record) => record.key)).toEqual(['k']);
      expect(read?.dataset.syncCount).toBe(2);
    });
  });

  describe('writing', () => {
    const existing = {
      DatasetExists: true,
      DatasetSyncCount: 5,
      SyncSessionToken: 'session-token',
      Records: [
        { Key: 'theme', Value: 'dark', SyncCount: 5, LastModifiedDate: T1 },
        { Key: 'font', Value: 'serif', SyncCount: 2, LastModifiedDate: T1 },
        { Key: 'old', SyncCount: 3, LastModifiedDate: T1 },
      ],
    };

    it('patches each record at its own current count, with the session token', async () => {
      sdk.on(ListRecordsCommand).resolves(existing);
      sdk.on(UpdateRecordsCommand).resolves({
        Records: [
          { Key: 'theme', Value: 'light', SyncCount: 6, LastModifiedDate: T2 },
          { Key: 'font', SyncCount: 6, LastModifiedDate: T2 },
          {
            Key: 'size',
            Value: '12',
            SyncCount: 6,
            LastModifiedDate: T2,
            DeviceLastModifiedDate: T1,
          },
        ],
      });
      const outcome = await adapter.applyChanges(
        IDENTITY_ID,
        'settings',
        5,
        [
          { op: 'put', key: 'theme', value: 'sepia' },
          { op: 'put', key: 'theme', value: 'light' },
          { op: 'remove', key: 'font' },
          { op: 'put', key: 'size', value: '12', deviceLastModified: T1 },
        ],
        COGNITO_SYNC_LIMITS,
      );
      expect(sdk.commandCalls(ListRecordsCommand)[0].args[0].input).toMatchObject({
        LastSyncCount: 0,
      });
      expect(sdk.commandCalls(UpdateRecordsCommand)[0].args[0].input).toEqual({
        ...OWNER,
        DatasetName: 'settings',
        SyncSessionToken: 'session-token',
        RecordPatches: [
          { Op: 'replace', Key: 'theme', Value: 'light', SyncCount: 5 },
          { Op: 'remove', Key: 'font', SyncCount: 2 },
          { Op: 'replace', Key: 'size', Value: '12', SyncCount: 0, DeviceLastModifiedDate: T1 },
        ],
      });
      expect(outcome).toEqual({
        kind: 'applied',
        dataset: {
          name: 'settings',
          syncCount: 6,
          recordCount: 2,
          sizeBytes: 'theme'.length + 'light'.length + 'size'.length + '12'.length,
          lastModified: T2,
        },
        records: [
          { key: 'theme', value: 'light', syncCount: 6, lastModified: T2, deleted: false },
          { key: 'font', syncCount: 6, lastModified: T2, deleted: true },
          {
            key: 'size',
            value: '12',
            syncCount: 6,
            lastModified: T2,
            deviceLastModified: T1,
            deleted: false,
          },
        ],
      });
    });

    it('creates a dataset at count 0', async () => {
      sdk.on(ListRecordsCommand).resolves({
        DatasetExists: false,
        DatasetSyncCount: 0,
        SyncSessionToken: 'session-token',
      });
      sdk.on(ListDatasetsCommand).resolves({ Datasets: [dataset('other')] });
      sdk.on(UpdateRecordsCommand).resolves({
        Records: [{ Key: 'k', Value: 'v', SyncCount: 1, LastModifiedDate: T2 }],
      });
      const outcome = await adapter.applyChanges(
        IDENTITY_ID,
        'new',
        0,
        [{ op: 'put', key: 'k', value: 'v' }],
        COGNITO_SYNC_LIMITS,
      );
      expect(outcome).toMatchObject({ kind: 'applied', dataset: { name: 'new', syncCount: 1 } });
    });

    it('another count than the dataset’s: a conflict with the records since it, nothing written', async () => {
      sdk.on(ListRecordsCommand).resolves(existing);
      sdk.on(DescribeDatasetCommand).resolves({ Dataset: dataset('settings', 2, 20) });
      const outcome = await adapter.applyChanges(
        IDENTITY_ID,
        'settings',
        2,
        [{ op: 'put', key: 'theme', value: 'light' }],
        COGNITO_SYNC_LIMITS,
      );
      expect(outcome).toEqual({
        kind: 'conflict',
        dataset: {
          name: 'settings',
          syncCount: 5,
          recordCount: 2,
          sizeBytes: 20,
          lastModified: T2,
        },
        records: [
          { key: 'theme', value: 'dark', syncCount: 5, lastModified: T1, deleted: false },
          { key: 'old', syncCount: 3, lastModified: T1, deleted: true },
        ],
      });
      expect(sdk.commandCalls(UpdateRecordsCommand)).toHaveLength(0);
    });

    it('a count ahead of the dataset (it was deleted since): a conflict with all its records', async () => {
      sdk.on(ListRecordsCommand).resolves(existing);
      sdk.on(DescribeDatasetCommand).resolves({ Dataset: dataset('settings') });
      const outcome = await adapter.applyChanges(
        IDENTITY_ID,
        'settings',
        40,
        [],
        COGNITO_SYNC_LIMITS,
      );
      expect(outcome.kind === 'conflict' && outcome.records).toHaveLength(3);
    });

    it('a write that raced it on the same records (ResourceConflict): a conflict', async () => {
      sdk
        .on(ListRecordsCommand)
        .resolvesOnce(existing)
        .resolves({
          ...existing,
          DatasetSyncCount: 6,
          Records: [
            ...existing.Records,
            { Key: 'theme', Value: 'red', SyncCount: 6, LastModifiedDate: T2 },
          ],
        });
      sdk.on(DescribeDatasetCommand).resolves({ Dataset: dataset('settings') });
      sdk.on(UpdateRecordsCommand).rejects(syncError('ResourceConflictException', 409));
      const outcome = await adapter.applyChanges(
        IDENTITY_ID,
        'settings',
        5,
        [{ op: 'put', key: 'theme', value: 'light' }],
        COGNITO_SYNC_LIMITS,
      );
      expect(outcome).toMatchObject({
        kind: 'conflict',
        dataset: { syncCount: 6 },
        records: [{ key: 'theme', value: 'red', syncCount: 6 }],
      });
    });

    it('enforces the record, size and dataset limits before writing', async () => {
      const limits = { datasetsPerOwner: 2, recordsPerDataset: 3, bytesPerDataset: 30 };
      sdk.on(ListRecordsCommand, { DatasetName: 'settings' }).resolves(existing);
      await expect(
        adapter.applyChanges(
          IDENTITY_ID,
          'settings',
          5,
          [
            { op: 'put', key: 'a', value: '1' },
            { op: 'put', key: 'b', value: '2' },
          ],
          limits,
        ),
      ).resolves.toEqual({ kind: 'limit', limit: 'records' });
      // Removing one makes room for one.
      sdk.on(UpdateRecordsCommand).resolves({
        Records: [{ Key: 'a', Value: '1', SyncCount: 6, LastModifiedDate: T2 }],
      });
      await expect(
        adapter.applyChanges(
          IDENTITY_ID,
          'settings',
          5,
          [
            { op: 'remove', key: 'font' },
            { op: 'put', key: 'a', value: '1' },
          ],
          limits,
        ),
      ).resolves.toMatchObject({ kind: 'applied' });
      await expect(
        adapter.applyChanges(
          IDENTITY_ID,
          'settings',
          5,
          [{ op: 'put', key: 'theme', value: 'x'.repeat(17) }],
          limits,
        ),
      ).resolves.toEqual({ kind: 'limit', limit: 'bytes' });
      sdk
        .on(ListRecordsCommand, { DatasetName: 'third' })
        .resolves({ DatasetExists: false, DatasetSyncCount: 0, SyncSessionToken: 's' });
      sdk.on(ListDatasetsCommand).resolves({ Datasets: [dataset('settings'), dataset('other')] });
      await expect(
        adapter.applyChanges(
          IDENTITY_ID,
          'third',
          0,
          [{ op: 'put', key: 'k', value: 'v' }],
          limits,
        ),
      ).resolves.toEqual({ kind: 'limit', limit: 'datasets' });
      expect(sdk.commandCalls(UpdateRecordsCommand)).toHaveLength(1);
    });

    it('Cognito Sync’s own LimitExceeded: too many datasets for a new one, records otherwise', async () => {
      sdk.on(UpdateRecordsCommand).rejects(syncError('LimitExceededException'));
      sdk.on(ListRecordsCommand, { DatasetName: 'settings' }).resolves(existing);
      await expect(
        adapter.applyChanges(
          IDENTITY_ID,
          'settings',
          5,
          [{ op: 'put', key: 'k', value: 'v' }],
          COGNITO_SYNC_LIMITS,
        ),
      ).resolves.toEqual({ kind: 'limit', limit: 'records' });
      sdk
        .on(ListRecordsCommand, { DatasetName: 'new' })
        .resolves({ DatasetExists: false, DatasetSyncCount: 0, SyncSessionToken: 's' });
      sdk.on(ListDatasetsCommand).resolves({ Datasets: [] });
      await expect(
        adapter.applyChanges(
          IDENTITY_ID,
          'new',
          0,
          [{ op: 'put', key: 'k', value: 'v' }],
          COGNITO_SYNC_LIMITS,
        ),
      ).resolves.toEqual({ kind: 'limit', limit: 'datasets' });
    });

    it('an answer without a session token or without records is a 502', async () => {
      sdk.on(ListRecordsCommand).resolves({ ...existing, SyncSessionToken: undefined });
      const change = [{ op: 'put' as const, key: 'k', value: 'v' }];
      await expect(
        refusalOf(adapter.applyChanges(IDENTITY_ID, 'settings', 5, change, COGNITO_SYNC_LIMITS)),
      ).resolves.toEqual({ status: 502, code: 'UPSTREAM_ERROR' });
      sdk.on(ListRecordsCommand).resolves(existing);
      sdk.on(UpdateRecordsCommand).resolves({ Records: [] });
      await expect(
        refusalOf(adapter.applyChanges(IDENTITY_ID, 'settings', 5, change, COGNITO_SYNC_LIMITS)),
      ).resolves.toEqual({ status: 502, code: 'UPSTREAM_ERROR' });
    });
  });

  describe('deleting', () => {
    it('one dataset: true, or false when there is none', async () => {
      sdk
        .on(DeleteDatasetCommand, { DatasetName: 'settings' })
        .resolves({ Dataset: dataset('settings') })
        .on(DeleteDatasetCommand, { DatasetName: 'none' })
        .rejects(syncError('ResourceNotFoundException', 404));
      await expect(adapter.deleteDataset(IDENTITY_ID, 'settings')).resolves.toBe(true);
      await expect(adapter.deleteDataset(IDENTITY_ID, 'none')).resolves.toBe(false);
      expect(sdk.commandCalls(DeleteDatasetCommand)[0].args[0].input).toEqual({
        ...OWNER,
        DatasetName: 'settings',
      });
    });

    it('every dataset of the identity', async () => {
      sdk.on(ListDatasetsCommand).resolves({ Datasets: [dataset('a'), dataset('b')] });
      sdk.on(DeleteDatasetCommand).resolves({});
      await adapter.deleteAll(IDENTITY_ID);
      expect(
        sdk.commandCalls(DeleteDatasetCommand).map((call) => call.args[0].input.DatasetName),
      ).toEqual(['a', 'b']);
    });
  });

  describe('failures', () => {
    it.each([
      ['NotAuthorizedException', 403, { status: 500, code: 'INTERNAL_ERROR' }],
      ['ResourceNotFoundException', 404, { status: 500, code: 'INTERNAL_ERROR' }],
      ['InvalidConfigurationException', 400, { status: 500, code: 'INTERNAL_ERROR' }],
      ['InvalidParameterException', 400, { status: 400, code: 'INVALID_PARAMETER' }],
      ['TooManyRequestsException', 429, { status: 429, code: 'TOO_MANY_REQUESTS', retryAfter: 30 }],
      ['LambdaThrottledException', 429, { status: 429, code: 'TOO_MANY_REQUESTS', retryAfter: 30 }],
      ['InvalidLambdaFunctionOutputException', 400, { status: 502, code: 'UPSTREAM_ERROR' }],
      ['InternalErrorException', 500, { status: 503, code: 'UPSTREAM_UNAVAILABLE', retryAfter: 5 }],
    ])('%s is %j', async (name, status, answer) => {
      sdk.on(ListDatasetsCommand).rejects(syncError(name, status));
      await expect(refusalOf(adapter.listDatasets(IDENTITY_ID))).resolves.toEqual(answer);
      // Only the app's own set-up is worth an error line, and it never carries a token.
      expect(errors).toHaveBeenCalledTimes(answer.status === 500 ? 1 : 0);
    });

    it('an unreachable Cognito Sync is a 503', async () => {
      sdk
        .on(DescribeDatasetCommand)
        .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      sdk.on(ListRecordsCommand).resolves({ DatasetExists: true });
      await expect(
        refusalOf(adapter.readDataset(IDENTITY_ID, 'settings', 0)),
      ).resolves.toMatchObject({
        status: 503,
      });
    });
  });
});
