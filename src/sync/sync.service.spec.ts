import { AppException } from '../common/errors/app.exception';
import type { SyncStorePort, ChangeOutcome } from '../cognito/sync-store.port';
import type { SessionTermination } from '../guard';
import { SyncService } from './sync.service';

const at = new Date('2026-11-30T09:00:00Z');
const dataset = { name: 'settings', syncCount: 4, recordCount: 1, sizeBytes: 10, lastModified: at };

describe(SyncService.name, () => {
  let outcome: ChangeOutcome;
  let store: Record<string, jest.Mock>;
  let onDeleted: ((sub: string) => Promise<void>) | undefined;
  let service: SyncService;

  beforeEach(() => {
    store = {
      applyChanges: jest.fn(() => Promise.resolve(outcome)),
      readDataset: jest.fn(() =>
        Promise.resolve({
          dataset,
          records: [
            { key: 'theme', value: 'dark', syncCount: 4, lastModified: at, deleted: false },
          ],
        }),
      ),
      deleteDataset: jest.fn(() => Promise.resolve(false)),
      deleteAll: jest.fn(() => Promise.resolve()),
    };
    const sessions = {
      onAccountDeleted: (listener: (sub: string) => Promise<void>) => (onDeleted = listener),
    };
    service = new SyncService(
      store as unknown as SyncStorePort,
      sessions as unknown as SessionTermination,
    );
    service.onModuleInit();
  });

  async function refusal(promise: Promise<unknown>): Promise<AppException> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(AppException);
      return error as AppException;
    }
    throw new Error('expected a refusal');
  }

  const write = () =>
    service.write('sub-1', 'settings', {
      syncCount: 3,
      changes: [{ op: 'put', key: 'theme', value: 'dark' }],
    });

  it.each([
    ['datasets', 400, 'SYNC_TOO_MANY_DATASETS'],
    ['records', 400, 'SYNC_TOO_MANY_RECORDS'],
    ['bytes', 413, 'SYNC_DATASET_TOO_LARGE'],
  ] as const)('a %s limit is %d %s', async (limit, status, code) => {
    outcome = { kind: 'limit', limit };
    const error = await refusal(write());
    expect([error.getStatus(), error.code]).toEqual([status, code]);
  });

  it('a conflict is 409 SYNC_CONFLICT carrying the dataset’s count and the records to merge', async () => {
    outcome = {
      kind: 'conflict',
      dataset,
      records: [{ key: 'theme', value: 'light', syncCount: 4, lastModified: at, deleted: false }],
    };
    const error = await refusal(write());
    expect([error.getStatus(), error.code]).toEqual([409, 'SYNC_CONFLICT']);
    expect(error.extra).toEqual({
      conflict: {
        name: 'settings',
        syncCount: 4,
        records: [
          {
            key: 'theme',
            value: 'light',
            syncCount: 4,
            lastModified: at.toISOString(),
            deleted: false,
          },
        ],
      },
    });
  });

  it('refuses a remove with a value before the store is asked', async () => {
    const error = await refusal(
      service.write('sub-1', 'settings', {
        syncCount: 0,
        changes: [{ op: 'remove', key: 'k', value: 'v' }],
      }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(store.applyChanges).not.toHaveBeenCalled();
  });

  it('answers a missing dataset with 404, and deletes a deleted account’s datasets', async () => {
    store.readDataset.mockResolvedValueOnce(undefined);
    expect((await refusal(service.read('sub-1', 'nope'))).code).toBe('DATASET_NOT_FOUND');
    expect((await refusal(service.remove('sub-1', 'nope'))).code).toBe('DATASET_NOT_FOUND');
    await onDeleted?.('sub-1');
    expect(store.deleteAll).toHaveBeenCalledWith('sub-1');
  });
});
