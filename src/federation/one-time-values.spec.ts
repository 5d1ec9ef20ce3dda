import { OneTimeValues } from './one-time-values';

describe(OneTimeValues.name, () => {
  describe('in memory (one instance)', () => {
    let now = 1_000;
    const values = new OneTimeValues(undefined, () => now);

    it('lets a key be claimed once within its lifetime, and again after it', async () => {
      expect(await values.claim('state:a', 1000)).toBe(true);
      expect(await values.claim('state:a', 1000)).toBe(false);
      now += 1000;
      expect(await values.claim('state:a', 1000)).toBe(true);
    });

    it('gives a value back once, and never after it expired', async () => {
      await values.put('code:x', 'sealed', 1000);
      expect(await values.take('code:x')).toBe('sealed');
      expect(await values.take('code:x')).toBeUndefined();
      await values.put('code:y', 'sealed', 1000);
      now += 1000;
      expect(await values.take('code:y')).toBeUndefined();
    });
  });
});
