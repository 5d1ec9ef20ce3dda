import type { ChildProcess } from 'node:child_process';
import { chmodSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';

/**
 * The `node -e` script that starts a child process of the embedded mode from `entry` (a path
 * without its extension). Built, the entry is JavaScript; when this file
 * runs as TypeScript source (under the test runner), the child compiles the sources it loads with
 * the typescript devDependency. The child exits when its IPC channel to this process closes: the
 * handler comes first, so no moment of loading escapes it.
 */
export function childBootstrap(entry: string): string {
  const extension = extname(__filename);
  const compileTypeScript =
    extension === '.ts'
      ? `const ts = require(${JSON.stringify(require.resolve('typescript'))});
require.extensions['.ts'] = (module, file) => module._compile(ts.transpileModule(
  require('node:fs').readFileSync(file, 'utf8'),
  { fileName: file, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } },
).outputText, file);
`
      : '';
  return `process.on('disconnect', () => process.exit(0));
${compileTypeScript}require(${JSON.stringify(`${entry}${extension}`)});`;
}

/** Owner-only access for what the data folder holds: 0700 for folders, 0600 for files. */
export function restrict(path: string, folder: boolean): void {
  chmodSync(path, folder ? 0o700 : 0o600);
}

/** Owner-only access for a folder and everything under it. */
export function restrictTree(folder: string): void {
  restrict(folder, true);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) restrictTree(join(folder, entry.name));
    else if (entry.isFile()) restrict(join(folder, entry.name), false);
  }
}

/**
 * How to stop a child process: SIGTERM, then SIGKILL after `graceMs`, resolving once it has
 * exited. A child already gone resolves at once.
 */
export function stopper(child: ChildProcess, graceMs: number): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Keep this process alive until the child is gone (it was unref'd while running).
    child.ref();
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!ended) {
      child.kill('SIGKILL');
      await exited;
    }
  };
}
