#!/usr/bin/env node
// Runs before `npm test` (and `npm run test:e2e`): makes sure the programs the tests start are on
// this machine, so no suite fails deep inside on a missing binary.
//
// For each missing program: when this user may install Debian packages (root, or sudo without a
// password) and apt-get exists, it installs the package; otherwise it stops at once with one line
// naming what is missing and the command that installs it. PREREQUISITES_INSTALL=0 turns the
// installing off (check only).
//
// moto's server (a Python package, which no Debian package provides) is only checked: when no
// Python the tests would use imports moto.server (MOTO_PYTHON, python3, pyenv's python3:
// scripts/moto-python.js), it stops with one line saying how to get it.
'use strict';
const { spawnSync } = require('node:child_process');
const { accessSync, constants, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');
const { MOTO_MODULE, importsMoto, motoPython } = require('./moto-python');

/** The programs the test suite starts, each with the Debian package that provides it. */
const PROGRAMS = [
  { command: 'redis-server', pkg: 'redis-server', usedBy: 'the Redis tests start their own' },
  {
    command: 'chromium',
    pkg: 'chromium',
    usedBy: 'the browser tests drive it',
    // Another build of Chromium, named by the variable the browser tests read.
    override: 'CHROMIUM_PATH',
  },
];

/** moto's server, which the identity-pool tests start as an independent Cognito. */
const MOTO = {
  module: MOTO_MODULE,
  usedBy: 'the identity-pool tests start it',
  // Another Python, named by the variable the tests read.
  override: 'MOTO_PYTHON',
};

function onPath(command) {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => executable(join(dir || '.', command)));
}

/** How to run apt-get here: directly as root, through sudo without a password, or not at all. */
function aptRunner() {
  if (process.env.PREREQUISITES_INSTALL === '0' || !onPath('apt-get')) return undefined;
  if (typeof process.getuid === 'function' && process.getuid() === 0) return [];
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) {
    return ['sudo', '-n'];
  }
  return undefined;
}

function apt(prefix, args) {
  const [command, ...rest] = [...prefix, 'apt-get', ...args];
  return spawnSync(command, rest, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function present(program) {
  const override = program.override && process.env[program.override];
  return override ? executable(override) : onPath(program.command);
}

function checkMoto() {
  const python = motoPython();
  if (importsMoto(python)) return 0;
  process.stderr.write(
    `Missing for the tests: moto's server (${MOTO.usedBy}): \`${python} -c "import ${MOTO.module}"\` fails. ` +
      `Install with: python3 -m pip install 'moto[server]' (no Debian package has it), ` +
      `or set ${MOTO.override} to a Python that has it\n`,
  );
  return 1;
}

function main() {
  const programs = checkPrograms();
  const moto = checkMoto();
  return programs || moto;
}

function checkPrograms() {
  const missing = PROGRAMS.filter((program) => !present(program));
  if (missing.length === 0) return 0;

  const packages = missing.map((program) => program.pkg).join(' ');
  const names = missing.map((program) => `${program.command} (${program.usedBy})`).join(', ');
  const runner = aptRunner();
  if (runner) {
    process.stdout.write(`Installing ${packages} for the tests (apt-get)...\n`);
    const installed =
      apt(runner, ['update', '-qq']) === 0 &&
      apt(runner, ['install', '-y', '-qq', ...missing.map((program) => program.pkg)]) === 0;
    const still = missing.filter((program) => !present(program));
    if (installed && still.length === 0) return 0;
  }
  process.stderr.write(
    `Missing for the tests: ${names}. Install with: sudo apt-get install -y ${packages}\n`,
  );
  return 1;
}

process.exitCode = main();
