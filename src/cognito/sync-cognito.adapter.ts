import {
  CognitoSyncClient,
  DeleteDatasetCommand,
  DescribeDatasetCommand,
  ListDatasetsCommand,
  ListRecordsCommand,
  UpdateRecordsCommand,
  type Dataset,
  type _Record as CognitoRecord,
  type RecordPatch,
} from '@aws-sdk/client-cognito-sync';
import { HttpStatus, Logger } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { CognitoSyncLocation } from './cognito-connection';
import { OPERATION_OVERRIDES, toAppException } from './cognito-errors';
import {
  SyncStorePort,
  type ChangeOutcome,
  type DatasetSummary,
  type RecordChange,
  type SyncLimits,
  type SyncRecord,
} from './sync-store.port';

/** Records per ListRecords page: Cognito Sync's most, a whole dataset's worth. */
const RECORDS_PER_PAGE = 1024;
/** Datasets per ListDatasets page (Cognito Sync allows up to 64; an identity has at most 20). */
const DATASETS_PER_PAGE = 64;
/** A service that keeps answering with another page is broken: stop after this many. */
const MAX_PAGES = 64;

/** Everything ListRecords says about a dataset, with every page's records. */
interface Listing {
  exists: boolean;
  syncCount: number;
  /** The dataset was deleted after the count asked for (and may be a new one now). */
  deletedAfter: boolean;
  sessionToken?: string;
  records: SyncRecord[];
}

function recordOf(record: CognitoRecord): SyncRecord {
  return {
    key: record.Key ?? '',
    // A removed record is listed without a value.
    ...(record.Value === undefined || record.Value === null ? {} : { value: record.Value }),
    syncCount: record.SyncCount ?? 0,
    lastModified: record.LastModifiedDate ?? new Date(0),
    ...(record.DeviceLastModifiedDate ? { deviceLastModified: record.DeviceLastModifiedDate } : {}),
    deleted: record.Value === undefined || record.Value === null,
  };
}

