import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../src/cognito/local/emulator-process';
import { eventually, processesIn } from './support/processes';
import { appendSuiteLog } from './support/suite-log';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the built server (`node dist/main.js`, what `npm start` runs) with only the given variables. */
function run(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    appendSuiteLog(chunk.toString());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

async function embeddedServer(): Promise<Started & { url: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-process-'));
  const port = await findFreePort();
  const started = run({ PORT: String(port), COGNITO_LOCAL_DATA_DIR: dataDir });
  await eventually(() => started.output().includes('Swagger UI:'), 20000, 'the server to start');
  return { ...started, url: `http://127.0.0.1:${port}`, dataDir };
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

  it('refuses to run the embedded emulator in production', async () => {
    const started = run({ NODE_ENV: 'production' });
    expect((await started.exited).code).toBe(1);
    expect(started.output()).toMatch(/embedded emulator is for development only/);
  });

  it('starts on the embedded default, says where Swagger UI and the codes are, and stops the emulator on SIGTERM', async () => {
    const server = await embeddedServer();
    try {
      expect(server.output()).toContain(`Swagger UI: ${server.url}/docs`);
      expect(server.output()).toMatch(/codes are shown on this terminal/);
      const docs = await fetch(`${server.url}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
      expect(processesIn(server.dataDir)).toHaveLength(1);

      // A code appears on the terminal within a second of the sign-up.
      const email = `process-${Date.now()}@example.com`;
      const signUp = await fetch(`${server.url}/auth/sign-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'Correct-Horse-9' }),
      });
      expect(signUp.status).toBe(201);
      await eventually(
        () => new RegExp(`To: ${email}[\\s\\S]*code: \\d{6}`).test(server.output()),
        1000,
        'the code',
      );
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await eventually(() => processesIn(server.dataDir).length === 0, 3000, 'the emulator to stop');
  });

  it('stops the emulator on SIGINT too', async () => {
    const server = await embeddedServer();
    server.child.kill('SIGINT');
    await server.exited;
    await eventually(() => processesIn(server.dataDir).length === 0, 3000, 'the emulator to stop');
  });

  it('leaves no emulator behind even when the server is killed outright', async () => {
    const server = await embeddedServer();
    expect(processesIn(server.dataDir)).toHaveLength(1);
    server.child.kill('SIGKILL');
    await server.exited;
    await eventually(
      () => processesIn(server.dataDir).length === 0,
      3000,
      'the orphaned emulator to exit',
    );
  });
});
