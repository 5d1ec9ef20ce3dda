import { randomBytes } from 'node:crypto';
import { SealedBox } from './sealed-box';

describe(SealedBox.name, () => {
  const secret = randomBytes(32);
  let now = 1_000_000;
  const box = new SealedBox(secret, 'purpose A', () => now);

  it('opens what it sealed, for the same context, within the lifetime', () => {
    const sealed = box.seal({ state: 's1', returnTo: '/home' }, 60, ['user']);
    expect(sealed).toMatch(/^[\w-]+$/);
    expect(sealed).not.toContain('home');
    expect(box.open(sealed, ['user'])).toEqual({
      value: { state: 's1', returnTo: '/home' },
      id: expect.any(String),
      expiresAt: now + 60_000,
    });
  });

  it('refuses another context, another purpose, another key, a tampered or expired value', () => {
    const sealed = box.seal('value', 60, ['user']);
    expect(box.open(sealed, ['someone else'])).toBeUndefined();
    expect(new SealedBox(secret, 'purpose B', () => now).open(sealed, ['user'])).toBeUndefined();
    expect(new SealedBox(randomBytes(32), 'purpose A').open(sealed, ['user'])).toBeUndefined();
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(box.open(bytes.toString('base64url'), ['user'])).toBeUndefined();
    expect(box.open(`${sealed}!`, ['user'])).toBeUndefined();
    expect(box.open('', ['user'])).toBeUndefined();
    now += 60_000;
    expect(box.open(sealed, ['user'])).toBeUndefined();
  });

  it('gives every sealed value its own id', () => {
    const first = box.open(box.seal('x', 60), []);
    const second = box.open(box.seal('x', 60), []);
    expect(first?.id).toBeDefined();
    expect(first?.id).not.toBe(second?.id);
  });
});