function summaryOf(dataset: Dataset, syncCount: number): DatasetSummary {
  return {
    name: dataset.DatasetName ?? '',
    syncCount,
    recordCount: dataset.NumRecords ?? 0,
    sizeBytes: dataset.DataStorage ?? 0,
    lastModified: dataset.LastModifiedDate ?? dataset.CreationDate ?? new Date(0),
  };
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** An answer that lacks what the call promises. */
function incomplete(): AppException {
  return new AppException(
    HttpStatus.BAD_GATEWAY,
    ErrorCode.UPSTREAM_ERROR,
    'The identity service returned an unexpected error.',
  );
}

/**
 * User data sync in Amazon Cognito Sync, for the identity pool's identities (`owner` is an
 * identity id), called with the app's own AWS credentials ("developer credentials"), which need
 * `cognito-sync:ListDatasets`, `DescribeDataset`, `ListRecords`, `UpdateRecords` and
 * `DeleteDataset` on the identity pool.
 *
 * Cognito Sync detects conflicts per record: an UpdateRecords whose record sync counts are stale
 * fails, as a whole. A write here first lists the dataset (which also gives the sync session
 * token UpdateRecords needs) and answers a conflict when the dataset's count is not the client's;
 * otherwise it patches each record at its current count, so a write that raced it on one of the
 * same records makes it fail with ResourceConflict, answered as a conflict too. Two writers of
 * different records between the listing and the update both succeed: that is Cognito Sync's own
 * model (docs/api.md).
 */
export class SyncCognitoAdapter extends SyncStorePort {
  readonly ownedBy = 'identity';
  private readonly logger = new Logger('CognitoSync');

  constructor(
    private readonly client: CognitoSyncClient,
    private readonly location: CognitoSyncLocation,
  ) {
    super();
  }

  async listDatasets(owner: string): Promise<DatasetSummary[]> {
    const datasets = await this.allDatasets(owner);
    // ListDatasets tells no sync count; ListRecords does, one call per dataset (20 at most).
    const summaries = await Promise.all(
      datasets.map(async (dataset) => {
        const name = dataset.DatasetName;
        if (!name) throw incomplete();
        const answer = await this.send(() =>
          this.client.send(
            new ListRecordsCommand({ ...this.of(owner), DatasetName: name, MaxResults: 1 }),
          ),
        );
        // Deleted since it was listed.
        if (answer.DatasetExists === false) return undefined;
        return summaryOf(dataset, answer.DatasetSyncCount ?? 0);
      }),
    );
    return summaries
      .filter((summary): summary is DatasetSummary => summary !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async readDataset(
    owner: string,
    name: string,
    sinceSyncCount: number,
  ): Promise<{ dataset: DatasetSummary; records: SyncRecord[] } | undefined> {
    const [dataset, listed] = await Promise.all([
      this.describe(owner, name),
      this.records(owner, name, sinceSyncCount),
    ]);
    if (!dataset || !listed.exists) return undefined;
    // The dataset the client knew is gone and this is a new one: all of it is news.
    const listing =
      listed.deletedAfter && sinceSyncCount > 0 ? await this.records(owner, name, 0) : listed;
    return { dataset: summaryOf(dataset, listing.syncCount), records: listing.records };
  }

  async applyChanges(
    owner: string,
    name: string,
    expectedSyncCount: number,
    changes: readonly RecordChange[],
    limits: SyncLimits,
  ): Promise<ChangeOutcome> {
    const listing = await this.records(owner, name, 0);
    const current = listing.exists ? listing.syncCount : 0;
    if (current !== expectedSyncCount) {
      return this.conflict(owner, name, expectedSyncCount, listing);
    }

    // Only the last change of each key matters, as in the DynamoDB store.
    const last = new Map(changes.map((change) => [change.key, change]));
    const values = new Map<string, string>();
    for (const record of listing.records) {
      if (!record.deleted) values.set(record.key, record.value ?? '');
    }
    for (const change of last.values()) {
      if (change.op === 'put') values.set(change.key, change.value ?? '');
      else values.delete(change.key);
    }
    if (values.size > limits.recordsPerDataset) return { kind: 'limit', limit: 'records' };
    let bytes = 0;
    for (const [key, value] of values) bytes += utf8Length(key) + utf8Length(value);
    if (bytes > limits.bytesPerDataset) return { kind: 'limit', limit: 'bytes' };
    if (!listing.exists) {
      const datasets = await this.allDatasets(owner);
      if (datasets.length >= limits.datasetsPerOwner) return { kind: 'limit', limit: 'datasets' };
    }
    if (!listing.sessionToken) throw incomplete();

    const counts = new Map(listing.records.map((record) => [record.key, record.syncCount]));
    const patches: RecordPatch[] = [...last.values()].map((change) => ({
      Op: change.op === 'put' ? 'replace' : 'remove',
      Key: change.key,
      ...(change.op === 'put' ? { Value: change.value ?? '' } : {}),
      SyncCount: counts.get(change.key) ?? 0,
      ...(change.deviceLastModified ? { DeviceLastModifiedDate: change.deviceLastModified } : {}),
    }));
    let updated: CognitoRecord[];
    try {
      const answer = await this.client.send(
        new UpdateRecordsCommand({
          ...this.of(owner),
          DatasetName: name,
          SyncSessionToken: listing.sessionToken,
          RecordPatches: patches,
        }),
      );
      updated = answer.Records ?? [];
    } catch (error) {
      const exception = (error as { name?: string }).name;
      // Another write changed one of these records since the listing.
      if (exception === 'ResourceConflictException') {
        return this.conflict(owner, name, expectedSyncCount, await this.records(owner, name, 0));
      }
      // Cognito Sync's own count of datasets, records or bytes (stricter than the check above).
      if (exception === 'LimitExceededException') {
        return { kind: 'limit', limit: listing.exists ? 'records' : 'datasets' };
      }
      throw this.mapped(error);
    }
    const records = updated.map(recordOf);
    if (records.length === 0) throw incomplete();
    const syncCount = Math.max(...records.map((record) => record.syncCount));
    const lastModified = new Date(Math.max(...records.map((r) => r.lastModified.getTime())));
    return {
      kind: 'applied',
      dataset: { name, syncCount, recordCount: values.size, sizeBytes: bytes, lastModified },
      records,
    };
  }

  async deleteDataset(owner: string, name: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteDatasetCommand({ ...this.of(owner), DatasetName: name }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
      throw this.mapped(error);
    }
  }

  async deleteAll(owner: string): Promise<void> {
    const datasets = await this.allDatasets(owner);
    for (const dataset of datasets) {
      if (dataset.DatasetName) await this.deleteDataset(owner, dataset.DatasetName);
    }
  }

  private of(owner: string): { IdentityPoolId: string; IdentityId: string } {
    return { IdentityPoolId: this.location.identityPoolId, IdentityId: owner };
  }

  /** The conflict answer: the dataset now, and the records changed since the client's count. */
  private async conflict(
    owner: string,
    name: string,
    expectedSyncCount: number,
    listing: Listing,
  ): Promise<ChangeOutcome> {
    const described = listing.exists ? await this.describe(owner, name) : undefined;
    const dataset: DatasetSummary = described
      ? summaryOf(described, listing.syncCount)
      : { name, syncCount: 0, recordCount: 0, sizeBytes: 0, lastModified: new Date() };
    // A client ahead of the dataset knew one that was deleted since: it needs all of this one.
    const since = expectedSyncCount <= dataset.syncCount ? expectedSyncCount : 0;
    return {
      kind: 'conflict',
      dataset,
      records: listing.records.filter((record) => record.syncCount > since),
    };
  }

  /** DescribeDataset; undefined when there is no such dataset. */
  private async describe(owner: string, name: string): Promise<Dataset | undefined> {
    try {
      const answer = await this.client.send(
        new DescribeDatasetCommand({ ...this.of(owner), DatasetName: name }),
      );
      if (!answer.Dataset) throw incomplete();
      return answer.Dataset;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw this.mapped(error);
    }
  }

  /** Every record changed after `since` (every page), and what ListRecords says of the dataset. */
  private async records(owner: string, name: string, since: number): Promise<Listing> {
    const listing: Listing = { exists: false, syncCount: 0, deletedAfter: false, records: [] };
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const answer = await this.send(() =>
        this.client.send(
          new ListRecordsCommand({
            ...this.of(owner),
            DatasetName: name,
            LastSyncCount: since,
            MaxResults: RECORDS_PER_PAGE,
            NextToken: nextToken,
          }),
        ),
      );
      listing.exists = answer.DatasetExists === true;
      listing.syncCount = answer.DatasetSyncCount ?? 0;
      listing.deletedAfter ||= answer.DatasetDeletedAfterRequestedSyncCount === true;
      listing.sessionToken = answer.SyncSessionToken ?? listing.sessionToken;
      listing.records.push(...(answer.Records ?? []).map(recordOf));
      nextToken = answer.NextToken;
      if (!nextToken) return listing;
    }
    throw incomplete();
  }

  /** Every dataset of the identity (every page). */
  private async allDatasets(owner: string): Promise<Dataset[]> {
    const datasets: Dataset[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const answer = await this.send(() =>
        this.client.send(
          new ListDatasetsCommand({
            ...this.of(owner),
            MaxResults: DATASETS_PER_PAGE,
            NextToken: nextToken,
          }),
        ),
      );
      datasets.push(...(answer.Datasets ?? []));
      nextToken = answer.NextToken;
      if (!nextToken) return datasets;
    }
    throw incomplete();
  }

  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.mapped(error);
    }
  }

  /** A failure as its AppException; the app's own set-up problems are logged. */
  private mapped(error: unknown): AppException {
    if (error instanceof AppException) return error;
    const mapped = toAppException(error, OPERATION_OVERRIDES.cognitoSync);
    if (mapped.getStatus() === Number(HttpStatus.INTERNAL_SERVER_ERROR)) {
      const { name, message } = error as Error;
      this.logger.error(
        `Cognito Sync refused the app's call (${name}: ${message}): check the AWS credentials' ` +
          'cognito-sync permissions and COGNITO_IDENTITY_POOL_ID',
      );
    }
    return mapped;
  }
}
