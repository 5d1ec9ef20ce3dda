import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { SyncStorePort } from '../src/cognito/sync-store.port';
import { embeddedAccount } from './support/embedded-accounts';
import { release } from './support/teardown';
import { embeddedEnv, STRONG_PASSWORD, startTestApp, withEnv } from './support/test-app';

/**
 * User data sync on the embedded store (dynalite, started by the app in its data folder): two
 * devices of one user, conflicts, limits, another user, a restart, an account deletion.
 */
interface Dataset {
  name: string;
  syncCount: number;
  records: { key: string; value?: string; syncCount: number; deleted: boolean }[];
}

describe('User data sync (e2e, embedded store)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-'));
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  async function start(): Promise<void> {
    app = await withEnv(embeddedEnv(dataDir), () => startTestApp());
  }

  beforeAll(() => start(), 60000);
  afterAll(() => release(app));

  const signedIn = () => embeddedAccount(app, dataDir, 'sync');

  const patch = (auth: Record<string, string>, name: string, body: object) =>
    http().patch(`/sync/datasets/${name}`).set(auth).send(body);
  const pull = (auth: Record<string, string>, name: string, since = 0) =>
    http().get(`/sync/datasets/${name}`).set(auth).query({ sinceSyncCount: since });
  const records = (answer: Response) =>
    (answer.body as Dataset).records.map((r) => [r.key, r.value ?? null, r.syncCount, r.deleted]);

  it('two devices: create, incremental pull, conflict with the records to merge, retry, delete', async () => {
    const { auth } = await signedIn();
    // Device A creates the dataset.
    const created = await patch(auth, 'settings', {
      syncCount: 0,
      changes: [
        { op: 'put', key: 'theme', value: 'dark', deviceLastModified: '2026-11-30T09:00:00.000Z' },
        { op: 'put', key: 'lang', value: 'en' },
      ],
    });
    expect(created.status).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body.syncCount).toBe(1);
    // Device B pulls everything, then both write with count 1: exactly one wins.
    expect(records(await pull(auth, 'settings'))).toEqual([
      ['lang', 'en', 1, false],
      ['theme', 'dark', 1, false],
    ]);
    const a = await patch(auth, 'settings', {
      syncCount: 1,
      changes: [{ op: 'put', key: 'theme', value: 'light' }],
    });
    const b = await patch(auth, 'settings', {
      syncCount: 1,
      changes: [{ op: 'remove', key: 'lang' }],
    });
    expect(a.status).toBe(200);
    expect([b.status, b.body.error]).toEqual([409, 'SYNC_CONFLICT']);
    expect(b.body.conflict.syncCount).toBe(2);
    expect(b.body.conflict.records).toEqual([
      expect.objectContaining({ key: 'theme', value: 'light', syncCount: 2, deleted: false }),
    ]);
    // B merges and retries with the count the conflict named.
    const retried = await patch(auth, 'settings', {
      syncCount: 2,
      changes: [{ op: 'remove', key: 'lang' }],
    });
    expect(retried.status).toBe(200);
    expect(records(retried)).toEqual([['lang', null, 3, true]]);
    // A pulls only what it missed: the tombstone.
    expect(records(await pull(auth, 'settings', 2))).toEqual([['lang', null, 3, true]]);
    const list = await http().get('/sync/datasets').set(auth);
    expect(list.body).toEqual([
      expect.objectContaining({
        name: 'settings',
        syncCount: 3,
        recordCount: 1,
        sizeBytes: 'theme'.length + 'light'.length,
      }),
    ]);
    expect((await http().delete('/sync/datasets/settings').set(auth)).status).toBe(204);
    expect((await pull(auth, 'settings')).body.error).toBe('DATASET_NOT_FOUND');
    expect((await http().delete('/sync/datasets/settings').set(auth)).status).toBe(404);
  });

  it('50 parallel writes with the same syncCount: exactly one succeeds', async () => {
    const { auth } = await signedIn();
    await patch(auth, 'race', { syncCount: 0, changes: [{ op: 'put', key: 'k', value: '0' }] });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        patch(auth, 'race', { syncCount: 1, changes: [{ op: 'put', key: 'k', value: String(i) }] }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(49);
    const winner = answers.find((answer) => answer.status === 200);
    expect((await pull(auth, 'race')).body).toMatchObject({
      syncCount: 2,
      records: [{ key: 'k', value: winner?.body.records[0].value }],
    });
  }, 30000);

  it('enforces the limits with the one error body: names, counts, sizes', async () => {
    const { auth } = await signedIn();
    const badName = await pull(auth, 'no/slash');
    expect(badName.status).toBe(404);
    const bad = await patch(auth, 'bad name!', {
      syncCount: 0,
      changes: [{ op: 'put', key: 'k', value: 'v' }],
    });
    expect([bad.status, bad.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    for (const body of [
      { syncCount: -1, changes: [{ op: 'put', key: 'k', value: 'v' }] },
      { syncCount: 0, changes: [] },
      { syncCount: 0, changes: [{ op: 'put', key: '', value: 'v' }] },
      { syncCount: 0, changes: [{ op: 'put', key: 'k' }] },
      { syncCount: 0, changes: [{ op: 'remove', key: 'k', value: 'v' }] },
      { syncCount: 0, changes: [{ op: 'replace', key: 'k', value: 'v' }] },
      { syncCount: 0, changes: [{ op: 'put', key: 'x'.repeat(1025), value: 'v' }] },
      {
        syncCount: 0,
        changes: Array.from({ length: 101 }, (_, i) => ({ op: 'put', key: `k${i}`, value: 'v' })),
      },
    ]) {
      const refused = await patch(auth, 'limits', body);
      expect([refused.status, refused.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    }
    // 1024 records per dataset.
    let count = 0;
    for (let batch = 0; batch < 11; batch++) {
      const changes = Array.from({ length: batch < 10 ? 100 : 24 }, (_, i) => ({
        op: 'put',
        key: `r${batch}-${i}`,
        value: 'v',
      }));
      const answer = await patch(auth, 'many', { syncCount: count, changes });
      expect(answer.status).toBe(200);
      count = answer.body.syncCount as number;
    }
    const tooMany = await patch(auth, 'many', {
      syncCount: count,
      changes: [{ op: 'put', key: 'one-more', value: 'v' }],
    });
    expect([tooMany.status, tooMany.body.error]).toEqual([400, 'SYNC_TOO_MANY_RECORDS']);
    // 1 MB per dataset, 90 kB at a time.
    count = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 12 && !refused; i++) {
      const answer = await patch(auth, 'big', {
        syncCount: count,
        changes: [{ op: 'put', key: `chunk${i}`, value: 'x'.repeat(90 * 1024) }],
      });
      if (answer.status === 200) count = answer.body.syncCount as number;
      else refused = answer;
    }
    expect([refused?.status, refused?.body.error]).toEqual([413, 'SYNC_DATASET_TOO_LARGE']);
    // 20 datasets per user.
    // 'many' and 'big' exist: 18 more make 20.
    for (let i = 0; i < 18; i++) {
      expect(
        (
          await patch(auth, `d${i}`, {
            syncCount: 0,
            changes: [{ op: 'put', key: 'k', value: 'v' }],
          })
        ).status,
      ).toBe(200);
    }
    const twentyFirst = await patch(auth, 'one-too-many', {
      syncCount: 0,
      changes: [{ op: 'put', key: 'k', value: 'v' }],
    });
    expect([twentyFirst.status, twentyFirst.body.error]).toEqual([400, 'SYNC_TOO_MANY_DATASETS']);
  }, 60000);

  it('another user neither reads nor writes nor deletes my datasets; no token, no data', async () => {
    const me = await signedIn();
    const other = await signedIn();
    await patch(me.auth, 'private', {
      syncCount: 0,
      changes: [{ op: 'put', key: 'secret', value: 'mine' }],
    });
    expect((await pull(other.auth, 'private')).status).toBe(404);
    expect((await http().get('/sync/datasets').set(other.auth)).body).toEqual([]);
    // Their write creates their own dataset of that name, not a change to mine.
    expect(
      (
        await patch(other.auth, 'private', {
          syncCount: 0,
          changes: [{ op: 'put', key: 'secret', value: 'theirs' }],
        })
      ).status,
    ).toBe(200);
    expect((await http().delete('/sync/datasets/private').set(other.auth)).status).toBe(204);
    expect(records(await pull(me.auth, 'private'))).toEqual([['secret', 'mine', 1, false]]);
    expect((await http().get('/sync/datasets')).status).toBe(401);
  });

  it('keeps the data across a restart of the app; deleting the account deletes it', async () => {
    const { email, auth } = await signedIn();
    await patch(auth, 'kept', { syncCount: 0, changes: [{ op: 'put', key: 'k', value: 'v' }] });
    await release(app);
    await start();
    const login = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    const again = { authorization: `Bearer ${login.body.accessToken as string}` };
    expect(records(await pull(again, 'kept'))).toEqual([['k', 'v', 1, false]]);
    const sub = decomposeUnverifiedJwt(login.body.accessToken as string).payload.sub ?? '';
    const store = app.get(SyncStorePort);
    expect(await store.listDatasets(sub)).toHaveLength(1);
    const deleted = await http().delete('/account').set(again).send({ password: STRONG_PASSWORD });
    expect(deleted.status).toBe(204);
    expect(await store.listDatasets(sub)).toEqual([]);
    expect(await store.readDataset(sub, 'kept', 0)).toBeUndefined();
  }, 60000);
});
