import { HttpStatus } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { httpConfig } from '../../config';
import { PasswordFailures } from './password-failures';
import { RateLimitStore } from './rate-limit.store';

const wrongPassword = () =>
  Promise.reject(
    new AppException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_CREDENTIALS, 'Incorrect.'),
  );
const rightPassword = () => Promise.resolve('signed in');

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof AppException ? error.code : String(error);
  }
}

describe(PasswordFailures.name, () => {
  let store: RateLimitStore;
  let budget: PasswordFailures;

  beforeEach(() => {
    store = new RateLimitStore();
    budget = new PasswordFailures(
      {
        rateLimit: { passwordFailures: { perAddress: 3, perAccount: 5, windowSeconds: 900 } },
      } as ConfigType<typeof httpConfig>,
      store,
    );
  });
  afterEach(() => store.onModuleDestroy());

  it('refuses an address past its share with 429 and Retry-After, without trying the password', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect(await outcome(budget.attempt('a@example.com', '1.1.1.1', wrongPassword))).toBe(
        'INVALID_CREDENTIALS',
      );
    }
    const check = jest.fn(rightPassword);
    const refused = await budget
      .attempt('A@Example.com ', '1.1.1.1', check)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect((refused as AppException).retryAfterSeconds).toBeGreaterThan(800);
    expect(check).not.toHaveBeenCalled();
    // Another address still gets in with the right password; another account is untouched.
    expect(await outcome(budget.attempt('a@example.com', '2.2.2.2', rightPassword))).toBe('ok');
    expect(await outcome(budget.attempt('b@example.com', '1.1.1.1', rightPassword))).toBe('ok');
  });

  it('caps the account across addresses, whichever route checked the password', async () => {
    const wrongCurrent = () =>
      Promise.reject(new AppException(400, ErrorCode.INCORRECT_PASSWORD, 'Incorrect.'));
    const rejectedChange = () =>
      Promise.reject(new AppException(400, ErrorCode.PASSWORD_CHANGE_REJECTED, 'Refused.'));
    await outcome(budget.attempt('a@example.com', '1.1.1.1', wrongPassword));
    await outcome(budget.attempt('a@example.com', '1.1.1.1', wrongCurrent));
    await outcome(budget.attempt('a@example.com', '2.2.2.2', rejectedChange));
    await outcome(budget.attempt('a@example.com', '2.2.2.2', wrongPassword));
    await outcome(budget.attempt('a@example.com', '3.3.3.3', wrongCurrent));
    // Five failures from three addresses: the account's ceiling holds even for a fresh address.
    expect(await outcome(budget.attempt('a@example.com', '4.4.4.4', rightPassword))).toBe(
      'TOO_MANY_REQUESTS',
    );
  });

  it('counts only wrong passwords: successes and other failures are taken back', async () => {
    const unavailable = () =>
      Promise.reject(new AppException(503, ErrorCode.UPSTREAM_UNAVAILABLE, 'Down.'));
    for (let i = 0; i < 10; i += 1) {
      expect(await outcome(budget.attempt('a@example.com', '1.1.1.1', rightPassword))).toBe('ok');
      expect(await outcome(budget.attempt('a@example.com', '1.1.1.1', unavailable))).toBe(
        'UPSTREAM_UNAVAILABLE',
      );
    }
    expect(await outcome(budget.attempt('a@example.com', '1.1.1.1', wrongPassword))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it("clears the address's share on success, but not the account's count", async () => {
    await outcome(budget.attempt('a@example.com', '1.1.1.1', wrongPassword));
    await outcome(budget.attempt('a@example.com', '1.1.1.1', wrongPassword));
    expect(await outcome(budget.attempt('a@example.com', '1.1.1.1', rightPassword))).toBe('ok');
    // The address starts over (3 more), but the account has 2 + 3 = 5 by then.
    for (let i = 0; i < 3; i += 1) {
      expect(await outcome(budget.attempt('a@example.com', '1.1.1.1', wrongPassword))).toBe(
        'INVALID_CREDENTIALS',
      );
    }
    expect(await outcome(budget.attempt('a@example.com', '9.9.9.9', rightPassword))).toBe(
      'TOO_MANY_REQUESTS',
    );
  });

  it('lets no more concurrent guesses through than the share allows', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowWrong = () => gate.then(wrongPassword);
    const guesses = Array.from({ length: 10 }, () =>
      outcome(budget.attempt('a@example.com', '1.1.1.1', slowWrong)),
    );
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const results = await Promise.all(guesses);
    expect(results.filter((r) => r === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(results.filter((r) => r === 'TOO_MANY_REQUESTS')).toHaveLength(7);
  });
});
