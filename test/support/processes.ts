import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Pids of the processes whose working directory is `dir`: the embedded emulator runs with its
 * data folder as working directory, so this finds it without knowing its pid (Linux /proc).
 */
export function processesIn(dir: string): number[] {
  const wanted = resolve(dir);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === wanted) pids.push(Number(entry));
    } catch {
      // Gone already, or not ours to inspect.
    }
  }
  return pids;
}

/** The parent process of `pid` (Linux /proc). */
export function parentOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
}

/** Waits until `check` is true, polling, or fails after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
