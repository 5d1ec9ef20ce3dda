/**
 * The embedded DynamoDB's process (started by ./dynalite-process): dynalite serving DynamoDB's
 * JSON API on 127.0.0.1, its LevelDB data in the folder its first argument names. It reports its port to the parent over
 * the IPC channel once listening, and exits when that channel closes or on SIGTERM.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDynaliteServer } from './dynalite-server';

// Everything LevelDB writes is the owner's only: 0700 folders, 0600 files.
process.umask(0o077);

// Its arguments (after `node -e <bootstrap>`): the data folder, the host, the port.
const [, path, host = '127.0.0.1', portText = '0'] = process.argv;
const port = Number(portText);

function report(message: { ready: number } | { error: string }): void {
  process.send?.(message);
}

if (!path) {
  report({ error: 'no data folder was given' });
  process.exit(1);
}

const server = createDynaliteServer({
  path,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
});
// Only this machine's own programs, by a loopback name: a page of another site gets nothing, not
// even by renaming itself to 127.0.0.1 (DNS rebinding; its Host stays its own), and no page may
// call it from a browser at all (dynalite answers any origin's CORS preflight itself).
const [dynaliteHandler] = server.listeners('request') as RequestListener[];
server.removeAllListeners('request');
server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const { port: own } = server.address() as AddressInfo;
  const host = req.headers.host;
  const loopback = host === `127.0.0.1:${own}` || host === `localhost:${own}`;
  if (!loopback || req.headers.origin !== undefined) {
    req.resume();
    res.writeHead(loopback ? 403 : 421, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(
      JSON.stringify({
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message: 'This local store answers only programs on this machine, by a loopback address.',
      }),
    );
    return;
  }
  dynaliteHandler.call(server, req, res);
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
