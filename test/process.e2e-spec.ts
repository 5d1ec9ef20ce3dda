import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../src/cognito/local/emulator-process';
import { findLocalCodes } from '../src/cognito/local/local-codes';
import { readLocalState } from '../src/cognito/local/local-pool';
import { eventually, parentOf, processesIn } from './support/processes';
import { appendSuiteLog } from './support/suite-log';
import { TokenForge } from './support/token-forge';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const CODES_CLI = join(__dirname, '..', 'dist', 'cognito', 'local', 'codes.cli.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  /** Standard output alone. */
  standardOutput: () => string;
  /** Standard error alone. */
  errors: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the built server (`node dist/main.js`, what `npm start` runs) with only the given
 * variables; its standard output and error are pipes. `onTerminal` runs it on a pseudo-terminal
 * instead (util-linux `script`), as `npm start` in a terminal would.
 */
function run(env: Record<string, string>, onTerminal = false): Started {
  const command: [string, string[]] = onTerminal
    ? [
        'script',
        ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)}`, '/dev/null'],
      ]
    : [process.execPath, [MAIN]];
  const child = spawn(command[0], command[1], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let standardOutput = '';
  let errors = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    appendSuiteLog(chunk.toString());
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    standardOutput += chunk.toString();
    collect(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
    collect(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    standardOutput: () => standardOutput,
    errors: () => errors,
    exited,
  };
}

async function embeddedServer(
  onTerminal = false,
  env: Record<string, string> = {},
): Promise<Started & { url: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-process-'));
  const port = await findFreePort();
  const started = run({ PORT: String(port), COGNITO_LOCAL_DATA_DIR: dataDir, ...env }, onTerminal);
  // The start-up summary's last line.
  await eventually(
    () => started.output().includes('npm run admin -- grant <email>'),
    20000,
    'the server to start',
  );
  return { ...started, url: `http://127.0.0.1:${port}`, dataDir };
}

