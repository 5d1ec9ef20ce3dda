import { createServer } from 'node:net';

/** The HTTP port cannot be bound: a start-up problem told in one line, like a bad setting. */
export class PortUnavailableError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly code: string | undefined,
  ) {
    super(
      code === 'EADDRINUSE'
        ? `port ${port} is in use: set PORT`
        : `port ${port} cannot be used on ${host} (${code ?? 'unknown error'}): set PORT or HOST`,
    );
    this.name = 'PortUnavailableError';
  }
}

/**
 * Why `port` cannot be bound on `host` (`EADDRINUSE`, `EACCES`, ...), or undefined when it is
 * free: the port is bound for a moment and released at once.
 */
export function portProblem(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

export async function isPortFree(port: number, host: string): Promise<boolean> {
  return (await portProblem(port, host)) === undefined;
}

/** Throws PortUnavailableError unless `port` can be bound on `host` now. */
export async function assertPortAvailable(port: number, host: string): Promise<void> {
  const problem = await portProblem(port, host);
  if (problem) throw new PortUnavailableError(port, host, problem);
}
