import {
  AdminConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCognitoClient } from '../src/cognito/cognito-client.factory';
import {
  findFreePort,
  startEmulatorProcess,
  type EmulatorProcess,
} from '../src/cognito/local/emulator-process';
import { ensureLocalPool, type LocalPoolState } from '../src/cognito/local/local-pool';
import { computeSecretHash } from '../src/cognito/secret-hash';
import { parseEnvironment } from '../src/config/environment';
import { TokenForge } from '../test/support/token-forge';

/** What `npm run bench` and `npm run soak` share: starting servers and reading their figures. */
export interface Server {
  url: string;
  child: ChildProcess;
}

export async function waitFor(url: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The V8 flags `npm start` runs the app with: a 4 MB young-generation semi-space instead of 16 MB.
 * Measured here: about 20 MB less resident memory, idle and under load, for the same CPU per
 * request (a short-lived request allocates far less than 4 MB).
 */
export const APP_NODE_FLAGS = ['--max-semi-space-size=4'];

/** Starts a node process on a free port and waits until `probe` answers 2xx. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  probe: string,
): Promise<Server & { startedInMs: number }> {
  const port = await findFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
      PORT: String(port),
    },
    // The IPC channel lets the child exit when this process ends, however it ends.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}${probe}`);
  return { url, child, startedInMs: performance.now() - started };
}

export async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

/** The `p`-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(/\d+/.exec(line ?? '')?.[0] ?? 0) / 1024);
}

/** CPU time (user + system) a process has used so far, in microseconds. */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** A Cognito emulator with its pool, an SDK client for it, and a token issuer for the app client. */
export interface LocalCognito {
  dataDir: string;
  emulator: EmulatorProcess;
  sdk: CognitoIdentityProviderClient;
  pool: LocalPoolState;
  forge: TokenForge;
  close(): Promise<void>;
}

export async function startLocalCognito(label: string): Promise<LocalCognito> {
  const dataDir = mkdtempSync(join(tmpdir(), `cognito-${label}-`));
  const emulator = await startEmulatorProcess(dataDir, await findFreePort());
  const sdk = createCognitoClient({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    requestTimeoutMs: 5000,
    maxAttempts: 1,
  });
  const pool = await ensureLocalPool(sdk, dataDir, parseEnvironment({}).auth.passwordPolicy);
  const forge = await TokenForge.start(pool.clientId);
  return {
    dataDir,
    emulator,
    sdk,
    pool,
    forge,
    close: async () => {
      await forge.close();
      sdk.destroy();
      await emulator.stop();
    },
  };
}

/** Signs up `email` in the local pool and confirms it as an administrator would. */
export async function confirmedAccount(
  sdk: CognitoIdentityProviderClient,
  pool: LocalPoolState,
  email: string,
  password: string,
): Promise<void> {
  await sdk.send(
    new SignUpCommand({
      ClientId: pool.clientId,
      Username: email,
      Password: password,
      SecretHash: computeSecretHash(email, pool.clientId, pool.clientSecret),
    }),
  );
  await sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: email }));
}

/** The same USER_PASSWORD_AUTH sign-in the app makes, called directly with the SDK. */
export function passwordLogin(
  sdk: CognitoIdentityProviderClient,
  client: { clientId: string; clientSecret: string },
  email: string,
  password: string,
): Promise<InitiateAuthCommandOutput> {
  return sdk.send(
    new InitiateAuthCommand({
      ClientId: client.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: {
        USERNAME: email,
        PASSWORD: password,
        SECRET_HASH: computeSecretHash(email, client.clientId, client.clientSecret),
      },
    }),
  );
}

/** The machine a result was measured on. */
export function machine(): { cpus: number; cpu?: string; memoryGb: number; node: string } {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}
