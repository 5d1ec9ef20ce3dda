import type { FastifyReply } from 'fastify';
import { AppException } from '../common/errors/app.exception';
import { DemoController } from './demo.controller';

interface Recorded {
  headers: Record<string, string>;
  body?: string;
}

/** A reply that records what the controller sends. */
function reply(): FastifyReply & { recorded: Recorded } {
  const recorded: Recorded = { headers: {} };
  const fake = {
    recorded,
    header(name: string, value: string) {
      recorded.headers[name] = value;
      return fake;
    },
    send(body: string) {
      recorded.body = body;
      return fake;
    },
  };
  return fake as unknown as FastifyReply & { recorded: Recorded };
}

describe(DemoController.name, () => {
  const config = (nodeEnv: 'development' | 'production' | 'test') =>
    ({ nodeEnv }) as ConstructorParameters<typeof DemoController>[0];

  it('serves the page and its script in development', async () => {
    const controller = new DemoController(config('development'));
    const page = reply();
    await controller.page(page);
    expect(page.recorded.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.recorded.body).toContain('<script type="module" src="/demo/assets/app.js">');
    // An icon of its own (allowed by the CSP's img-src data:): no /favicon.ico 404 in the console.
    expect(page.recorded.body).toContain('<link rel="icon" href="data:," />');
    const script = reply();
    await controller.asset('app.js', script);
    // Browser JavaScript: types gone, the client imported from this route's own file.
    expect(script.recorded.body).toContain("from '/demo/assets/client.js'");
    expect(script.recorded.body).not.toMatch(/import type|: HTMLInputElement/);
  });

  it('refuses everything in production: 404, like a route that does not exist', async () => {
    const controller = new DemoController(config('production'));
    for (const call of [
      () => controller.page(reply()),
      () => controller.asset('app.js', reply()),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(AppException);
      await expect(call()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('serves only its own files', async () => {
    const controller = new DemoController(config('development'));
    await expect(controller.asset('../../package.json', reply())).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
