import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { findFreePort } from '../../src/cognito/local/emulator-process';

/** How long moto may take to answer after it is spawned (it usually needs under a second). */
const START_TIMEOUT_MS = 20_000;

/**
 * What to do when moto is not there: it is a Python package (no Debian package provides it), which
 * the machine image installs in pyenv's Python.
 */
const HOW_TO_GET_MOTO =
  "moto's server is needed by this test: `python3 -m pip install 'moto[server]'` " +
  "(the machine image has it in pyenv's Python); set MOTO_PYTHON to a Python that has it";

/**
 * `python -m moto.server`, which also exits when its standard input closes: this process holds the
 * other end, so the server cannot outlive it, even if it is killed outright (moto's server starts
 * no processes of its own).
 */
const OUTLIVE_NOTHING = `
import os, runpy, sys, threading
def watch():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
sys.argv[0] = "moto.server"
runpy.run_module("moto.server", run_name="__main__", alter_sys=True)
`;

/** A moto server (an independent AWS mock, here for Cognito user and identity pools) on loopback. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`, the endpoint for every SDK client. */
  readonly endpoint: string;
  /** Wipes every pool, user and identity (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Kills the server; safe to call twice. */
  stop(): Promise<void>;
}

/** The Python that runs moto: MOTO_PYTHON, else `python3` or pyenv's, whichever has moto. */
export function motoPython(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const finder = require('../../scripts/moto-python.js') as { motoPython: () => string };
  return finder.motoPython();
}

/**
 * Starts `python -m moto.server` on a free loopback port and waits until it answers. Throws one
 * error naming what is missing (and how to get it) when moto cannot be imported or does not start:
 * a suite that needs moto fails, it is never skipped.
 */
export async function startMoto(): Promise<MotoServer> {
  const python = motoPython();
  const probe = spawnSync(python, ['-c', 'import moto.server'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error
      ? `${python} could not be run (${probe.error.message})`
      : `\`${python} -c "import moto.server"\` failed: ${lastLine(probe.stderr)}`;
    throw new Error(`${HOW_TO_GET_MOTO}. ${why}`);
  }

  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-c', OUTLIVE_NOTHING, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const server = new RunningMoto(endpoint, child);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await server.answers())) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const what =
        child.exitCode !== null || child.signalCode !== null
          ? `exited (${child.exitCode ?? child.signalCode})`
          : `did not answer within ${START_TIMEOUT_MS / 1000} s`;
      await server.stop();
      throw new Error(
        `${HOW_TO_GET_MOTO}. \`${python} -m moto.server\` on port ${port} ${what}:\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server;
}

class RunningMoto implements MotoServer {
  constructor(
    readonly endpoint: string,
    private child?: ChildProcess,
  ) {}

  async answers(): Promise<boolean> {
    try {
      const response = await fetch(`${this.endpoint}/moto-api/reset`, {
        method: 'POST',
        signal: AbortSignal.timeout(1000),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  async reset(): Promise<void> {
    const response = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`moto refused the reset: HTTP ${response.status}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .pop() ?? 'no output'
  );
}

/** Signs with moto's own key: imports moto's key file and signs as moto does (joserfc). */
const SIGN_WITH_MOTO_KEY = `
import json, sys
from joserfc import jwk, jwt
from moto.utilities.utils import load_resource
key = jwk.RSAKey.import_key(load_resource("moto.cognitoidp.models", "resources/jwks-private.json"))
print(json.dumps([jwt.encode({"kid": "dummy", "alg": "RS256"}, c, key) for c in json.load(sys.stdin)]))
`;

/**
 * Tokens signed with the key every moto user pool signs with (its `kid` is `dummy`), with any
 * claims: they pass the signature check of any moto pool's JWKS, so only the claims can make the
 * app refuse them. One Python run for all of them.
 */
export function signWithMotoKey(claims: object[]): string[] {
  const python = motoPython();
  const result = spawnSync(python, ['-c', SIGN_WITH_MOTO_KEY], {
    input: JSON.stringify(claims),
    encoding: 'utf8',
    // Not the working tree: a folder named like one of moto's modules must not shadow it.
    cwd: tmpdir(),
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${HOW_TO_GET_MOTO}. Signing with moto's key failed: ${result.error?.message ?? lastLine(result.stderr)}`,
    );
  }
  return JSON.parse(result.stdout) as string[];
}
