import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { CognitoConnection } from '../src/cognito/cognito-connection';
import { SyncStorePort } from '../src/cognito/sync-store.port';
import { embeddedAccount } from './support/embedded-accounts';
import { release } from './support/teardown';
import { embeddedEnv, STRONG_PASSWORD, startTestApp, withEnv } from './support/test-app';

/**
 * User data sync under concurrent requests and at its documented edges, on the embedded store:
 * parallel creates against the dataset limit, a DELETE racing reads and writes of the same
 * dataset, the longest documented key, and the embedded DynamoDB's own HTTP port.
 */
interface Dataset {
  name: string;
  syncCount: number;
  records: { key: string; value?: string; syncCount: number; deleted: boolean }[];
}

describe('User data sync races and edges (e2e, embedded store)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-races-'));
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await withEnv(embeddedEnv(dataDir), () => startTestApp());
  }, 60000);
  afterAll(() => release(app));

  const signedIn = async () => (await embeddedAccount(app, dataDir, 'sync-race')).auth;

  const patch = (auth: Record<string, string>, name: string, body: object) =>
    http().patch(`/sync/datasets/${name}`).set(auth).send(body);
  const pull = (auth: Record<string, string>, name: string) =>
    http().get(`/sync/datasets/${name}`).set(auth);
  const put = (key: string, value = 'v') => ({ op: 'put', key, value });
  const later = <T>(ms: number, call: () => PromiseLike<T>): Promise<T> =>
    new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => call());

  /** A dataset at syncCount 3, one record per write (`<prefix>0` .. `<prefix>2`). */
  async function threeWrites(auth: Record<string, string>, name: string, prefix: string) {
    for (let count = 0; count < 3; count += 1) {
      expect(
        (await patch(auth, name, { syncCount: count, changes: [put(`${prefix}${count}`)] })).status,
      ).toBe(200);
    }
  }

  it('parallel creates of new datasets cannot take a user past 20 datasets', async () => {
    const auth = await signedIn();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        patch(auth, `parallel-${i}`, { syncCount: 0, changes: [put('k')] }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(20);
    const refused = answers.filter((answer) => answer.status !== 200);
    for (const answer of refused) expect(answer.body.error).toBe('SYNC_TOO_MANY_DATASETS');
    const list = await http().get('/sync/datasets').set(auth);
    expect((list.body as unknown[]).length).toBeLessThanOrEqual(20);
  }, 60000);

  it('a DELETE answered 204 stays deleted when a device reads the dataset meanwhile', async () => {
    const auth = await signedIn();
    const back: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      const name = `deleted-${round}`;
      await threeWrites(auth, name, 'secret');
      const [deleted] = await Promise.all([
        http().delete(`/sync/datasets/${name}`).set(auth),
        ...[0, 2, 4].map((ms) => later(ms, () => pull(auth, name))),
      ]);
      expect(deleted.status).toBe(204);
      const after = await pull(auth, name);
      if (after.status !== 404) back.push(`${name}: ${after.status} ${JSON.stringify(after.body)}`);
    }
    // Each entry: a dataset that came back (with deleted records) after its DELETE answered 204.
    expect(back).toEqual([]);
  }, 90000);

  it('a write in flight when a dataset is deleted never shows up in a new dataset of that name', async () => {
    const auth = await signedIn();
    const leaks: string[] = [];
    let checked = 0;
    for (let round = 0; round < 25; round += 1) {
      const name = `reborn-${round}`;
      await threeWrites(auth, name, 'old');
      // Another device writes at the count it had while the user deletes the dataset, the
      // DELETE a few ms behind it (varied, to land in the write's steps).
      await Promise.all([
        patch(auth, name, {
          syncCount: 3,
          changes: Array.from({ length: 20 }, (_, i) => put(`late${i}`)),
        }),
        later((round % 6) * 2, () => http().delete(`/sync/datasets/${name}`).set(auth)),
      ]);
      // A dataset back after the DELETE is the previous test's failure: here, only a dataset
      // that reads as deleted, started again at count 0 by its user.
      if ((await pull(auth, name)).status !== 404) continue;
      checked += 1;
      const created: Response = await patch(auth, name, { syncCount: 0, changes: [put('new0')] });
      let count = (created.body as Dataset).syncCount;
      for (let i = 1; i < 5 && created.status === 200; i += 1) {
        const next = await patch(auth, name, { syncCount: count, changes: [put(`new${i}`)] });
        count = (next.body as Dataset).syncCount ?? count;
      }
      const records = (await pull(auth, name)).body as Dataset;
      const stale = (records.records ?? []).filter((r) => !r.key.startsWith('new'));
      if (created.status !== 200 || stale.length > 0) {
        leaks.push(
          `${name}: recreate ${created.status}, stale keys ${stale.map((r) => r.key).join(',')}`,
        );
      }
      await http().delete(`/sync/datasets/${name}`).set(auth);
    }
    expect(checked).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  }, 120000);

  it('deleting the account deletes the datasets its devices were writing meanwhile', async () => {
    const auth = await signedIn();
    const token = auth.authorization.slice('Bearer '.length);
    const sub = (
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
        sub: string;
      }
    ).sub;
    expect((await patch(auth, 'first', { syncCount: 0, changes: [put('k')] })).status).toBe(200);
    // A device keeps syncing while the user deletes the account on another one.
    const writes = Array.from({ length: 40 }, (_, i) =>
      later(i * 8, () =>
        patch(auth, `meanwhile-${i % 15}`, {
          syncCount: 0,
          changes: Array.from({ length: 100 }, (_, j) => put(`k${j}`, 'private')),
        }),
      ),
    );
    const deleted = await http().delete('/account').set(auth).send({ password: STRONG_PASSWORD });
    expect(deleted.status).toBe(204);
    const answers = await Promise.all(writes);
    const accepted = answers.filter((answer) => answer.status === 200).length;
    // Every write the app accepted (and any other) is gone with the account.
    const left = (await app.get(SyncStorePort).listDatasets(sub)).map((d) => d.name);
    expect({ accepted, left }).toEqual({ accepted, left: [] });
  }, 60000);

  it('takes a key of 1024 characters, the documented longest', async () => {
    const auth = await signedIn();
    const key = 'k'.repeat(1024);
    const written = await patch(auth, 'long-key', { syncCount: 0, changes: [put(key)] });
    expect({ status: written.status, error: written.body.error as unknown }).toEqual({
      status: 200,
      error: undefined,
    });
    expect((await pull(auth, 'long-key')).body.records[0].key).toBe(key);
  });

  it('keys that are not well-formed Unicode neither merge into one record nor skew the totals', async () => {
    const auth = await signedIn();
    const accepted: string[] = [];
    let count = 0;
    // Two lone surrogates and the replacement character: three different keys in JSON.
    for (const key of ['\ud800', '\udbff', '\ufffd']) {
      const answer = await patch(auth, 'unicode', { syncCount: count, changes: [put(key)] });
      if (answer.status === 200) {
        accepted.push(key);
        count = (answer.body as Dataset).syncCount;
      } else {
        expect(answer.body.error).toBe('VALIDATION_FAILED');
      }
    }
    const records = count > 0 ? ((await pull(auth, 'unicode')).body as Dataset).records : [];
    const summary = (
      (await http().get('/sync/datasets').set(auth)).body as {
        name: string;
        recordCount: number;
      }[]
    ).find((d) => d.name === 'unicode');
    expect({
      keys: records.map((r) => r.key).sort(),
      recordCount: summary?.recordCount ?? 0,
    }).toEqual({ keys: [...accepted].sort(), recordCount: accepted.length });
  });

  it('the embedded DynamoDB answers no page of another site (CORS) nor another Host (DNS rebinding)', async () => {
    const endpoint = app.get(CognitoConnection).syncTable?.endpoint;
    expect(endpoint).toBeDefined();
    const url = new URL(endpoint as string);
    const listTables = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
        const call = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: '/',
            method: 'POST',
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': 'DynamoDB_20120810.ListTables',
              'x-amz-date': '20260101T000000Z',
              authorization:
                'AWS4-HMAC-SHA256 Credential=any/20260101/us-east-1/dynamodb/aws4_request, ' +
                'SignedHeaders=host, Signature=0',
              ...headers,
            },
          },
          (answer) => {
            answer.resume();
            answer.on('end', () =>
              resolve({ status: answer.statusCode ?? 0, headers: answer.headers }),
            );
          },
        );
        call.on('error', reject);
        call.end('{}');
      });
    // A page of any site, in the developer's browser, may read and write every user's records.
    const fromPage = await listTables({ origin: 'http://attacker.example' });
    expect(fromPage.headers['access-control-allow-origin']).toBeUndefined();
    // A site renamed to 127.0.0.1 (DNS rebinding) sends its own name.
    const rebound = await listTables({ host: `attacker.example:${url.port}` });
    expect(rebound.status).not.toBe(200);
  });
});
