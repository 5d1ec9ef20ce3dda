import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './processes';
import { startMoto } from './moto-server';

/** Pids of the processes whose command line holds `text` (Linux /proc). */
function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const answers = async (endpoint: string) => {
  try {
    const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    return response.ok;
  } catch {
    return false;
  }
};

/** A Node process that loads moto-server.ts (transpiled on require), starts moto, prints where. */
const PARENT = `
const { readFileSync } = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, file) =>
  module._compile(
    ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
    }).outputText,
    file,
  );
require(process.argv[1]).startMoto().then((moto) => console.log(moto.endpoint));
`;

describe('startMoto', () => {
  const saved = process.env.MOTO_PYTHON;
  let bin: string;

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'moto-bin-'));
  });
  afterEach(() => {
    rmSync(bin, { recursive: true, force: true });
    if (saved === undefined) delete process.env.MOTO_PYTHON;
    else process.env.MOTO_PYTHON = saved;
  });

  it('fails with one error saying how to get moto when its Python cannot import it', async () => {
    const python = join(bin, 'python-without-moto');
    writeFileSync(
      python,
      `#!${process.execPath}\nprocess.stderr.write("ModuleNotFoundError: No module named 'moto'\\n"); process.exit(1);\n`,
      { mode: 0o755 },
    );
    process.env.MOTO_PYTHON = python;
    await expect(startMoto()).rejects.toThrow(
      "moto's server is needed by this test: `python3 -m pip install 'moto[server]'`",
    );
    await expect(startMoto()).rejects.toThrow(/set MOTO_PYTHON to a Python that has it/);
    await expect(startMoto()).rejects.toThrow(/No module named 'moto'/);
  });

  it('fails the same way when MOTO_PYTHON names nothing', async () => {
    process.env.MOTO_PYTHON = join(bin, 'nothing-here');
    await expect(startMoto()).rejects.toThrow(/pip install 'moto\[server\]'.*could not be run/s);
  });

  it('answers on loopback, resets, and is gone after stop()', async () => {
    const moto = await startMoto();
    const port = new URL(moto.endpoint).port;
    try {
      expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await moto.reset();
      expect(processesWith(`-p\0${port}`)).toHaveLength(1);
    } finally {
      await moto.stop();
      await moto.stop();
    }
    expect(await answers(moto.endpoint)).toBe(false);
    expect(processesWith(`-p\0${port}`)).toEqual([]);
  });

  it('does not outlive the process that started it, even one killed outright', async () => {
    // A parent that starts moto, prints its endpoint and waits; then it is SIGKILLed.
    const parent = spawn(process.execPath, ['-e', PARENT, join(__dirname, 'moto-server.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(
      () => {
        if (parent.exitCode !== null) throw new Error(`the parent exited (${parent.exitCode})`);
        return out.includes('http://');
      },
      20_000,
      'moto started by the parent',
    );
    const endpoint = out.trim();
    const port = new URL(endpoint).port;
    expect(await answers(endpoint)).toBe(true);
    parent.kill('SIGKILL');
    await eventually(
      () => processesWith(`-p\0${port}`).length === 0,
      5000,
      'moto to exit with its parent',
    );
  }, 30_000);
});
