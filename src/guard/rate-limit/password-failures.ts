import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { httpConfig } from '../../config';
import { normalizeAccount } from './auth-rate-limit.guard';
import { RateLimitStore } from './rate-limit.store';

/** The answers that mean "wrong password", whichever route checked it. */
const WRONG_PASSWORD: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.INVALID_CREDENTIALS,
  ErrorCode.INCORRECT_PASSWORD,
  ErrorCode.PASSWORD_CHANGE_REJECTED,
]);

/**
 * One budget of wrong passwords per account, shared by every route that checks the current
 * password (sign-in, change-password, account deletion, and the proof that turning MFA off,
 * setting up an authenticator and changing the email or phone take): spreading guesses over them
 * gains nothing. Each client address has its own share of the account's budget
 * (RATE_LIMIT_PASSWORD_FAILURES), under a ceiling for the account from all addresses together
 * (RATE_LIMIT_PASSWORD_FAILURES_ACCOUNT), per RATE_LIMIT_PASSWORD_WINDOW_SECONDS: someone guessing
 * from elsewhere exhausts their own share, and the owner still signs in from their address until
 * the guesses of every address together reach the ceiling.
 *
 * Only failures count. Each attempt is counted before it runs, so that concurrent guesses cannot
 * all slip under the limit, and taken back when it turns out not to be a wrong password; a
 * success also clears the address's share.
 */
@Injectable()
export class PasswordFailures {
  private readonly perAddress: number;
  private readonly perAccount: number;
  private readonly windowMs: number;

  constructor(
    @Inject(httpConfig.KEY) http: ConfigType<typeof httpConfig>,
    private readonly store: RateLimitStore,
  ) {
    ({ perAddress: this.perAddress, perAccount: this.perAccount } =
      http.rateLimit.passwordFailures);
    this.windowMs = http.rateLimit.passwordFailures.windowSeconds * 1000;
  }

  /**
   * Runs `check`, which tries `account`'s password, within the budget: 429 `TOO_MANY_REQUESTS`
   * with Retry-After, without running it, once the address's share or the account's ceiling is
   * used up.
   */
  async attempt<T>(
    account: string,
    address: string | undefined,
    check: () => Promise<T>,
  ): Promise<T> {
    // Hashed: the store (Redis) holds no email address.
    const id = createHash('sha256').update(normalizeAccount(account)).digest('base64url');
    const fromAddress = `password:${id}:${address ?? ''}`;
    const all = `password:${id}`;
    const keys = [fromAddress, all];
    const [mine, total] = await this.store.add(keys, this.windowMs);
    const exhausted =
      mine.count > this.perAddress ? mine : total.count > this.perAccount ? total : undefined;
    if (exhausted) {
      await this.store.takeBack(keys);
      throw new AppException(
        HttpStatus.TOO_MANY_REQUESTS,
        ErrorCode.TOO_MANY_REQUESTS,
        'Too many wrong passwords. Wait a moment and try again.',
        { retryAfterSeconds: Math.max(1, Math.ceil(exhausted.msLeft / 1000)) },
      );
    }
    let result: T;
    try {
      result = await check();
    } catch (error) {
      if (!(error instanceof AppException && WRONG_PASSWORD.has(error.code))) {
        await this.store.takeBack(keys);
      }
      throw error;
    }
    await this.store.takeBack([all]);
    await this.store.reset([fromAddress]);
    return result;
  }
}
