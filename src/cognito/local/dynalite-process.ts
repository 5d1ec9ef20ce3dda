import { spawn } from 'node:child_process';
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childBootstrap, restrict, restrictTree, stopper } from './child-process';

export const DYNALITE_HOST = '127.0.0.1';
/** The embedded DynamoDB's folder in the data folder (LevelDB files). */
export const DYNALITE_DIR = 'dynalite';
/** The embedded DynamoDB's own output, in the data folder. */
const DYNALITE_LOG = 'dynalite.log';

export interface DynaliteProcess {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: DynamoDB's JSON API. */
  readonly endpoint: string;
  /** Where the tables are kept: `<dataDir>/dynalite`. */
  readonly dataPath: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export function dynaliteDir(dataDir: string): string {
  return join(dataDir, DYNALITE_DIR);
}

/**
 * Starts dynalite (DynamoDB's API on LevelDB, for development only) as a child process on
 * 127.0.0.1, its tables in `<dataDir>/dynalite` (owner-only), on `port` (0: any free one). The
 * child is given an IPC channel and exits when that channel closes, so it cannot outlive this
 * process even if this one is killed outright. `nodeEnv` `production` is refused: production keeps
 * user data in Amazon DynamoDB.
 */
export async function startDynaliteProcess(
  dataDir: string,
  port: number,
  nodeEnv: string,
  startTimeoutMs = 15000,
): Promise<DynaliteProcess> {
  if (nodeEnv === 'production') {
    throw new Error(
      'The embedded DynamoDB is for development only; NODE_ENV=production keeps user data in a ' +
        'DynamoDB table (SYNC_TABLE)',
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrict(dataDir, true);
  const dataPath = dynaliteDir(dataDir);
  mkdirSync(dataPath, { recursive: true, mode: 0o700 });
  // Files an earlier start left under another umask.
  restrictTree(dataPath);

  const logFile = join(dataDir, DYNALITE_LOG);
  const logFd = openSync(logFile, 'w', 0o600);
  fchmodSync(logFd, 0o600);
  // Where to keep the data and listen: its arguments (dynalite.main.ts).
  const args = [dataPath, DYNALITE_HOST, String(port)];
  const bootstrap = childBootstrap(join(__dirname, 'dynalite.main'));
  const child = spawn(process.execPath, ['-e', bootstrap, ...args], {
    // Its own folder: the process working in the data folder itself is the emulator.
    cwd: dataPath,
    // None of this process's variables, secrets included, are passed on.
    env: { NODE_ENV: 'development' },
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  closeSync(logFd);

  const stop = stopper(child, 3000);

  let listening: number;
  try {
    listening = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`it did not listen within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      child.on('message', (message: { ready?: number; error?: string }) => {
        clearTimeout(timer);
        if (typeof message.ready === 'number') resolve(message.ready);
        else reject(new Error(message.error ?? 'it reported an unknown problem'));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`it exited during start-up (code ${code})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    await stop();
    const log = existsSync(logFile)
      ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')
      : '';
    throw new Error(
      `Could not start the embedded DynamoDB (dynalite) in ${dataPath}: ${(error as Error).message}\n${log}`,
    );
  }
  // The IPC channel only signals liveness; it must not keep this process alive by itself.
  child.removeAllListeners('message');
  child.unref();
  child.channel?.unref();
  return {
    port: listening,
    endpoint: `http://${DYNALITE_HOST}:${listening}`,
    dataPath,
    pid: child.pid ?? -1,
    stop,
  };
}
