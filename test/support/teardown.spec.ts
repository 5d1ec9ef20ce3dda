import { release } from './teardown';

describe(release.name, () => {
  it('skips what was never started and closes or stops the rest in order', async () => {
    const order: string[] = [];
    const app = { close: () => order.push('app') };
    const redis = { stop: () => Promise.resolve(order.push('redis')) };
    const neverStarted: { close(): void } | undefined = undefined;
    await expect(release(neverStarted, app, undefined, redis)).resolves.toBeUndefined();
    expect(order).toEqual(['app', 'redis']);
  });

  it('closes every one even when an earlier one fails, then throws the first failure', async () => {
    const closed: string[] = [];
    const failing = {
      close: () => Promise.reject(new Error('first')),
    };
    const second = { stop: () => Promise.reject(new Error('second')) };
    const third = { close: () => closed.push('third') };
    await expect(release(failing, second, third)).rejects.toThrow('first');
    expect(closed).toEqual(['third']);
  });
});
