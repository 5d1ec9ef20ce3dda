/**
 * The embedded DynamoDB's process (started by ./dynalite-process): dynalite serving DynamoDB's
 * JSON API on 127.0.0.1, its LevelDB data in DYNALITE_PATH. It reports its port to the parent over
 * the IPC channel once listening, and exits when that channel closes or on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { createDynaliteServer } from './dynalite-server';

// Everything LevelDB writes is the owner's only: 0700 folders, 0600 files.
process.umask(0o077);

const path = process.env.DYNALITE_PATH;
const host = process.env.DYNALITE_HOST ?? '127.0.0.1';
const port = Number(process.env.DYNALITE_PORT ?? '0');

function report(message: { ready: number } | { error: string }): void {
  process.send?.(message);
}

if (!path) {
  report({ error: 'DYNALITE_PATH is not set' });
  process.exit(1);
}

const server = createDynaliteServer({
  path,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
});
server.once('error', (error: NodeJS.ErrnoException) => {
  report({ error: error.code ?? error.message });
  process.exit(1);
});
server.listen(port, host, () => {
  report({ ready: (server.address() as AddressInfo).port });
});

/** Closes the LevelDB store cleanly (its files stay consistent), within a bound. */
function shutDown(): void {
  setTimeout(() => process.exit(0), 1500).unref();
  server.closeAllConnections();
  server.close(() => process.exit(0));
}
process.once('SIGTERM', shutDown);
process.once('SIGINT', shutDown);
