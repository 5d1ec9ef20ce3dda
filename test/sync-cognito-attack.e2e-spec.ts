import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { SessionTermination } from '../src/guard';
import { IdentityService } from '../src/identity/identity.service';
import { browserSession, COOKIE, cookieValue } from './support/cookies';
import { startCognitoSyncServer, type CognitoSyncServer } from './support/cognito-sync-server';
import {
  createMotoIdentitySetup,
  motoAppEnv,
  type MotoIdentitySetup,
} from './support/moto-identity';
import { startMoto, type MotoServer } from './support/moto-server';
import { LogCapture, rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import { STRONG_PASSWORD, startTestApp, uniqueEmail, withEnv } from './support/test-app';

const REGION = 'eu-west-1';

type Operation =
  'ListDatasets' | 'DescribeDataset' | 'ListRecords' | 'UpdateRecords' | 'DeleteDataset';

/** Which Cognito Sync operation a request of the REST-JSON protocol is. */
function operationOf(method: string, path: string): Operation {
  const [pathname] = path.split('?');
  if (pathname.endsWith('/records')) return 'ListRecords';
  if (pathname.endsWith('/datasets')) return 'ListDatasets';
  if (method === 'POST') return 'UpdateRecords';
  if (method === 'DELETE') return 'DeleteDataset';
  return 'DescribeDataset';
}

/** What the proxy does with the next request of one operation. */
type Trick =
  | { kind: 'fail'; name: string; status: number; times: number }
  | { kind: 'hold'; released: Promise<void>; arrived: () => void };

/**
 * A proxy in front of the tests' Cognito Sync server that can fail, or hold until released, the
 * next request of one operation: a failure in the middle of a write, a slow answer, a race.
 */
class SyncProxy {
  readonly server: Server;
  private readonly tricks = new Map<Operation, Trick>();

  constructor(private readonly target: string) {
    this.server = createServer((incoming, outgoing) => {
      const operation = operationOf(incoming.method ?? 'GET', incoming.url ?? '/');
      const trick = this.tricks.get(operation);
      if (trick?.kind === 'fail' && trick.times > 1) trick.times -= 1;
      else this.tricks.delete(operation);
      const forward = () => {
        const upstream = httpRequest(
          `${this.target}${incoming.url}`,
          { method: incoming.method, headers: incoming.headers },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        upstream.on('error', () => outgoing.destroy());
        incoming.pipe(upstream);
      };
      if (trick?.kind === 'fail') {
        incoming.resume();
        outgoing.writeHead(trick.status, {
          'content-type': 'application/json',
          'x-amzn-errortype': `${trick.name}:`,
        });
        outgoing.end(JSON.stringify({ message: `injected ${trick.name}` }));
        return;
      }
      if (trick?.kind === 'hold') {
        trick.arrived();
        void trick.released.then(forward);
        return;
      }
      forward();
    });
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** Fails the next `times` requests of `operation` (the SDK retries a server error twice). */
  failNext(operation: Operation, name: string, status: number, times = 3): void {
    this.tricks.set(operation, { kind: 'fail', name, status, times });
  }

  /** Holds the next request of `operation`: resolves `arrived` when it comes, forwards on release. */
  holdNext(operation: Operation): { arrived: Promise<void>; release: () => void } {
    let release!: () => void;
    let arrived!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const came = new Promise<void>((resolve) => (arrived = resolve));
    this.tricks.set(operation, { kind: 'hold', released, arrived });
    return { arrived: came, release };
  }

  clear(): void {
    this.tricks.clear();
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Session {
  accessToken: string;
  idToken: string;
  sub: string;
  login: Response;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/**
 * An attacker against SYNC_BACKEND=cognito-sync, black-box: a stolen access or ID token, another
 * user's, header tricks, odd input, Cognito Sync failing or slow in the middle of a write, and
 * account deletion across a restart. What holds is kept here; the user pool and identity pool are
 * moto's, Cognito Sync the tests' own server behind a proxy that can fail or hold one call.
 */
describe('User data sync on Cognito Sync, attacked (e2e)', () => {
  let moto: MotoServer;
  let setup: MotoIdentitySetup;
  let sync: CognitoSyncServer;
  let proxy: SyncProxy;
  let app: NestFastifyApplication;
  let stateDir: string;
  const logs = new LogCapture();
  const secrets: string[] = [];
  const alice = { email: uniqueEmail('sync-atk-alice'), password: STRONG_PASSWORD };
  const bob = { email: uniqueEmail('sync-atk-bob'), password: STRONG_PASSWORD };

  const http = () => request(app.getHttpServer());

  function start(): Promise<NestFastifyApplication> {
    return withEnv(
      {
        ...motoAppEnv(moto.endpoint, setup, REGION),
        SYNC_BACKEND: 'cognito-sync',
        COGNITO_SYNC_ENDPOINT: proxy.endpoint,
        COGNITO_REQUEST_TIMEOUT_MS: '1000',
        STATE_DIR: stateDir,
      },
      () => startTestApp(undefined, logs),
    );
  }

  async function signIn(user: { email: string; password: string }): Promise<Session> {
    const login = await http().post('/auth/login').send(user);
    expect([login.status, login.body.error]).toEqual([200, undefined]);
    const { accessToken, idToken, refreshToken } = login.body as Record<string, string>;
    rememberSecret(refreshToken, 'refresh token');
    rememberSecret(idToken, 'id token');
    secrets.push(accessToken, idToken, refreshToken);
    return { accessToken, idToken, sub: String(claimsOf(accessToken).sub), login };
  }

  const bearer = (session: Session, idToken: string | null = session.idToken) => ({
    authorization: `Bearer ${session.accessToken}`,
    ...(idToken ? { 'x-id-token': idToken } : {}),
  });

  const put = (key: string, value: string, syncCount = 0) => ({
    syncCount,
    changes: [{ op: 'put', key, value }],
  });

  async function identityOf(session: Session): Promise<string> {
    const identityId = await app.get(IdentityService).knownIdentityId(session.sub);
    if (!identityId) throw new Error('no identity known');
    return identityId;
  }

  /** The one error body, with no word of AWS in it. */
  function expectCleanError(response: Response, status: number): void {
    expect(response.status).toBe(status);
    expect(Object.keys(response.body as object).sort()).toEqual(
      expect.arrayContaining(['error', 'message', 'requestId', 'statusCode']),
    );
    expect(JSON.stringify(response.body)).not.toMatch(/Exception|injected|amzn|aws/i);
  }

  async function newUser(label: string): Promise<Session> {
    const user = { email: uniqueEmail(label), password: STRONG_PASSWORD };
    await setup.createUser(user.email, user.password);
    return signIn(user);
  }

  let me: Session;
  let other: Session;

  beforeAll(async () => {
    moto = await startMoto();
    setup = await createMotoIdentitySetup(moto.endpoint, REGION);
    sync = await startCognitoSyncServer();
    proxy = new SyncProxy(sync.endpoint);
    await proxy.listen();
    for (const user of [alice, bob]) await setup.createUser(user.email, user.password);
    rememberSecret(STRONG_PASSWORD, 'password');
    stateDir = mkdtempSync(join(tmpdir(), 'sync-cognito-attack-'));
    app = await start();
    me = await signIn(alice);
    other = await signIn(bob);
    await http().patch('/sync/datasets/private').set(bearer(me)).send(put('secret', 'mine'));
    await http().get('/sync/datasets').set(bearer(other)).expect(200);
  }, 60000);
  afterEach(() => proxy.clear());
  afterAll(() => release(app, proxy, setup, sync, moto));

  it('header tricks with another user’s ID token never reach their datasets', async () => {
    const attempts: Record<string, string | string[]>[] = [
      // Two X-Id-Token headers (Node joins them into one value), in both orders.
      { authorization: `Bearer ${other.accessToken}`, 'x-id-token': [other.idToken, me.idToken] },
      { authorization: `Bearer ${other.accessToken}`, 'x-id-token': [me.idToken, other.idToken] },
      // The victim's ID token with the attacker's access token, as a header and as a cookie.
      { authorization: `Bearer ${other.accessToken}`, 'x-id-token': me.idToken },
      {
        authorization: `Bearer ${other.accessToken}`,
        'x-id-token': '',
        cookie: cookieValue(me.login, COOKIE.idToken),
      },
      // The victim's cookies, with the attacker's bearer token in front.
      {
        authorization: `Bearer ${other.accessToken}`,
        cookie: [cookieValue(me.login, COOKIE.access), cookieValue(me.login, COOKIE.idToken)].join(
          '; ',
        ),
      },
      // The attacker's access cookie with the victim's ID token cookie.
      {
        cookie: [
          cookieValue(other.login, COOKIE.access),
          cookieValue(me.login, COOKIE.idToken),
        ].join('; '),
      },
      // Decorated values.
      { authorization: `Bearer ${other.accessToken}`, 'x-id-token': `Bearer ${me.idToken}` },
      { authorization: `Bearer ${other.accessToken}`, 'x-id-token': `${me.idToken}.` },
    ];
    for (const headers of attempts) {
      const read = await http().get('/sync/datasets/private').set(headers);
      expect([read.status, read.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
    }
    // The victim's dataset is untouched, and only theirs.
    const mine = await http().get('/sync/datasets/private').set(bearer(me));
    expect(mine.body).toMatchObject({ syncCount: 1, records: [{ key: 'secret', value: 'mine' }] });
    expect((await http().get('/sync/datasets').set(bearer(other))).body).toEqual([]);
  });

  it('an ID token with no access token, or an access token as the ID token, is refused', async () => {
    const alone = await http().get('/sync/datasets').set('x-id-token', me.idToken);
    expect(alone.status).toBe(401);
    // An ID token in the Authorization header is not an access token.
    const asAccess = await http()
      .get('/sync/datasets')
      .set({ authorization: `Bearer ${me.idToken}`, 'x-id-token': me.idToken });
    expect(asAccess.status).toBe(401);
    // An empty header with no cookie asks for the token; a huge one is refused before the app.
    const empty = await http().get('/sync/datasets').set(bearer(me, null)).set('x-id-token', '');
    expect([empty.status, empty.body.error]).toEqual([401, 'ID_TOKEN_REQUIRED']);
    const huge = await http()
      .get('/sync/datasets')
      .set(bearer(me, `${me.idToken}${'A'.repeat(64 * 1024)}`));
    expect(huge.status).toBe(431);
    const long = await http()
      .get('/sync/datasets')
      .set(bearer(me, `${me.idToken}${'A'.repeat(8 * 1024)}`));
    expect([long.status, long.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
  });

  it('ending a user’s sessions (as a password change does) ends every sign-in’s ID token too', async () => {
    const victim = await newUser('sync-atk-pw');
    const second = await signIn({
      email: String(claimsOf(victim.idToken).email),
      password: STRONG_PASSWORD,
    });
    await http().get('/sync/datasets').set(bearer(victim)).expect(200);
    // Same user, another sign-in's ID token: same identity, so nothing another user owns.
    const crossed = await http().get('/sync/datasets').set(bearer(second, victim.idToken));
    expect([200, 401]).toContain(crossed.status);
    await app.get(SessionTermination).endSessions(victim.sub);
    for (const session of [victim, second]) {
      const after = await http().get('/sync/datasets').set(bearer(session));
      expect(after.status).toBe(401);
    }
    const third = await signIn({
      email: String(claimsOf(victim.idToken).email),
      password: STRONG_PASSWORD,
    });
    // A stolen ID token from before the cutoff, with a fresh access token.
    const stale = await http().get('/sync/datasets').set(bearer(third, victim.idToken));
    expect([stale.status, stale.body.error]).toEqual([401, 'ID_TOKEN_INVALID']);
    await http().get('/sync/datasets').set(bearer(third)).expect(200);
  });

  it('odd dataset names, counts and bodies are 4xx, never 500', async () => {
    const names = ['a%2Fb', 'a%00', 'x'.repeat(129), '%C3%A9', 'a%20b'];
    for (const name of names) {
      const read = await http().get(`/sync/datasets/${name}`).set(bearer(me));
      expect([400, 404]).toContain(read.status);
      const write = await http()
        .patch(`/sync/datasets/${name}`)
        .set(bearer(me))
        .send(put('k', 'v'));
      expect([400, 404]).toContain(write.status);
      const removed = await http().delete(`/sync/datasets/${name}`).set(bearer(me));
      expect([400, 404]).toContain(removed.status);
    }
    const queries = [
      'sinceSyncCount=-1',
      'sinceSyncCount=1e400',
      'sinceSyncCount=9007199254740992',
    ];
    for (const query of queries) {
      const read = await http().get(`/sync/datasets/private?${query}`).set(bearer(me));
      expectCleanError(read, 400);
    }
    const top = await http()
      .get('/sync/datasets/private?sinceSyncCount=9007199254740991')
      .set(bearer(me));
    expect([top.status, top.body.records]).toEqual([200, []]);
    const bodies: unknown[] = [
      [],
      { syncCount: 9007199254740992, changes: [{ op: 'put', key: 'k', value: 'v' }] },
      { syncCount: 1, changes: [{ op: 'put', key: 'k', value: { toString: 'x' } }] },
      { syncCount: 1, changes: [{ op: 'put', key: 'k'.repeat(1025), value: 'v' }] },
      { syncCount: 1, changes: [{ op: 'remove', key: 'secret', value: 'x' }] },
      { syncCount: 1, changes: [{ op: 'put', key: '\ud800', value: 'v' }] },
      { syncCount: 1, changes: [{ op: 'replace', key: 'k', value: 'v' }] },
      { syncCount: 1, changes: [{ op: 'put', key: 'k', value: 'v', deviceLastModified: 'soon' }] },
      { syncCount: '1', changes: [{ op: 'put', key: 'k', value: 'v' }] },
    ];
    for (const body of bodies) {
      const write = await http()
        .patch('/sync/datasets/private')
        .set(bearer(me))
        .send(body as object);
      expectCleanError(write, 400);
    }
    // A count far ahead is a conflict with the whole dataset, not an error.
    const ahead = await http()
      .patch('/sync/datasets/private')
      .set(bearer(me))
      .send(put('k', 'v', Number.MAX_SAFE_INTEGER));
    expect([ahead.status, ahead.body.error]).toEqual([409, 'SYNC_CONFLICT']);
    expect(ahead.body.conflict.records).toEqual([expect.objectContaining({ key: 'secret' })]);
    // A key of 1024 characters of 3 UTF-8 bytes each is within Cognito Sync's limits.
    const wide = await http()
      .patch('/sync/datasets/wide')
      .set(bearer(me))
      .send(put('€'.repeat(1024), '€'.repeat(1000)));
    expect(wide.status).toBe(200);
    await http().delete('/sync/datasets/wide').set(bearer(me)).expect(204);
    const notJson = await http()
      .patch('/sync/datasets/private')
      .set(bearer(me))
      .set('content-type', 'application/json')
      .send('{"syncCount":1,');
    expectCleanError(notJson, 400);
  });

  it('Cognito Sync refusing, throttling or failing is a clean error, whatever the operation', async () => {
    const cases: [string, number, number][] = [
      ['LambdaThrottledException', 429, 429],
      ['SomethingNewException', 400, 502],
      ['InvalidParameterException', 400, 400],
    ];
    for (const [name, upstream, expected] of cases) {
      sync.failWith(name, upstream);
      try {
        expectCleanError(await http().get('/sync/datasets').set(bearer(me)), expected);
        expectCleanError(
          await http()
            .patch('/sync/datasets/private')
            .set(bearer(me))
            .send(put('k', 'v', 1)),
          expected,
        );
        expectCleanError(await http().delete('/sync/datasets/x').set(bearer(me)), expected);
      } finally {
        sync.failWith(undefined);
      }
    }
    // The app's own set-up: a 500 without the AWS message (the log says what to check).
    sync.failWith('NotAuthorizedException');
    try {
      expectCleanError(await http().get('/sync/datasets').set(bearer(me)), 500);
    } finally {
      sync.failWith(undefined);
    }
  });

  it('a failure or a slow answer in the middle of a write changes nothing and is a clean error', async () => {
    const before = sync.datasets(setup.identityPoolId, await identityOf(me));
    proxy.failNext('UpdateRecords', 'InternalErrorException', 500);
    const failed = await http()
      .patch('/sync/datasets/private')
      .set(bearer(me))
      .send(put('k', 'v', 1));
    expectCleanError(failed, 503);
    proxy.failNext('UpdateRecords', 'ResourceConflictException', 409);
    const raced = await http()
      .patch('/sync/datasets/private')
      .set(bearer(me))
      .send(put('k', 'v', 1));
    expect([raced.status, raced.body.error]).toEqual([409, 'SYNC_CONFLICT']);
    proxy.failNext('UpdateRecords', 'LimitExceededException', 400);
    const limit = await http()
      .patch('/sync/datasets/private')
      .set(bearer(me))
      .send(put('k', 'v', 1));
    expect([limit.status, limit.body.error]).toEqual([400, 'SYNC_TOO_MANY_RECORDS']);
    // Cognito Sync never answering: the request timeout ends it.
    const held = proxy.holdNext('UpdateRecords');
    const started = Date.now();
    const slow = await http()
      .patch('/sync/datasets/private')
      .set(bearer(me))
      .send(put('k', 'v', 1));
    expect(Date.now() - started).toBeLessThan(5000);
    expect([503, 504]).toContain(slow.status);
    expectCleanError(slow, slow.status);
    held.release();
    // The held write may land late (as a retry of the network would); nothing else changed.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = sync.datasets(setup.identityPoolId, await identityOf(me));
    expect(after.map((d) => d.name)).toEqual(before.map((d) => d.name));
    const { records } = (await http().get('/sync/datasets/private').set(bearer(me))).body as {
      records: { key: string }[];
    };
    expect(records.map((r) => r.key).filter((k) => k !== 'k')).toEqual(['secret']);
  });

  it('after a restart and a deletion, the identity is forgotten and a replayed session cannot sync', async () => {
    const victim = await newUser('sync-atk-del');
    await http().patch('/sync/datasets/kept').set(bearer(victim)).send(put('k', 'v')).expect(200);
    const identityId = await identityOf(victim);
    await release(app);
    app = await start();
    await app.get(SessionTermination).accountDeleted(victim.sub);
    expect(sync.datasets(setup.identityPoolId, identityId)).toEqual([]);
    // The deleted user's stolen tokens cannot bring the datasets (or the identity) back.
    const replay = await http()
      .patch('/sync/datasets/kept')
      .set(bearer(victim))
      .send(put('k', 'v'));
    expect(replay.status).toBe(401);
    expect(sync.datasets(setup.identityPoolId, identityId)).toEqual([]);
    await expect(app.get(IdentityService).knownIdentityId(victim.sub)).resolves.toBeUndefined();
    // And after another restart the file still says so.
    await release(app);
    app = await start();
    await expect(app.get(IdentityService).knownIdentityId(victim.sub)).resolves.toBeUndefined();
    await http().get('/sync/datasets/private').set(bearer(me)).expect(200);
  }, 30000);

  it('a cookie session’s ID token goes nowhere in the logs', async () => {
    const session = browserSession(me.login, [COOKIE.access, COOKIE.idToken]);
    await http().get('/sync/datasets').set({ cookie: session.cookie }).expect(200);
    sync.failWith('NotAuthorizedException');
    try {
      await http().get('/sync/datasets').set(bearer(me)).expect(500);
      await http().get('/sync/datasets').set(bearer(other, me.idToken)).expect(401);
    } finally {
      sync.failWith(undefined);
    }
    const text = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      // Not the signature either, which alone would not match the whole token.
      expect(text).not.toContain(secret.split('.')[2] ?? secret);
    }
  });

  it('a dataset named . or .. is a 400, not a 500', async () => {
    for (const name of ['%2E', '%2E%2E', '.', '..']) {
      for (const method of ['get', 'patch', 'delete'] as const) {
        const answer = await http()
          [method](`/sync/datasets/${name}`)
          .set(bearer(me))
          .send(put('k', 'v'));
        expect([name, method, answer.status]).toEqual([name, method, 400]);
      }
    }
  });

  it('a write in flight while the account is deleted leaves no dataset behind', async () => {
    const victim = await newUser('sync-atk-race');
    await http().get('/sync/datasets').set(bearer(victim)).expect(200);
    const identityId = await identityOf(victim);
    const held = proxy.holdNext('ListRecords');
    const write = http()
      .patch('/sync/datasets/late')
      .set(bearer(victim))
      .send(put('k', 'v'))
      .then((r) => r);
    await held.arrived;
    await app.get(SessionTermination).accountDeleted(victim.sub);
    held.release();
    const answer = await write;
    expect(answer.status).not.toBe(200);
    expect(sync.datasets(setup.identityPoolId, identityId)).toEqual([]);
  });

  it('datasets of an account deleted while Cognito Sync failed are deleted at the next start', async () => {
    const victim = await newUser('sync-atk-fail');
    await http().patch('/sync/datasets/kept').set(bearer(victim)).send(put('k', 'v')).expect(200);
    const identityId = await identityOf(victim);
    sync.failWith('InternalErrorException');
    try {
      await app.get(SessionTermination).accountDeleted(victim.sub);
    } finally {
      sync.failWith(undefined);
    }
    expect(sync.datasets(setup.identityPoolId, identityId)).toHaveLength(1);
    await release(app);
    app = await start();
    // Finished in the background after start.
    for (
      let tries = 0;
      tries < 50 && sync.datasets(setup.identityPoolId, identityId).length > 0;
      tries += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sync.datasets(setup.identityPoolId, identityId)).toEqual([]);
  }, 30000);

  it('getting AWS credentials keeps the identity the datasets are under', async () => {
    const victim = await newUser('sync-atk-creds');
    await http().patch('/sync/datasets/kept').set(bearer(victim)).send(put('k', 'v')).expect(200);
    const identityId = await identityOf(victim);
    const creds = await http()
      .post('/auth/aws-credentials')
      .set(bearer(victim, null))
      .send({ idToken: victim.idToken });
    expect(creds.status).toBe(200);
    expect(await identityOf(victim)).toBe(identityId);
    const listed = await http().get('/sync/datasets').set(bearer(victim));
    expect(listed.body).toEqual([expect.objectContaining({ name: 'kept' })]);
  });
});
