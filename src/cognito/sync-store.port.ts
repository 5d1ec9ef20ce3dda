/**
 * User data sync: per-user datasets of key/value records, each change counted (Cognito Sync's
 * model). A user's datasets are addressed by their `owner`: the user's `sub`, or for Cognito Sync
 * their identity-pool identity id (SyncStorePort.ownedBy); nothing here ever reads another
 * owner's data.
 */

/** One record of a dataset; a removed one stays as a tombstone (`deleted`, no value). */
export interface SyncRecord {
  key: string;
  value?: string;
  /** The dataset's sync count when the record last changed. */
  syncCount: number;
  lastModified: Date;
  /** When the device that made the change says it made it. */
  deviceLastModified?: Date;
  deleted: boolean;
}

export interface DatasetSummary {
  name: string;
  /** How many changes the dataset has had: 0 for one never written. */
  syncCount: number;
  /** Records that are not removed. */
  recordCount: number;
  /** UTF-8 bytes of the keys and values of those records. */
  sizeBytes: number;
  lastModified: Date;
}

export interface RecordChange {
  op: 'put' | 'remove';
  key: string;
  /** Required for `put`. */
  value?: string;
  deviceLastModified?: Date;
}

/** Cognito Sync's documented limits, enforced by the store against the dataset's current state. */
export interface SyncLimits {
  datasetsPerOwner: number;
  recordsPerDataset: number;
  bytesPerDataset: number;
}

export const COGNITO_SYNC_LIMITS: SyncLimits = {
  datasetsPerOwner: 20,
  recordsPerDataset: 1024,
  bytesPerDataset: 1024 * 1024,
};

/** What a write came to. */
export type ChangeOutcome =
  | {
      kind: 'applied';
      dataset: DatasetSummary;
      /** The records the write changed, when the store's answer has them already. */
      records?: SyncRecord[];
    }
  /** `syncCount` was not the dataset's: the records changed since it, to merge and retry. */
  | { kind: 'conflict'; dataset: DatasetSummary; records: SyncRecord[] }
  /** The write would break a limit; nothing was written. */
  | { kind: 'limit'; limit: 'datasets' | 'records' | 'bytes' }
  /** The owner's account was deleted while the write was under way; nothing stays. */
  | { kind: 'owner-deleted' };

export abstract class SyncStorePort {
  /**
   * What `owner` is: the user's `sub` (`user`), or the identity-pool identity id of the user
   * (`identity`: Cognito Sync keeps datasets per identity).
   */
  abstract readonly ownedBy: 'user' | 'identity';
  /** The owner's datasets, by name. */
  abstract listDatasets(owner: string): Promise<DatasetSummary[]>;
  /** The dataset and its records changed after `sinceSyncCount` (tombstones included). */
  abstract readDataset(
    owner: string,
    name: string,
    sinceSyncCount: number,
  ): Promise<{ dataset: DatasetSummary; records: SyncRecord[] } | undefined>;
  /**
   * Applies `changes` at once if `expectedSyncCount` is the dataset's current one (0: a dataset
   * that does not exist yet), as one new sync count; of two writers with the same count exactly
   * one wins, on one instance or many (the store's conditional writes, no lock in the app).
   */
  abstract applyChanges(
    owner: string,
    name: string,
    expectedSyncCount: number,
    changes: readonly RecordChange[],
    limits: SyncLimits,
  ): Promise<ChangeOutcome>;
  /** Deletes the dataset and its records; false when there was none. */
  abstract deleteDataset(owner: string, name: string): Promise<boolean>;
  /** Deletes every dataset of the owner (the account was deleted). */
  abstract deleteAll(owner: string): Promise<void>;
}
