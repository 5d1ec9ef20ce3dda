/**
 * `npm run bench`: the guarded hot path, the login flow and user data sync, each beside its
 * baseline in the same round. It starts everything it needs on 127.0.0.1 (a Cognito emulator, a
 * token issuer, the embedded DynamoDB (dynalite), the app, a bare node:http server, a bare login
 * forwarder), loads them with autocannon from this process for a bounded time, stops everything,
 * prints a table and writes bench-results/latest.json.
 *
 * Settings: BENCH_ROUNDS (default 7), BENCH_SECONDS per measurement (default 4),
 * BENCH_CONNECTIONS (default 50), BENCH_LOGINS (default 200), BENCH_SYNC_OPS (default 300).
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  cpuMicros,
  machine,
  rssMb,
  startLocalCognito,
  startProcess,
  stop,
  type Server,
  APP_NODE_FLAGS,
  confirmedAccount,
  passwordLogin,
  percentile,
} from './harness';
import { randomUUID } from 'node:crypto';
import { sessionCookieNames } from '../src/guard';
import { measureSync, startSyncStore } from './sync';
import { FORGE_KID, newRsaKey, signRs256 } from '../test/support/token-forge';

// Medians over several rounds leave out the shared machine's slow spells; runs of 2 s or more
// average out the app's full garbage collections, which shorter runs catch or miss at random.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 200);
const SYNC_OPS = Number(process.env.BENCH_SYNC_OPS ?? 300);
const TOKENS = 5000;
const PASSWORD = 'Bench-Passw0rd!';

interface Measured {
  rps: number;
  /** Server CPU microseconds per request. */
  cpuUs: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

const RUN_NAMES = ['bare', 'public', 'bearer', 'cookie', 'freshToken', 'invalidToken'] as const;
type Runs = Record<(typeof RUN_NAMES)[number], Measured>;

/** `bearerToPublicByCpu` is the same ratio from server CPU per request: public / guarded. */
const RATIO_NAMES = [
  'bearerToPublic',
  'bearerToBare',
  'freshToPublic',
  'invalidToFresh',
  'bearerToPublicByCpu',
] as const;

interface Round extends Runs {
  ratios: Record<(typeof RATIO_NAMES)[number], number>;
}

