import { createServer, type Server } from 'node:net';
import { assertPortAvailable, isPortFree, PortUnavailableError, portProblem } from './port';

describe('port checks', () => {
  let taken: Server;
  let port: number;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('names a port in use and lets the owner keep it', async () => {
    await expect(portProblem(port, '127.0.0.1')).resolves.toBe('EADDRINUSE');
    await expect(isPortFree(port, '127.0.0.1')).resolves.toBe(false);
    expect(taken.listening).toBe(true);
  });

  it('refuses a port in use with one line that says what to set', async () => {
    const refusal = assertPortAvailable(port, '127.0.0.1');
    await expect(refusal).rejects.toBeInstanceOf(PortUnavailableError);
    await expect(refusal).rejects.toThrow(new RegExp(`^port ${port} is in use: set PORT$`));
  });

  it('finds a free port free, and leaves it free', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const free = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(assertPortAvailable(free, '127.0.0.1')).resolves.toBeUndefined();
    await expect(isPortFree(free, '127.0.0.1')).resolves.toBe(true);
  });

  it('names any other reason a port cannot be bound', () => {
    expect(new PortUnavailableError(80, '0.0.0.0', 'EACCES').message).toBe(
      'port 80 cannot be used on 0.0.0.0 (EACCES): set PORT or HOST',
    );
  });
});
