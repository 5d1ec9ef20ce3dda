import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { childBootstrap, restrict, restrictTree, stopper } from './child-process';
import { IDENTITY_POOL_FILE } from './identity-pool/identity-pool-state';
import { challengeSessionKeyFile } from './local-keys';
import { adminPasswordFile, stateFile } from './local-pool';

export const EMULATOR_HOST = '127.0.0.1';
/** The emulator's own output, in the data folder: it holds every code the emulator "sends". */
const EMULATOR_LOG = 'emulator.log';

export interface EmulatorProcess {
  readonly port: number;
  readonly endpoint: string;
  readonly logFile: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Asks the OS for a free loopback port (the emulator cannot use port 0: its issuer would say `:0`). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, EMULATOR_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The emulator process's entry: ours (emulator-layer/emulator.main), which loads cognito-local
 * behind the layer that adds the Cognito behaviours it lacks.
 */
function emulatorBootstrap(): string {
  try {
    require.resolve('cognito-local/package.json');
  } catch {
    throw new Error(
      'The embedded Cognito emulator (the cognito-local devDependency) is not installed. ' +
        'Run `npm ci` with dev dependencies, or configure COGNITO_USER_POOL_ID for a real pool.',
    );
  }
  return childBootstrap(join(__dirname, 'emulator-layer', 'emulator.main'));
}

/**
 * Tightens a data folder that an earlier version (or another umask) left readable by others: the
 * folder, the files this module and the embedded mode write, and everything the emulator keeps
 * under `.cognito` (plain-text passwords, the app client's secret).
 */
function restrictDataDir(dataDir: string): void {
  restrict(dataDir, true);
  const files = [
    stateFile(dataDir),
    adminPasswordFile(dataDir),
    challengeSessionKeyFile(dataDir),
    join(dataDir, EMULATOR_LOG),
    join(dataDir, IDENTITY_POOL_FILE),
  ];
  for (const file of files) if (existsSync(file)) restrict(file, false);
  if (existsSync(join(dataDir, '.cognito'))) restrictTree(join(dataDir, '.cognito'));
}

async function waitUntilHealthy(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the emulator exited during start-up (code ${child.exitCode})`);
    }
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(500) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the emulator did not answer within ${timeoutMs} ms`);
}

/**
 * Starts cognito-local as a child process on 127.0.0.1 with `dataDir` as its working directory
 * (it keeps its pools in `<dataDir>/.cognito`). The child is given an IPC channel and exits when
 * that channel closes, so it cannot outlive this process even if this one is killed outright.
 */
export async function startEmulatorProcess(
  dataDir: string,
  port: number,
  startTimeoutMs = 15000,
): Promise<EmulatorProcess> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrictDataDir(dataDir);
  const cognitoDir = join(dataDir, '.cognito');
  mkdirSync(cognitoDir, { recursive: true, mode: 0o700 });
  const endpoint = `http://${EMULATOR_HOST}:${port}`;
  // The issuer is fixed explicitly: the emulator would otherwise derive it from a default port.
  const configFile = join(cognitoDir, 'config.json');
  writeFileSync(
    configFile,
    `${JSON.stringify({ TokenConfig: { IssuerDomain: endpoint } }, null, 2)}\n`,
    { mode: 0o600 },
  );
  restrict(configFile, false);

  const logFile = join(dataDir, EMULATOR_LOG);
  const logFd = openSync(logFile, 'w', 0o600);
  fchmodSync(logFd, 0o600);
  const bootstrap = emulatorBootstrap();
  const child = spawn(process.execPath, ['-e', bootstrap], {
    cwd: dataDir,
    // Only what the emulator needs: none of this process's secrets are passed on.
    env: {
      PORT: String(port),
      HOST: EMULATOR_HOST,
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  closeSync(logFd);
  // The IPC channel only signals liveness; it must not keep this process alive by itself.
  child.unref();
  child.channel?.unref();

  const stop = stopper(child, 2000);

  try {
    await waitUntilHealthy(endpoint, child, startTimeoutMs);
  } catch (error) {
    await stop();
    const log = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(
      `Could not start the Cognito emulator on ${endpoint}: ${(error as Error).message}\n${log}`,
    );
  }
  return { port, endpoint, logFile, pid: child.pid ?? -1, stop };
}
