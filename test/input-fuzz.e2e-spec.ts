import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'node:net';
import { signedInAccount } from './support/accounts';
import { LogCapture } from './support/suite-log';
import { startTestApp, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

/** One request written byte for byte (no client tidies the path or refuses a header). */
interface RawRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body?: string;
}

/** Sends a request on its own connection; resolves the status code, or 0 when none came. */
function send(port: number, { method, path, headers, body = '' }: RawRequest): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const lines = [
      `${method} ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Connection: close',
      ...headers.map(([name, value]) => `${name}: ${value}`),
    ];
    const payload = Buffer.from(body, 'utf8');
    if (body || ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      lines.push(`Content-Length: ${payload.length}`);
    }
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
      resolve(status ? Number(status[1]) : 0);
    });
    // Written, not ended: a half-closed connection makes the server drop a pending answer.
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]));
  });
}

/** A small seeded generator (mulberry32): the same requests on every run. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}

const ROUTES = [
  ['POST', '/auth/sign-up'],
  ['POST', '/auth/confirm-sign-up'],
  ['POST', '/auth/resend-confirmation-code'],
  ['POST', '/auth/login'],
  ['POST', '/auth/challenge'],
  ['POST', '/auth/refresh'],
  ['POST', '/auth/forgot-password'],
  ['POST', '/auth/confirm-forgot-password'],
  ['GET', '/auth/me'],
  ['GET', '/account'],
  ['PATCH', '/account'],
  ['PUT', '/account/mfa'],
  ['POST', '/account/mfa/totp/verify'],
  ['POST', '/account/attributes/email/verify'],
  ['GET', '/admin/users'],
  ['POST', '/admin/users'],
  ['GET', '/admin/users/x'],
  ['PATCH', '/admin/users/x/attributes'],
  ['GET', '/health/live'],
  ['GET', '/docs/'],
  ['GET', '/docs/swagger-ui.css'],
  ['GET', '/docs-json'],
  ['GET', '/'],
] as const;

const PATH_NOISE = [
  '..',
  '%2e%2e',
  '%2E%2E%2F',
  '%00',
  '%',
  '%zz',
  '%ff',
  '%c0%af',
  '\\..\\',
  '%5c',
  '//',
  '/./',
  ';a=b',
  '?a=%',
  '?__proto__[isAdmin]=1',
  '?email[$ne]=1',
  '~',
  '*',
  '%u002e',
  '\u00ff',
  'a'.repeat(3000),
];

const KEYS = [
  'email',
  'password',
  'newPassword',
  'code',
  'attributes',
  'name',
  'session',
  'nextStep',
  'refreshToken',
  'username',
  'totpEnabled',
  'deviceName',
  'limit',
  'isAdmin',
  'constructor',
  'toString',
  '',
];

const STRINGS = [
  '',
  ' ',
  'a',
  'ＡＤＭＩＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ',
  'ad\\u200bmin@example.com',
  '\\u202emoc.elpmaxe@nimda',
  'admin@ex\\u0430mple.com',
  '\\ud800',
  '\\u0000',
  '\\r\\nInjected: yes',
  '𝐚𝐝𝐦𝐢𝐧',
  '../../etc/passwd',
  '{{7*7}}',
  '<script>',
  'x'.repeat(3000),
  'Correct-Horse-9',
  '123456',
  'SOFTWARE_TOKEN_MFA',
];

const HEADERS: [string, readonly string[]][] = [
  [
    'Content-Type',
    [
      'application/json',
      'application/json; charset=utf-16',
      'APPLICATION/JSON',
      'application/json;;;',
      'application/vnd.api+json',
      'application/json, text/plain',
      'text/plain',
      'multipart/form-data',
      '',
    ],
  ],
  [
    'Authorization',
    [
      'Bearer',
      'Bearer ',
      'Bearer a.b.c',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'Basic Zm9vOmJhcg==',
      'bearer  x  y',
      `Bearer ${'x'.repeat(6000)}`,
    ],
  ],
  [
    'Cookie',
    [
      'access_token=',
      'access_token=%',
      'access_token="x',
      'a=b;;; ;c',
      'access_token=a.b.c; csrf_secret=%zz',
      'refresh_token=x; refresh_username=../x',
      `access_token=${'y'.repeat(4000)}`,
      '__Host-access_token=%',
      '__Host-access_token=a.b.c; __Host-csrf_secret=%zz; __Host-XSRF-TOKEN=%',
      '__Secure-refresh_token=x; __Secure-refresh_username=../x',
    ],
  ],
  ['X-Request-Id', ['', '../x', 'x'.repeat(200), 'a b', '\u00ff']],
  ['X-Forwarded-For', ['garbage', '1.1.1.1, , ,', '::ffff:1.2.3.4', '999.999.999.999']],
  ['Origin', ['null', 'http://evil.example', 'file://', '%']],
  ['X-XSRF-Token', ['', 'x', '%00']],
  ['Accept', ['*/*', 'text/html', 'application/xml', '']],
  ['Content-Encoding', ['gzip', 'br', 'identity, x']],
  ['Accept-Encoding', ['gzip, br', 'zstd', 'x;q=abc']],
  ['If-None-Match', ['*', '"x"', 'W/']],
  ['Range', ['bytes=0-1', 'bytes=-1', 'bytes=9999999999-', 'x']],
];

/** JSON-ish text: valid most of the time, nested at random depths, sometimes cut or spoiled. */
function jsonBody(rng: ReturnType<typeof random>): string {
  const value = (depth: number): string => {
    const kind = rng.int(depth > 40 ? 4 : 7);
    switch (kind) {
      case 0:
        return `"${rng.pick(STRINGS)}"`;
      case 1:
        return rng.pick(['0', '-1', '1e308', '1e999', '0.1', '12345678901234567890', '-0']);
      case 2:
        return rng.pick(['true', 'false', 'null']);
      case 3:
        return `"${rng.pick(STRINGS)}"`;
      case 4:
        return `[${Array.from({ length: rng.int(3) }, () => value(depth + 1)).join(',')}]`;
      default:
        return `{${Array.from(
          { length: 1 + rng.int(4) },
          () => `"${rng.pick(KEYS)}":${value(depth + 1)}`,
        ).join(',')}}`;
    }
  };
  const text = rng.next() < 0.1 ? deep(rng.int(200)) : value(0);
  const spoil = rng.next();
  if (spoil < 0.08) return text.slice(0, rng.int(text.length));
  if (spoil < 0.12) return `\ufeff${text}`;
  if (spoil < 0.15) return text.replace(/:/, '::');
  return text;
}

/** `{"a":{"a":...}}` `levels` deep. */
function deep(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

// Emulator only: on a real pool, the valid bodies among the random ones would create accounts and
// send mail.
const pool = new TestPool();

(pool.emulated ? describe : describe.skip)('Client input fuzz (e2e)', () => {
  let app: NestFastifyApplication;
  let port: number;
  let accessToken: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    app = await startTestApp(undefined, logs);
    await app.listen(0, '127.0.0.1');
    port = Number(new URL(await app.getUrl()).port);
    accessToken = (await signedInAccount(app, pool, uniqueEmail('fuzz'))).body.accessToken;
  });
  afterAll(() => release(app));

  /** The fixed cases: the ones seen to fail once, and the classic ones. */
  function fixedCases(): RawRequest[] {
    const json: [string, string][] = [['Content-Type', 'application/json']];
    const bearer: [string, string][] = [...json, ['Authorization', `Bearer ${accessToken}`]];
    const cases: RawRequest[] = [];
    for (const levels of [33, 400, 1500, 20000]) {
      cases.push({ method: 'POST', path: '/auth/login', headers: json, body: deep(levels) });
      cases.push({ method: 'PATCH', path: '/account', headers: bearer, body: deep(levels) });
      cases.push({
        method: 'POST',
        path: '/auth/sign-up',
        headers: json,
        body: `{"email":${'['.repeat(levels)}${']'.repeat(levels)}}`,
      });
    }
    for (const body of [
      '',
      '{',
      '{"email":',
      '[',
      'nul',
      '"\\ud800"',
      '\u0000',
      '{"__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      '{"email":{"$ne":1},"password":{"$gt":""}}',
      '{"email":["a@example.com"],"password":["x"]}',
      '{"attributes":[]}',
      '{"attributes":{"email":{"a":1}}}',
      '{"attributes":{"name":["x"],"email":null}}',
      '{"attributes":{"__proto__":{"x":1}}}',
      '1e999',
      '"just a string"',
      'null',
    ]) {
      cases.push({ method: 'POST', path: '/auth/login', headers: json, body });
      cases.push({ method: 'PATCH', path: '/account', headers: bearer, body });
      cases.push({ method: 'PUT', path: '/account/mfa', headers: bearer, body });
      cases.push({ method: 'POST', path: '/auth/resend-confirmation-code', headers: json, body });
    }
    for (const path of [
      '/docs/../../package.json',
      '/docs/%2e%2e/%2e%2e/package.json',
      '/docs/%00',
      '/docs/..%5c..%5cpackage.json',
      '/docs\\..\\..\\package.json',
      '/docs/%c0%ae%c0%ae/package.json',
      '/%',
      '/%00',
      '/auth/me%00',
      `/admin/users/${'a'.repeat(5000)}`,
      `/${'a/'.repeat(2000)}`,
      '/account/attributes/%2e%2e/verify',
      '//auth//login',
      '/AUTH/LOGIN',
      '*',
    ]) {
      cases.push({ method: 'GET', path, headers: [] });
      cases.push({ method: 'POST', path, headers: json, body: '{}' });
    }
    for (const [name, values] of HEADERS) {
      for (const value of values) {
        cases.push({ method: 'GET', path: '/auth/me', headers: [[name, value]] });
        cases.push({
          method: 'POST',
          path: '/auth/login',
          headers: [...json.filter(([n]) => n !== name), [name, value]],
          body: '{"email":"fuzz@example.com","password":"x"}',
        });
      }
    }
    // Framing the HTTP parser refuses: chunked and a length at once, two lengths, a control byte.
    for (const headers of [
      [['Transfer-Encoding', 'chunked']],
      [['Content-Length', '5']],
      [['X-Odd', 'a\u0001b']],
      [['Host', '']],
    ] as [string, string][][]) {
      cases.push({
        method: 'POST',
        path: '/auth/login',
        headers: [...json, ...headers],
        body: '{}',
      });
    }
    for (const method of ['OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'get', 'FOO']) {
      cases.push({ method, path: '/auth/login', headers: [] });
    }
    return cases;
  }

  /** The seeded cases: random routes, paths, headers and bodies. */
  function randomCases(count: number): RawRequest[] {
    const rng = random(0x5eed);
    return Array.from({ length: count }, () => {
      const [method, route] = rng.pick(ROUTES);
      const path = rng.next() < 0.3 ? `${route}${rng.pick(PATH_NOISE)}` : route;
      const headers: [string, string][] = [['Content-Type', 'application/json']];
      if (rng.next() < 0.4) headers.push(['Authorization', `Bearer ${accessToken}`]);
      for (let n = rng.int(3); n > 0; n--) {
        const [name, values] = rng.pick(HEADERS);
        headers.push([name, rng.pick(values)]);
      }
      return method === 'GET'
        ? { method, path, headers }
        : { method, path, headers, body: jsonBody(rng) };
    });
  }

  it('answers every odd request with a status below 500 and writes no error-level log line', async () => {
    const cases = [...fixedCases(), ...randomCases(220)];
    expect(cases.length).toBeLessThanOrEqual(500);
    logs.clear();
    const started = Date.now();
    const failures: string[] = [];
    for (const item of cases) {
      const status = await send(port, item);
      if (status === 0 || status >= 500) {
        failures.push(
          `${status} ${item.method} ${item.path.slice(0, 80)} ${item.body?.slice(0, 80)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(
      logs
        .records()
        .filter((record) => record.level === 'error' || record.level === 'fatal')
        .map((record) => record.msg),
    ).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Still serving, and the fuzz's own account is untouched by it.
    expect(await send(port, { method: 'GET', path: '/health/live', headers: [] })).toBe(200);
  });
});
