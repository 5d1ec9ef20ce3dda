import { Logger } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import type { SyncStorePort, ChangeOutcome } from '../cognito/sync-store.port';
import type { AuthUser, SessionTermination } from '../guard';
import type { IdentityService } from '../identity/identity.service';
import { SyncService } from './sync.service';

const at = new Date('2026-11-30T09:00:00Z');
const dataset = { name: 'settings', syncCount: 4, recordCount: 1, sizeBytes: 10, lastModified: at };

describe(SyncService.name, () => {
  let outcome: ChangeOutcome;
  let store: {
    ownedBy: 'user' | 'identity';
    applyChanges: jest.Mock;
    readDataset: jest.Mock;
    deleteDataset: jest.Mock;
    deleteAll: jest.Mock;
  };
  let identities: Record<string, jest.Mock>;
  let onDeleted: ((sub: string) => Promise<void>) | undefined;
  let service: SyncService;

  beforeEach(() => {
    store = {
      ownedBy: 'user',
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
    identities = {
      identityIdOf: jest.fn(() => Promise.resolve('eu-west-1:identity')),
      beginDeletion: jest.fn(() => Promise.resolve<string | undefined>('eu-west-1:identity')),
      endDeletion: jest.fn(() => Promise.resolve()),
      accountDeleted: jest.fn(() => Promise.resolve(false)),
      pendingDeletions: jest.fn(() =>
        Promise.resolve([{ sub: 'sub-2', identityId: 'eu-west-1:2' }]),
      ),
    };
    service = new SyncService(
      store as unknown as SyncStorePort,
      sessions as unknown as SessionTermination,
      identities as unknown as IdentityService,
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

  it('answers a write with the records the store’s answer carries, without reading again', async () => {
    const changed = { key: 'k', value: 'v', syncCount: 5, lastModified: at, deleted: false };
    outcome = { kind: 'applied', dataset: { ...dataset, syncCount: 5 }, records: [changed] };
    await expect(write()).resolves.toMatchObject({ syncCount: 5, records: [{ key: 'k' }] });
    expect(store.readDataset).not.toHaveBeenCalled();
  });

  describe('a store that keeps datasets per identity (Cognito Sync)', () => {
    const user = { sub: 'sub-1' } as AuthUser;

    beforeEach(() => {
      store.ownedBy = 'identity';
    });

    it('addresses the user’s identity, found from the session’s ID token', async () => {
      await expect(service.ownerOf(user, 'id-token')).resolves.toBe('eu-west-1:identity');
      expect(identities.identityIdOf).toHaveBeenCalledWith(
        user,
        'id-token',
        expect.stringContaining('X-Id-Token'),
      );
    });

    it('a deleted account: marked first, then the datasets of its identity go', async () => {
      await onDeleted?.('sub-1');
      expect(identities.beginDeletion).toHaveBeenCalledWith('sub-1');
      expect(store.deleteAll).toHaveBeenCalledWith('eu-west-1:identity');
      expect(identities.endDeletion).toHaveBeenCalledWith('sub-1');
      expect(identities.beginDeletion.mock.invocationCallOrder[0]).toBeLessThan(
        store.deleteAll.mock.invocationCallOrder[0],
      );
    });

    it('a deletion that failed stays pending and is finished at the next start', async () => {
      store.deleteAll.mockRejectedValueOnce(new Error('Cognito Sync is down'));
      await expect(onDeleted?.('sub-1')).rejects.toThrow('Cognito Sync is down');
      expect(identities.endDeletion).not.toHaveBeenCalled();
      service.onApplicationBootstrap();
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.deleteAll).toHaveBeenLastCalledWith('eu-west-1:2');
      expect(identities.endDeletion).toHaveBeenCalledWith('sub-2');
    });

    it('a write under way while its account was deleted: 401, and what it made is deleted', async () => {
      outcome = { kind: 'applied', dataset, records: [] };
      identities.accountDeleted.mockResolvedValueOnce(true);
      const error = await refusal(
        service.write('eu-west-1:identity', 'late', { syncCount: 0, changes: [] }, 'sub-1'),
      );
      expect([error.getStatus(), error.code]).toEqual([401, 'UNAUTHORIZED']);
      expect(identities.accountDeleted).toHaveBeenCalledWith('sub-1');
      expect(store.deleteAll).toHaveBeenCalledWith('eu-west-1:identity');
    });

    it('a deleted account whose identity was never seen: nothing to delete, and a warning', async () => {
      identities.beginDeletion.mockResolvedValueOnce(undefined);
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      await onDeleted?.('sub-1');
      expect(store.deleteAll).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('without a known identity'));
      warn.mockRestore();
    });
  });

  it('a store keyed by user: the owner is the sub, and no ID token is needed', async () => {
    await expect(service.ownerOf({ sub: 'sub-1' } as AuthUser, undefined)).resolves.toBe('sub-1');
    expect(identities.identityIdOf).not.toHaveBeenCalled();
  });
});
