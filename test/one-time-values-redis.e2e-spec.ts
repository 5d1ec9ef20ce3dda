import { OneTimeValues } from '../src/federation/one-time-values';
import { TestRedis } from './support/redis-server';

/** Until the instance's Redis connection is up: commands before it use the instance's memory. */
async function connected(values: OneTimeValues): Promise<void> {
  for (let attempt = 0; attempt < 50 && values['redis']?.ready !== true; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The one-time values of sign-in with a provider (answered states, login codes) across instances. */
describe('OneTimeValues on Redis (e2e)', () => {
  let redis: TestRedis;
  let one: OneTimeValues;
  let two: OneTimeValues;

  beforeAll(async () => {
    redis = await TestRedis.start();
    one = new OneTimeValues(redis.url);
    two = new OneTimeValues(redis.url);
    await Promise.all([connected(one), connected(two)]);
  });
  afterAll(async () => {
    await one.onModuleDestroy();
    await two.onModuleDestroy();
    await redis.stop();
  });

  it('refuses at one instance a claim made at another', async () => {
    expect(await one.claim('state:shared', 5000)).toBe(true);
    expect(await two.claim('state:shared', 5000)).toBe(false);
  });

  it('gives a value put at one instance to the first taker at any instance, once', async () => {
    await one.put('code:shared', 'sealed', 5000);
    const [first, second] = await Promise.all([two.take('code:shared'), one.take('code:shared')]);
    expect([first, second].filter((value) => value === 'sealed')).toHaveLength(1);
    expect([first, second]).toContain(undefined);
  });

  it('keeps working on its own memory while Redis is down, and shares again once it is back', async () => {
    await redis.stop();
    expect(await one.claim('state:offline', 5000)).toBe(true);
    expect(await one.claim('state:offline', 5000)).toBe(false);
    await one.put('code:offline', 'sealed', 5000);
    expect(await one.take('code:offline')).toBe('sealed');
    await redis.resume();
    await Promise.all([connected(one), connected(two)]);
    expect(await one.claim('state:back', 5000)).toBe(true);
    expect(await two.claim('state:back', 5000)).toBe(false);
  });
});
