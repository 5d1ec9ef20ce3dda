'use strict';
// Which Python runs moto's server for the tests: MOTO_PYTHON when set; else `python3` from the
// PATH when it imports moto.server; else pyenv's python3 ($PYENV_ROOT, or ~/.pyenv), where a pip
// install lands for a pyenv user, when it does; else `python3` (and the caller reports it).
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const MOTO_MODULE = 'moto.server';

/** Whether `python` runs and imports moto's server. */
function importsMoto(python) {
  const result = spawnSync(python, ['-c', `import ${MOTO_MODULE}`], {
    stdio: 'ignore',
    timeout: 60_000,
  });
  return !result.error && result.status === 0;
}

/** The Python the tests start moto with (see above). */
function motoPython(env = process.env) {
  if (env.MOTO_PYTHON) return env.MOTO_PYTHON;
  if (importsMoto('python3')) return 'python3';
  const root = env.PYENV_ROOT || (env.HOME ? join(env.HOME, '.pyenv') : undefined);
  const pyenv = root ? join(root, 'shims', 'python3') : undefined;
  if (pyenv && existsSync(pyenv) && importsMoto(pyenv)) return pyenv;
  return 'python3';
}

module.exports = { MOTO_MODULE, importsMoto, motoPython };
