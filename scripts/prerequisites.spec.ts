import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The check `npm test` runs first, on a PATH that holds only the fake programs each test puts in a
 * scratch folder: nothing here touches the machine's packages.
 */
describe('scripts/prerequisites.js', () => {
  const script = join(__dirname, 'prerequisites.js');
  let bin: string;

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'prereq-bin-'));
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  /** A fake program: a node script, so it needs nothing on the scratch PATH. */
  const fake = (name: string, body = '') =>
    writeFileSync(join(bin, name), `#!${process.execPath}\n${body}\n`, { mode: 0o755 });

  const run = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [script], {
      env: { PATH: bin, ...env },
      encoding: 'utf8',
    });

  /**
   * A fake apt-get that records its arguments and, on `install`, puts a fake program for each
   * package beside itself (or fails when told to). A fake sudo runs it when the test is not root.
   */
  const fakeApt = (fails = false) => {
    fake(
      'apt-get',
      `const fs = require('node:fs');
       fs.appendFileSync(${JSON.stringify(join(bin, 'apt.log'))}, process.argv.slice(2).join(' ') + '\\n');
       if (process.argv[2] === 'install') {
         if (${fails}) process.exit(100);
         for (const pkg of process.argv.slice(3).filter((arg) => !arg.startsWith('-'))) {
           fs.writeFileSync(require('node:path').join(${JSON.stringify(bin)}, pkg), '#!/bin/sh\\n', { mode: 0o755 });
         }
       }`,
    );
    fake(
      'sudo',
      `const args = process.argv.slice(2).filter((arg) => arg !== '-n');
       const result = require('node:child_process').spawnSync(args[0], args.slice(1), { stdio: 'inherit' });
       process.exit(result.status ?? 1);`,
    );
  };

  /** A Python whose `import moto.server` works (exit 0) or fails (exit 1). */
  const fakePython = (name = 'python3', imports = true) =>
    fake(name, imports ? '' : 'process.exit(1)');

  it('passes silently when every program is on the PATH', () => {
    fake('redis-server');
    fake('chromium');
    fakePython();
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toBe('');
  });

  it('stops with one line naming the missing program and its install command when it may not install', () => {
    fakeApt();
    fake('chromium');
    fakePython();
    const result = run({ PREREQUISITES_INSTALL: '0' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'Missing for the tests: redis-server (the Redis tests start their own). ' +
        'Install with: sudo apt-get install -y redis-server',
    ]);
    expect(existsSync(join(bin, 'apt.log'))).toBe(false);
  });

  it('stops with the same line when there is no apt-get to install with', () => {
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Install with: sudo apt-get install -y redis-server');
  });

  it('installs the missing programs with apt-get when it may, and then passes', () => {
    fakeApt();
    fakePython();
    const result = run();
    expect(result.status).toBe(0);
    expect(readFileSync(join(bin, 'apt.log'), 'utf8')).toBe(
      'update -qq\ninstall -y -qq redis-server chromium\n',
    );
    expect(existsSync(join(bin, 'redis-server'))).toBe(true);
    expect(existsSync(join(bin, 'chromium'))).toBe(true);
  });

  it('takes the Chromium that CHROMIUM_PATH names, and counts it missing when that file is not there', () => {
    fake('redis-server');
    fake('other-chromium');
    fakePython();
    expect(run({ CHROMIUM_PATH: join(bin, 'other-chromium') }).status).toBe(0);
    const missing = run({ CHROMIUM_PATH: join(bin, 'nothing-here'), PREREQUISITES_INSTALL: '0' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('chromium (the browser tests drive it)');
  });

  it('stops with the line when the install fails', () => {
    fakeApt(true);
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Missing for the tests: redis-server');
  });

  const MOTO_LINE = (python: string) =>
    `Missing for the tests: moto's server (the identity-pool tests start it): ` +
    `\`${python} -c "import moto.server"\` fails. ` +
    "Install with: python3 -m pip install 'moto[server]' (no Debian package has it), " +
    'or set MOTO_PYTHON to a Python that has it';

  it("stops with one line saying how to get moto's server when python3 cannot import it", () => {
    fakeApt();
    fake('redis-server');
    fake('chromium');
    fakePython('python3', false);
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([MOTO_LINE('python3')]);
    // moto is no Debian package: nothing is installed for it.
    expect(existsSync(join(bin, 'apt.log'))).toBe(false);
  });

  it('stops with the same line when there is no python3 at all', () => {
    fake('redis-server');
    fake('chromium');
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([MOTO_LINE('python3')]);
  });

  it('checks moto with the Python that MOTO_PYTHON names', () => {
    fake('redis-server');
    fake('chromium');
    fakePython('python3', false);
    fakePython('moto-python');
    expect(run({ MOTO_PYTHON: join(bin, 'moto-python') }).status).toBe(0);
    fakePython('moto-python', false);
    const missing = run({ MOTO_PYTHON: join(bin, 'moto-python') });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trimEnd()).toBe(MOTO_LINE(join(bin, 'moto-python')));
  });

  it('finds moto in pyenv’s python3 when the python3 on the PATH lacks it', () => {
    fake('redis-server');
    fake('chromium');
    fakePython('python3', false);
    const shims = join(bin, 'pyenv', 'shims');
    mkdirSync(shims, { recursive: true });
    writeFileSync(join(shims, 'python3'), `#!${process.execPath}\n`, { mode: 0o755 });
    expect(run({ PYENV_ROOT: join(bin, 'pyenv') }).status).toBe(0);
    writeFileSync(join(shims, 'python3'), `#!${process.execPath}\nprocess.exit(1)\n`, {
      mode: 0o755,
    });
    const missing = run({ PYENV_ROOT: join(bin, 'pyenv') });
    expect(missing.stderr.trimEnd()).toBe(MOTO_LINE('python3'));
  });
});
