import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the embedded mode's stand-ins listen: loopback only. */
export const STAND_IN_HOST = '127.0.0.1';

/**
 * The HTTP server under each of the embedded mode's stand-ins (the managed login's, the identity
 * pool's): on 127.0.0.1 only, at the port asked for (0: any free one), every request handed to
 * `handle` and any failure of it to `fail`.
 */
export class LoopbackServer {
  private constructor(
    private readonly server: Server,
    /** The port it listens on. */
    readonly port: number,
  ) {}

  static listen(
    port: number,
    handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
    fail: (res: ServerResponse, error: unknown) => void,
  ): Promise<LoopbackServer> {
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => fail(res, error));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, STAND_IN_HOST, () => {
        server.off('error', reject);
        resolve(new LoopbackServer(server, (server.address() as AddressInfo).port));
      });
    });
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://${STAND_IN_HOST}:${this.port}`;
  }

  /**
   * Whether a request was sent to this server by one of its loopback names. A page of another site
   * that renamed itself to 127.0.0.1 (DNS rebinding) sends its own name instead.
   */
  isOwnHost(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return host === `${STAND_IN_HOST}:${this.port}` || host === `localhost:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