function average(a: Measured, b: Measured): Measured {
  return {
    rps: Math.round((a.rps + b.rps) / 2),
    cpuUs: (a.cpuUs + b.cpuUs) / 2,
    p50: (a.p50 + b.p50) / 2,
    p99: (a.p99 + b.p99) / 2,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function spread(values: number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/**
 * One bounded autocannon run; `headersFor` may give each request its own headers. Besides
 * throughput it records the server's CPU time per request, which a busy shared machine disturbs
 * far less than throughput.
 */
async function load(
  server: Server,
  path: string,
  headersFor?: () => Record<string, string>,
  fixed: Record<string, string> = {},
): Promise<Measured> {
  const pid = server.child.pid ?? 0;
  const cpuBefore = cpuMicros(pid);
  const result = await autocannon({
    url: `${server.url}${path}`,
    connections: CONNECTIONS,
    duration: SECONDS / 2,
    headers: fixed,
    ...(headersFor
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...fixed, ...headersFor() },
              }),
            },
          ],
        }
      : {}),
  });
  return {
    rps: Math.round(result.requests.average),
    cpuUs: (cpuMicros(pid) - cpuBefore) / Math.max(1, result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The API is called with node:http and a keep-alive agent, as the SDK calls Cognito. */
const agent = new Agent({ keepAlive: true });
function postJson(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const BARE_SERVER = `
process.on('disconnect', () => process.exit(0));
const http = require('node:http');
const body = JSON.stringify({ status: 'ok' });
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function main(): Promise<void> {
  const dist = join(__dirname);
  process.stdout.write('Starting the emulator, the issuer and the servers...\n');
  const cognito = await startLocalCognito('bench');
  const { emulator, sdk, pool, forge } = cognito;
  const syncStore = await startSyncStore('bench');

  const appEnv = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    // The login comparison signs in LOGINS times from one address and account.
    RATE_LIMIT_IP: '1000000',
    RATE_LIMIT_ACCOUNT: '1000000',
    // Smaller than the TOKENS tokens that (5) cycles through, so every one of them misses the
    // cache and is verified; the one reused token of (3) and (4) stays cached.
    AUTH_TOKEN_CACHE_SIZE: String(TOKENS / 5),
    COGNITO_ENDPOINT: emulator.endpoint,
    COGNITO_USER_POOL_ID: pool.userPoolId,
    COGNITO_CLIENT_SECRET: pool.clientSecret,
    ...forge.env,
    ...syncStore.env,
  };
  const serverArgs = [...APP_NODE_FLAGS, join(dist, 'server.js')];

  const coldStarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const cold = await startProcess(serverArgs, appEnv, '/bench/public');
    coldStarts.push(cold.startedInMs);
    await stop(cold);
  }

  const bare = await startProcess(['-e', BARE_SERVER], {}, '/');
  const app = await startProcess(serverArgs, appEnv, '/bench/public');
  const forwarder = await startProcess(
    [join(dist, 'login-forwarder.js')],
    {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      COGNITO_ENDPOINT: emulator.endpoint,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_CLIENT_SECRET: pool.clientSecret,
    },
    '/',
  );
  const rssIdle = rssMb(app.child.pid ?? 0);

  const reused = forge.accessToken();
  const fresh = Array.from({ length: TOKENS }, () => forge.accessToken());
  const foreign = newRsaKey().privateKey;
  const invalid = Array.from({ length: TOKENS }, () =>
    signRs256({ alg: 'RS256', kid: FORGE_KID }, forge.claims(), foreign),
  );
  let nextFresh = 0;
  let nextInvalid = 0;

  // Warm-up: JIT, connection pools, the token cache for the reused token.
  await load(bare, '/');
  await load(app, '/bench/guarded', undefined, { authorization: `Bearer ${reused}` });

  // Resident memory moves with garbage collection, so it is sampled through the whole load, not
  // only read once at the end.
  const rssDuringLoad: number[] = [];
  const rssSampler = setInterval(() => rssDuringLoad.push(rssMb(app.child.pid ?? 0)), 250);
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    process.stdout.write(`Round ${round}/${ROUNDS}...\n`);
    // Each measurement runs twice, in mirrored order (ABC...CBA), and the two are averaged, so
    // drift on a shared machine hits every measurement of the round alike. The token-verifying
    // runs (5) and (6) leave far more garbage than the others; they form a block of their own, so
    // the collection of that garbage, which spills into the next seconds, is not charged to (2),
    // (3) or (4) unevenly. The next round starts with the bare server, while the app is idle.
    type Plan = [keyof Runs, () => Promise<Measured>][];
    const cheap: Plan = [
      ['bare', () => load(bare, '/')],
      // The same request as (3), header included (a public route ignores it): the difference
      // between (2) and (3) is then the guard alone, not the parsing of a 1 kB header.
      [
        'public',
        () => load(app, '/bench/public', undefined, { authorization: `Bearer ${reused}` }),
      ],
      [
        'bearer',
        () => load(app, '/bench/guarded', undefined, { authorization: `Bearer ${reused}` }),
      ],
      [
        'cookie',
        () =>
          load(app, '/bench/guarded', undefined, {
            // The app runs with the default Secure cookies.
            cookie: `${sessionCookieNames({ cookieSecure: true }).access}=${reused}`,
          }),
      ],
    ];
    const verifying: Plan = [
      [
        'freshToken',
        () =>
          load(app, '/bench/guarded', () => ({
            authorization: `Bearer ${fresh[nextFresh++ % fresh.length]}`,
          })),
      ],
      [
        'invalidToken',
        () =>
          load(app, '/bench/guarded', () => ({
            authorization: `Bearer ${invalid[nextInvalid++ % invalid.length]}`,
          })),
      ],
    ];
    const r = {} as Runs;
    for (const plan of [cheap, verifying]) {
      const first = new Map<keyof Runs, Measured>();
      for (const [name, run] of plan) first.set(name, await run());
      for (const [name, run] of [...plan].reverse()) {
        r[name] = average(first.get(name)!, await run());
      }
    }
    rounds.push({
      ...r,
      ratios: {
        bearerToPublic: r.bearer.rps / r.public.rps,
        bearerToBare: r.bearer.rps / r.bare.rps,
        freshToPublic: r.freshToken.rps / r.public.rps,
        invalidToFresh: r.invalidToken.rps / r.freshToken.rps,
        bearerToPublicByCpu: r.public.cpuUs / r.bearer.cpuUs,
      },
    });
  }
  clearInterval(rssSampler);
  const rssAfterLoad = rssMb(app.child.pid ?? 0);

  // Login through the API, through the bare forwarder and directly, interleaved: each turn takes
  // the three in a rotated order, so none of them always follows the same one.
  process.stdout.write(
    `Login: ${LOGINS} each through the API, through the forwarder and direct, interleaved...\n`,
  );
  const email = `bench-${Date.now()}@example.com`;
  const direct = () => passwordLogin(sdk, pool, email, PASSWORD);
  await confirmedAccount(sdk, pool, email, PASSWORD);
  const viaHttp = (url: string) => async () => {
    const status = await postJson(url, { email, password: PASSWORD });
    if (status !== 200) throw new Error(`${url} answered ${status}`);
  };
  const ways = [
    { call: viaHttp(`${app.url}/auth/login`), times: [] as number[] },
    { call: viaHttp(forwarder.url), times: [] as number[] },
    { call: direct, times: [] as number[] },
  ];
  for (const way of ways) await way.call(); // warm-up
  for (let i = 0; i < LOGINS; i++) {
    for (let k = 0; k < ways.length; k++) {
      const way = ways[(i + k) % ways.length];
      const started = performance.now();
      await way.call();
      way.times.push(performance.now() - started);
    }
  }
  const [apiTimes, forwarderTimes, sdkTimes] = ways.map((way) => way.times);

  // User data sync, one request at a time: through the app and the same store call directly.
  process.stdout.write(
    `Sync: ${SYNC_OPS} each of a 10-record write and an incremental read, through the API and direct, interleaved...\n`,
  );
  const syncOwner = randomUUID();
  const sync = await measureSync(
    app.url,
    forge.accessToken({ sub: syncOwner, username: syncOwner }),
    syncOwner,
    syncStore,
    SYNC_OPS,
  );

  agent.destroy();
  await stop(forwarder);
  await stop(app);
  await stop(bare);
  await syncStore.close();
  await cognito.close();

  const eachRun = (pick: (run: Measured) => number) =>
    Object.fromEntries(
      RUN_NAMES.map((name) => [name, median(rounds.map((round) => pick(round[name])))]),
    ) as Record<keyof Runs, number>;
  const eachRatio = <T>(over: (values: number[]) => T) =>
    Object.fromEntries(
      RATIO_NAMES.map((name) => [name, over(rounds.map((round) => round.ratios[name]))]),
    ) as Record<keyof Round['ratios'], T>;
  const login = {
    apiP50: percentile(apiTimes, 50),
    apiP99: percentile(apiTimes, 99),
    forwarderP50: percentile(forwarderTimes, 50),
    forwarderP99: percentile(forwarderTimes, 99),
    sdkP50: percentile(sdkTimes, 50),
    sdkP99: percentile(sdkTimes, 99),
  };
  const summary = {
    machine: machine(),
    settings: {
      rounds: ROUNDS,
      secondsPerRun: SECONDS,
      connections: CONNECTIONS,
      logins: LOGINS,
      syncOps: SYNC_OPS,
    },
    throughput: eachRun((run) => run.rps),
    ratios: eachRatio(median),
    /** The lowest and highest value of each ratio over the rounds. */
    ratioRanges: eachRatio(spread),
    cpuMicrosPerRequest: eachRun((run) => run.cpuUs),
    login: {
      ...login,
      apiOverheadP50: login.apiP50 - login.sdkP50,
      /** What one more HTTP hop costs by itself here: the bare forwarder over the direct call. */
      hopOverheadP50: login.forwarderP50 - login.sdkP50,
      /** The app's own part: the API over the bare forwarder. */
      appOverheadP50: login.apiP50 - login.forwarderP50,
    },
    sync,
    coldStartMs: median(coldStarts),
    rssMb: {
      idle: rssIdle,
      duringLoad: { ...spread(rssDuringLoad), median: median(rssDuringLoad) },
      afterLoad: rssAfterLoad,
    },
    // Errors and timeouts anywhere; non-2xx anywhere but the invalid-token runs (401 by design).
    failures: rounds.reduce(
      (sum, round) =>
        sum +
        RUN_NAMES.reduce(
          (inner, name) =>
            inner + round[name].errors + (name === 'invalidToken' ? 0 : round[name].non2xx),
          0,
        ),
      0,
    ),
    rounds,
  };

  const targets: [string, number, string, boolean, { min: number; max: number }?][] = [
    [
      '(3) bearer / (2) public',
      summary.ratios.bearerToPublic,
      '>= 0.90',
      summary.ratios.bearerToPublic >= 0.9,
      summary.ratioRanges.bearerToPublic,
    ],
    [
      '(3) / (2) by server CPU per request',
      summary.ratios.bearerToPublicByCpu,
      '>= 0.90',
      summary.ratios.bearerToPublicByCpu >= 0.9,
      summary.ratioRanges.bearerToPublicByCpu,
    ],
    [
      '(3) bearer / (1) bare node:http',
      summary.ratios.bearerToBare,
      '>= 0.60',
      summary.ratios.bearerToBare >= 0.6,
      summary.ratioRanges.bearerToBare,
    ],
    [
      '(5) fresh token / (2) public',
      summary.ratios.freshToPublic,
      '>= 0.19',
      summary.ratios.freshToPublic >= 0.19,
      summary.ratioRanges.freshToPublic,
    ],
    [
      '(6) invalid / (5) fresh token',
      summary.ratios.invalidToFresh,
      '>= ~1 (not slower)',
      summary.ratios.invalidToFresh >= 0.95,
      summary.ratioRanges.invalidToFresh,
    ],
    [
      '(7) API login overhead p50 (ms)',
      summary.login.apiOverheadP50,
      '<= 1 ms',
      summary.login.apiOverheadP50 <= 1,
    ],
    ['cold start (ms)', summary.coldStartMs, '<= 1000', summary.coldStartMs <= 1000],
    ['RSS after load (MB)', rssAfterLoad, '<= 150', rssAfterLoad <= 150],
  ];

  const ms = (value: number) => value.toFixed(2);
  const t = summary.throughput;
  const c = summary.cpuMicrosPerRequest;
  const rows = [
    '| Measurement | req/s (median) | server CPU us/request |',
    '| --- | ---: | ---: |',
    `| (1) bare node:http, same JSON | ${t.bare} | ${c.bare.toFixed(1)} |`,
    `| (2) app, public route | ${t.public} | ${c.public.toFixed(1)} |`,
    `| (3) app, guarded, one token (bearer) | ${t.bearer} | ${c.bearer.toFixed(1)} |`,
    `| (4) app, guarded, one token (cookie) | ${t.cookie} | ${c.cookie.toFixed(1)} |`,
    `| (5) app, guarded, a new token every request | ${t.freshToken} | ${c.freshToken.toFixed(1)} |`,
    `| (6) app, guarded, invalid tokens (401) | ${t.invalidToken} | ${c.invalidToken.toFixed(1)} |`,
    '',
    '| Login (p50 / p99 ms) | through the API | bare forwarder | direct SDK call |',
    '| --- | ---: | ---: | ---: |',
    `| | ${ms(login.apiP50)} / ${ms(login.apiP99)} | ${ms(login.forwarderP50)} / ${ms(login.forwarderP99)} | ${ms(login.sdkP50)} / ${ms(login.sdkP99)} |`,
    '',
    `Login p50 over the direct call: the API +${ms(summary.login.apiOverheadP50)} ms, of which the HTTP hop (bare forwarder) +${ms(summary.login.hopOverheadP50)} ms and the app's own +${ms(summary.login.appOverheadP50)} ms.`,
    '',
    `| Sync, ${sync.changesPerWrite} records a write (p50 / p99 ms) | through the API | store direct | API / direct, p50 |`,
    '| --- | ---: | ---: | ---: |',
    `| write: PATCH vs applyChanges | ${ms(sync.appPatch.p50)} / ${ms(sync.appPatch.p99)} | ${ms(sync.directWrite.p50)} / ${ms(sync.directWrite.p99)} | ${sync.ratios.patchToDirectWrite.toFixed(2)} |`,
    `| write: PATCH vs applyChanges + readDataset (the route's store work) | ${ms(sync.appPatch.p50)} / ${ms(sync.appPatch.p99)} | ${ms(sync.directWriteThenRead.p50)} / ${ms(sync.directWriteThenRead.p99)} | ${sync.ratios.patchToDirectWriteThenRead.toFixed(2)} |`,
    `| incremental read: GET ?sinceSyncCount vs readDataset | ${ms(sync.appGet.p50)} / ${ms(sync.appGet.p99)} | ${ms(sync.directRead.p50)} / ${ms(sync.directRead.p99)} | ${sync.ratios.getToDirectRead.toFixed(2)} |`,
    '',
    `Sync store: ${sync.callsPerWrite} DynamoDB calls a write, ${sync.callsPerRead} a read; one PutItem p50 / p99 ${ms(sync.putItem.p50)} / ${ms(sync.putItem.p99)} ms (${sync.ops} of each, datasets of ${sync.recordsPerDataset} records).`,
    `RSS: ${rssIdle} MB idle; during the load ${summary.rssMb.duringLoad.min} to ${summary.rssMb.duringLoad.max} MB (median ${summary.rssMb.duringLoad.median}); ${rssAfterLoad} MB after it.`,
    '',
    '| Target | Value | Range over rounds | Goal | Met |',
    '| --- | ---: | ---: | --- | --- |',
    ...targets.map(([name, value, goal, met, spread]) => {
      const over = spread ? `${spread.min.toFixed(2)} to ${spread.max.toFixed(2)}` : '';
      return `| ${name} | ${Number(value).toFixed(2)} | ${over} | ${goal} | ${met ? 'yes' : 'no'} |`;
    }),
    '',
    `Failed requests (errors, timeouts, unexpected non-2xx): ${summary.failures}`,
  ];
  process.stdout.write(`\n${rows.join('\n')}\n`);
  const out = join(process.cwd(), 'bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify({ ...summary, targets }, null, 2)}\n`);
  process.stdout.write(`\nWrote ${join('bench-results', 'latest.json')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
