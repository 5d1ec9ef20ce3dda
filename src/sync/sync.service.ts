import {
  HttpStatus,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { IdentityService } from '../identity/identity.service';
import { SessionTermination, type AuthUser } from '../guard';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import {
  COGNITO_SYNC_LIMITS,
  SyncStorePort,
  type DatasetSummary,
  type SyncRecord,
} from '../cognito/sync-store.port';
import type { DatasetDto, DatasetSummaryDto, PatchDatasetDto, RecordDto } from './dto/sync.dto';

function summaryDto(dataset: DatasetSummary): DatasetSummaryDto {
  return { ...dataset, lastModified: dataset.lastModified.toISOString() };
}

function recordDto(record: SyncRecord): RecordDto {
  return {
    key: record.key,
    ...(record.deleted ? {} : { value: record.value ?? '' }),
    syncCount: record.syncCount,
    lastModified: record.lastModified.toISOString(),
    ...(record.deviceLastModified
      ? { deviceLastModified: record.deviceLastModified.toISOString() }
      : {}),
    deleted: record.deleted,
  };
}

function datasetDto(dataset: DatasetSummary, records: SyncRecord[]): DatasetDto {
  const sorted = [...records].sort(
    (a, b) => a.syncCount - b.syncCount || a.key.localeCompare(b.key),
  );
  return { name: dataset.name, syncCount: dataset.syncCount, records: sorted.map(recordDto) };
}

const LIMIT_ERRORS = {
  datasets: [
    HttpStatus.BAD_REQUEST,
    ErrorCode.SYNC_TOO_MANY_DATASETS,
    `A user has at most ${COGNITO_SYNC_LIMITS.datasetsPerOwner} datasets. Delete one first.`,
  ],
  records: [
    HttpStatus.BAD_REQUEST,
    ErrorCode.SYNC_TOO_MANY_RECORDS,
    `A dataset holds at most ${COGNITO_SYNC_LIMITS.recordsPerDataset} records.`,
  ],
  bytes: [
    HttpStatus.PAYLOAD_TOO_LARGE,
    ErrorCode.SYNC_DATASET_TOO_LARGE,
    'A dataset holds at most 1 MB of keys and values.',
  ],
} as const;

/** A UTF-16 surrogate without its pair: in Unicode mode a pair reads as one code point. */
const LONE_SURROGATE = /\p{Cs}/u;

function notFound(): AppException {
  return new AppException(HttpStatus.NOT_FOUND, ErrorCode.DATASET_NOT_FOUND, 'No such dataset.');
}

/** Where a bearer client sends the ID token when datasets are kept per identity. */
export const ID_TOKEN_HEADER = 'x-id-token';

/**
 * User data sync: a signed-in user's datasets, addressed by their `sub` only (from the verified
 * access token), or with Cognito Sync by their identity-pool identity, found from the session's
 * own ID token (checked against the access token's user and sign-in): no request can reach
 * another user's data.
 */
@Injectable()
export class SyncService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Sync');

  constructor(
    private readonly store: SyncStorePort,
    private readonly sessions: SessionTermination,
    private readonly identities: IdentityService,
  ) {}

  onModuleInit(): void {
    // A deleted account's datasets go with it.
    this.sessions.onAccountDeleted((sub) => this.deleteAllOf(sub));
  }

  /** Whether requests need the session's ID token: datasets are kept per identity. */
  get needsIdToken(): boolean {
    return this.store.ownedBy === 'identity';
  }

  /** The store's owner of the signed-in `user`'s datasets (`idToken`: the session's). */
  async ownerOf(user: AuthUser, idToken: string | undefined): Promise<string> {
    if (this.store.ownedBy === 'user') return user.sub;
    return this.identities.identityIdOf(
      user,
      idToken,
      `in the X-Id-Token header (a cookie session sends its cookie)`,
    );
  }

  /**
   * Cognito Sync: deletions that did not finish (Cognito Sync failing at the time, a crash) are
   * tried again at start, in the background.
   */
  onApplicationBootstrap(): void {
    if (this.store.ownedBy === 'user') return;
    void this.finishDeletions();
  }

  private async deleteAllOf(sub: string): Promise<void> {
    if (this.store.ownedBy === 'user') return this.store.deleteAll(sub);
    // Marked first: a request still under way for this user sees it when it is done.
    const identityId = await this.identities.beginDeletion(sub);
    if (!identityId) {
      // The identity can only be found from an ID token, and a deleted user sends none again.
      this.logger.warn(
        `Account ${sub} was deleted without a known identity: any Cognito Sync datasets of it stay`,
      );
      return;
    }
    await this.store.deleteAll(identityId);
    await this.identities.endDeletion(sub);
  }

  private async finishDeletions(): Promise<void> {
    try {
      for (const { sub, identityId } of await this.identities.pendingDeletions()) {
        await this.store.deleteAll(identityId);
        await this.identities.endDeletion(sub);
        this.logger.log(`Finished deleting the Cognito Sync datasets of deleted account ${sub}`);
      }
    } catch (error) {
      this.logger.warn(
        `Deleted accounts' Cognito Sync datasets could not all be deleted (${(error as Error).message}): tried again at the next start`,
      );
    }
  }

  async list(owner: string): Promise<DatasetSummaryDto[]> {
    return (await this.store.listDatasets(owner)).map(summaryDto);
  }

  async read(owner: string, name: string, since = 0): Promise<DatasetDto> {
    const found = await this.store.readDataset(owner, name, since);
    if (!found) throw notFound();
    return datasetDto(found.dataset, found.records);
  }

  /** `sub`: the user's, when `owner` is their identity (Cognito Sync). */
  async write(owner: string, name: string, dto: PatchDatasetDto, sub = owner): Promise<DatasetDto> {
    // Text that is not well-formed UTF-16 (a lone surrogate) would be stored as U+FFFD: two
    // different keys would become one record.
    const malformed = dto.changes.findIndex(
      (c) => LONE_SURROGATE.test(c.key) || (c.value !== undefined && LONE_SURROGATE.test(c.value)),
    );
    if (malformed >= 0) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.VALIDATION_FAILED,
        'Keys and values must be well-formed Unicode text.',
        {
          details: [
            {
              field: `changes.${malformed}`,
              messages: ['key and value must be well-formed Unicode'],
            },
          ],
        },
      );
    }
    const removeWithValue = dto.changes.findIndex(
      (c) => c.op === 'remove' && c.value !== undefined,
    );
    if (removeWithValue >= 0) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.VALIDATION_FAILED,
        'A remove takes no value.',
        {
          details: [
            {
              field: `changes.${removeWithValue}.value`,
              messages: ['value must be left out of a remove'],
            },
          ],
        },
      );
    }
    const outcome = await this.store.applyChanges(
      owner,
      name,
      dto.syncCount,
      dto.changes.map((change) => ({
        op: change.op,
        key: change.key,
        value: change.value,
        deviceLastModified: change.deviceLastModified
          ? new Date(change.deviceLastModified)
          : undefined,
      })),
      COGNITO_SYNC_LIMITS,
    );
    if (outcome.kind === 'owner-deleted' || (await this.deletedMeanwhile(owner, sub))) {
      throw new AppException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.UNAUTHORIZED,
        'The account was deleted.',
      );
    }
    if (outcome.kind === 'limit') {
      const [status, code, message] = LIMIT_ERRORS[outcome.limit];
      throw new AppException(status, code, message);
    }
    if (outcome.kind === 'conflict') {
      throw new AppException(
        HttpStatus.CONFLICT,
        ErrorCode.SYNC_CONFLICT,
        `The dataset changed since syncCount ${dto.syncCount}: merge the records in conflict.records, then retry with conflict.syncCount.`,
        { extra: { conflict: datasetDto(outcome.dataset, outcome.records) } },
      );
    }
    // The records this write changed, at the dataset's new count.
    if (outcome.records) return datasetDto(outcome.dataset, outcome.records);
    return this.read(owner, name, outcome.dataset.syncCount - 1);
  }

  /**
   * Cognito Sync has no conditional write to refuse a deleted owner (the DynamoDB store's
   * `owner-deleted`): a write that was under way while its account was deleted finds the mark
   * afterwards, and deletes what it may have made, which the deletion's own sweep may have missed.
   */
  private async deletedMeanwhile(owner: string, sub: string): Promise<boolean> {
    if (this.store.ownedBy === 'user' || !(await this.identities.accountDeleted(sub))) return false;
    await this.store.deleteAll(owner);
    return true;
  }

  async remove(owner: string, name: string): Promise<void> {
    if (!(await this.store.deleteDataset(owner, name))) throw notFound();
  }
}