async function signUp(url: string, email: string): Promise<void> {
  const answer = await fetch(`${url}/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'Correct-Horse-9' }),
  });
  expect(answer.status).toBe(201);
}

/** The confirmation code the emulator issued to `email`, read from its data file. */
async function issuedCode(dataDir: string, email: string): Promise<string> {
  const poolId = readLocalState(dataDir)?.userPoolId ?? '';
  let code: string | undefined;
  await eventually(
    () => Boolean((code = findLocalCodes(dataDir, poolId, email)?.confirmationCode)),
    1000,
    'the code',
  );
  return code ?? '';
}

describe('The server process (e2e)', () => {
  it('exits non-zero on a bad configuration, naming every invalid variable', async () => {
    const started = run({
      PORT: 'eighty',
      TOKEN_DELIVERY: 'pigeon',
      COGNITO_USER_POOL_ID: 'eu-west-1_Abc',
    });
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toContain('Invalid configuration');
    for (const name of ['PORT', 'TOKEN_DELIVERY', 'COGNITO_CLIENT_ID']) {
      expect(started.output()).toContain(name);
    }
  });

  it('refuses to run the embedded emulator, or without a challenge session key, in production', async () => {
    const started = run({ NODE_ENV: 'production' });
    expect((await started.exited).code).toBe(1);
    expect(started.output()).toMatch(/embedded emulator is for development only/);
    expect(started.output()).toContain('NODE_ENV=production needs CHALLENGE_SESSION_KEY');
  });

  it('starts on the embedded default, says where Swagger UI and the codes are, keeps codes out of its piped output, and stops the emulator on SIGTERM', async () => {
    const server = await embeddedServer();
    try {
      // A short summary, not buried under the framework's start-up lines (those are debug).
      const lines = server.standardOutput().trim().split('\n');
      expect(lines.length).toBeLessThanOrEqual(15);
      for (const line of lines) {
        expect(['info', 'warn']).toContain((JSON.parse(line) as { level: string }).level);
      }
      expect(server.output()).not.toContain('Mapped {');
      expect(server.output()).not.toContain('dependencies initialized');
      expect(server.output()).toContain(`Swagger UI: ${server.url}/docs`);
      expect(server.output()).toContain(
        `Reference page (the typed client in use): ${server.url}/demo`,
      );
      expect(server.output()).toMatch(/Cognito mode: embedded \(the local Cognito emulator on/);
      expect(server.output()).toMatch(/"level":"warn".*its signing key is public/);
      expect(server.output()).toContain('`npm run admin -- grant <email>`');
      // Standard output is a pipe here (a log collector would read it): no code is printed on it.
      expect(server.output()).toMatch(/Read confirmation and reset codes with `npm run codes/);
      expect(server.output()).not.toMatch(/codes are shown on this terminal/);
      const docs = await fetch(`${server.url}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
      // A page opened on localhost starts a sign-in with a provider on the callback's own
      // 127.0.0.1, where the state cookie must be for the callback to see it.
      const path = '/auth/oauth/authorize?provider=LocalProvider&returnTo=%2Fdemo';
      const onLocalhost = await fetch(`${server.url.replace('127.0.0.1', 'localhost')}${path}`, {
        redirect: 'manual',
      });
      expect([onLocalhost.status, onLocalhost.headers.get('location')]).toEqual([
        302,
        `${server.url}${path}`,
      ]);
      expect(onLocalhost.headers.get('set-cookie')).toBeNull();
      const there = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(there.status).toBe(302);
      expect(there.headers.get('set-cookie')).toMatch(/oauth/i);
      expect(processesIn(server.dataDir)).toHaveLength(1);
      expect(processesIn(join(server.dataDir, 'dynalite'))).toHaveLength(1);
      expect(server.output()).toMatch(
        /Local stand-ins: managed login .* on http:\/\/127\.0\.0\.1:\d+; identity pool .* on http:\/\/127\.0\.0\.1:\d+; user data sync's table nest-cognito-auth-sync in DynamoDB \(dynalite\) on http:\/\/127\.0\.0\.1:\d+; data folder /,
      );

      const email = `process-${Date.now()}@example.com`;
      await signUp(server.url, email);
      const code = await issuedCode(server.dataDir, email);
      // npm run codes and the emulator's log have it...
      const codes = execFileSync(process.execPath, [CODES_CLI, email], {
        env: { PATH: process.env.PATH ?? '', COGNITO_LOCAL_DATA_DIR: server.dataDir },
      }).toString();
      expect(codes).toContain(`${email}  confirmation/reset code: ${code}`);
      await eventually(
        () => readFileSync(join(server.dataDir, 'emulator.log'), 'utf8').includes(code),
        2000,
        'the code in the emulator log',
      );
      // ...the server's output does not, well after the code mailbox would have shown it.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(server.output()).not.toContain(code);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // The emulator and the embedded DynamoDB are stopped by the shutdown itself, not left to
    // notice their parent is gone.
    expect(processesIn(server.dataDir)).toHaveLength(0);
    expect(processesIn(join(server.dataDir, 'dynalite'))).toHaveLength(0);
  });

  it('writes the framework’s route and module lines at LOG_LEVEL=debug, still ending with the summary', async () => {
    const server = await embeddedServer(false, { LOG_LEVEL: 'debug' });
    try {
      const records = server
        .standardOutput()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; msg: string; context?: string });
      expect(records).toContainEqual(
        expect.objectContaining({
          level: 'debug',
          context: 'RouterExplorer',
          msg: 'Mapped {/auth/login, POST} route',
        }),
      );
      expect(records).toContainEqual(
        expect.objectContaining({ level: 'debug', context: 'InstanceLoader' }),
      );
      expect(records).toContainEqual(
        expect.objectContaining({
          level: 'info',
          context: 'Bootstrap',
          msg: `Swagger UI: ${server.url}/docs (OpenAPI JSON: ${server.url}/docs-json)`,
        }),
      );
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
  });

  it('shows each code on the terminal within a second of being issued', async () => {
    const server = await embeddedServer(true);
    const [emulator] = processesIn(server.dataDir);
    try {
      expect(server.output()).toMatch(/codes are shown on this terminal/);
      const email = `terminal-${Date.now()}@example.com`;
      await signUp(server.url, email);
      const code = await issuedCode(server.dataDir, email);
      await eventually(
        () => new RegExp(`To: ${email}[\\s\\S]*code: ${code}`).test(server.output()),
        1000,
        'the code on the terminal',
      );
    } finally {
      // The server is the emulator's parent (script runs it in a session of its own).
      process.kill(parentOf(emulator), 'SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
  });

  it('refuses a PORT in use with one line, before starting the emulator or writing its state', async () => {
    const taken = createTcpServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    // A data folder a running instance uses: the emulator port it remembers must stay as it is.
    const dataDir = mkdtempSync(join(tmpdir(), 'cognito-port-taken-'));
    const remembered = `${JSON.stringify({ userPoolId: 'local_Running', clientId: 'c', clientSecret: 's', port: await findFreePort() })}\n`;
    writeFileSync(join(dataDir, 'state.json'), remembered, { mode: 0o600 });
    const before = statSync(join(dataDir, 'state.json')).mtimeMs;
    try {
      const started = run({ PORT: String(port), COGNITO_LOCAL_DATA_DIR: dataDir });
      expect(await started.exited).toEqual({ code: 1, signal: null });
      expect(started.errors()).toBe(`port ${port} is in use: set PORT\n`);
      expect(started.output()).not.toMatch(/\bat \S+ \(|Error:/);
    } finally {
      taken.close();
    }
    expect(readFileSync(join(dataDir, 'state.json'), 'utf8')).toBe(remembered);
    expect(statSync(join(dataDir, 'state.json')).mtimeMs).toBe(before);
    expect(existsSync(join(dataDir, '.cognito'))).toBe(false);
    expect(existsSync(join(dataDir, 'emulator.log'))).toBe(false);
    expect(processesIn(dataDir)).toHaveLength(0);
  });

  it('refuses a second instance on the data folder of a running one, with one line', async () => {
    const server = await embeddedServer();
    try {
      const state = readFileSync(join(server.dataDir, 'state.json'), 'utf8');
      const second = run({
        PORT: String(await findFreePort()),
        COGNITO_LOCAL_DATA_DIR: server.dataDir,
      });
      expect(await second.exited).toEqual({ code: 1, signal: null });
      expect(second.errors()).toBe(
        `the embedded data folder ${server.dataDir} is in use by process ${server.child.pid}: ` +
          'stop it, or set COGNITO_LOCAL_DATA_DIR to another folder\n',
      );
      // No second emulator over the same data file, and the remembered port is the first one's.
      expect(processesIn(server.dataDir)).toHaveLength(1);
      expect(readFileSync(join(server.dataDir, 'state.json'), 'utf8')).toBe(state);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
  });

  it('stops the emulator on SIGINT too', async () => {
    const server = await embeddedServer();
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(processesIn(server.dataDir)).toHaveLength(0);
  });

  it('on SIGTERM turns readiness to 503, finishes the requests in flight, and exits 0', async () => {
    // A Cognito that takes a second to answer each call, so a sign-in is in flight for a while.
    const forge = await TokenForge.start('slowclient');
    const slow = createServer((req, res) => {
      if (req.method === 'GET') return void res.writeHead(404).end();
      setTimeout(() => {
        res
          .writeHead(400, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-errortype': 'NotAuthorizedException',
          })
          .end(
            JSON.stringify({
              __type: 'NotAuthorizedException',
              message: 'Incorrect username or password.',
            }),
          );
      }, 1000);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const server = run({
      PORT: String(port),
      COGNITO_ENDPOINT: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      COGNITO_USER_POOL_ID: 'us-east-1_Slow',
      ...forge.env,
      SHUTDOWN_DELAY_MS: '500',
    });
    try {
      await eventually(
        async () => (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200,
        20000,
        'the server to be ready',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${server.output()}`);
      });
      const inFlight = fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'slow@example.com', password: 'Correct-Horse-9' }),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      server.child.kill('SIGTERM');
      await eventually(
        async () => (await fetch(`${url}/health/ready`)).status === 503,
        400,
        'readiness to turn 503',
      );
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const answered = await inFlight;
      expect(answered.status).toBe(401);
      expect(((await answered.json()) as { error: string }).error).toBe('INVALID_CREDENTIALS');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('SIGTERM received');
    } finally {
      server.child.kill('SIGKILL');
      slow.close();
      await forge.close();
    }
  });

  it('leaves no emulator or embedded DynamoDB behind even when the server is killed outright', async () => {
    const server = await embeddedServer();
    expect(processesIn(server.dataDir)).toHaveLength(1);
    expect(processesIn(join(server.dataDir, 'dynalite'))).toHaveLength(1);
    server.child.kill('SIGKILL');
    await server.exited;
    await eventually(
      () => processesIn(server.dataDir).length === 0,
      3000,
      'the orphaned emulator to exit',
    );
    await eventually(
      () => processesIn(join(server.dataDir, 'dynalite')).length === 0,
      3000,
      'the orphaned embedded DynamoDB to exit',
    );
  });
});
