/**
 * `npm run soak`: a bounded soak test. For SOAK_SECONDS (default 60) it loads, at the same time,
 * a guarded route (one bearer token, SOAK_CONNECTIONS connections, default 20) and the login route
 * (5 connections, one account, the default rate limits), against the app with its embedded
 * dependencies started on 127.0.0.1. It samples the server's memory every 5 s and fails (exit 1)
 * on any 5xx or connection error, or if the login route never answers 429.
 * Results: a table, and bench-results/soak.json.
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_NODE_FLAGS,
  confirmedAccount,
  machine,
  rssMb,
  startLocalCognito,
  startProcess,
  stop,
} from './harness';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 20);
const PASSWORD = 'Soak-Passw0rd!';

interface RouteResult {
  requests: number;
  rps: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
  status429: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

function summarize(result: autocannon.Result): RouteResult {
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    '2xx': result['2xx'],
    '4xx': result['4xx'],
    '5xx': result['5xx'],
    status429: Number(
      (result.statusCodeStats as Record<string, { count: number }> | undefined)?.['429']?.count ??
        0,
    ),
    errors: result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

async function main(): Promise<void> {
  const cognito = await startLocalCognito('soak');
  const { emulator, sdk, pool, forge } = cognito;
  const app = await startProcess(
    [...APP_NODE_FLAGS, join(__dirname, 'server.js')],
    {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      COGNITO_ENDPOINT: emulator.endpoint,
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_SECRET: pool.clientSecret,
      ...forge.env,
    },
    '/health/ready',
  );
  const email = `soak-${Date.now()}@example.com`;
  await confirmedAccount(sdk, pool, email, PASSWORD);

  const pid = app.child.pid ?? 0;
  const rss: { second: number; mb: number }[] = [{ second: 0, mb: rssMb(pid) }];
  const started = Date.now();
  const sampler = setInterval(
    () => rss.push({ second: Math.round((Date.now() - started) / 1000), mb: rssMb(pid) }),
    5000,
  );
  process.stdout.write(
    `Soaking for ${SECONDS} s: GET /bench/guarded (${CONNECTIONS} connections) and POST /auth/login (5)...\n`,
  );
  const [guarded, login] = await Promise.all([
    autocannon({
      url: `${app.url}/bench/guarded`,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: {
        authorization: `Bearer ${forge.accessToken({ exp: Math.floor(Date.now() / 1000) + 3600 + SECONDS })}`,
      },
    }),
    autocannon({
      url: `${app.url}/auth/login`,
      method: 'POST',
      connections: 5,
      duration: SECONDS,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    }),
  ]);
  clearInterval(sampler);
  rss.push({ second: SECONDS, mb: rssMb(pid) });

  await stop(app);
  await cognito.close();

  const result = {
    machine: machine(),
    seconds: SECONDS,
    guarded: summarize(guarded),
    login: summarize(login),
    rssMb: {
      start: rss[0].mb,
      end: rss[rss.length - 1].mb,
      max: Math.max(...rss.map((s) => s.mb)),
      growth: rss[rss.length - 1].mb - rss[0].mb,
      samples: rss,
    },
  };
  const failures = [
    result.guarded['5xx'] > 0 && `${result.guarded['5xx']} 5xx on the guarded route`,
    result.guarded.errors > 0 && `${result.guarded.errors} errors on the guarded route`,
    result.guarded['2xx'] !== result.guarded.requests && 'non-2xx answers on the guarded route',
    result.login['5xx'] > 0 && `${result.login['5xx']} 5xx on login`,
    result.login.errors > 0 && `${result.login.errors} errors on login`,
    result.login.status429 === 0 && 'login was never rate limited (no 429)',
  ].filter(Boolean);

  const row = (name: string, r: RouteResult) =>
    `| ${name} | ${r.requests} | ${r.rps} | ${r['2xx']} | ${r.status429} | ${r['5xx']} | ${r.errors} | ${r.p50Ms} | ${r.p99Ms} |`;
  process.stdout.write(
    [
      '',
      '| route | requests | req/s | 2xx | 429 | 5xx | errors | p50 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      row('GET /bench/guarded (bearer)', result.guarded),
      row('POST /auth/login', result.login),
      '',
      `RSS: ${result.rssMb.start} MB at start, ${result.rssMb.end} MB at the end (max ${result.rssMb.max} MB, growth ${result.rssMb.growth} MB)`,
      failures.length
        ? `FAILED: ${failures.join('; ')}`
        : 'OK: no 5xx, no errors, login limited with 429',
      '',
    ].join('\n'),
  );
  const out = join(process.cwd(), 'bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'soak.json'), `${JSON.stringify({ ...result, failures }, null, 2)}\n`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
