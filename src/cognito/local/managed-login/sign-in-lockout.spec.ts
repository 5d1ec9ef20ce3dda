import { SignInLockout } from './sign-in-lockout';

describe(SignInLockout.name, () => {
  it('locks an account out after 5 failures, 2^(n-5) seconds per further failure, up to 15 minutes', () => {
    let now = 0;
    const lockout = new SignInLockout(() => now);
    for (let i = 0; i < 5; i++) lockout.failed('A@example.com');
    expect(lockout.lockedFor('a@example.com')).toBe(0);
    lockout.failed('a@example.com');
    expect(lockout.lockedFor('a@example.com')).toBe(2);
    lockout.failed('a@example.com');
    expect(lockout.lockedFor(' A@EXAMPLE.com ')).toBe(4);
    for (let i = 0; i < 20; i++) lockout.failed('a@example.com');
    expect(lockout.lockedFor('a@example.com')).toBe(900);
    now += 900_000;
    expect(lockout.lockedFor('a@example.com')).toBe(0);
    expect(lockout.lockedFor('b@example.com')).toBe(0);
  });

  it('forgets the failures of an account that signs in', () => {
    const lockout = new SignInLockout(() => 0);
    for (let i = 0; i < 6; i++) lockout.failed('a@example.com');
    lockout.succeeded('a@example.com');
    lockout.failed('a@example.com');
    expect(lockout.lockedFor('a@example.com')).toBe(0);
  });
});
