/** Failures of one account before it is locked out, as Amazon Cognito counts them. */
const FREE_FAILURES = 5;
const MAX_LOCK_SECONDS = 900;

/**
 * Amazon Cognito's lockout of an account after failed sign-ins: after 5 failures, each further
 * one locks the account for 2^(n-5) seconds, up to about 15 minutes; a sign-in resets the count.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html#authentication-flow-lockout
 *
 * The stand-in's password form counts with it (the emulator's own InitiateAuth has no lockout), so
 * the page cannot be used to guess passwords without limit.
 */
export class SignInLockout {
  private readonly accounts = new Map<string, { failures: number; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds until `email` may try again; 0 when it may now. */
  lockedFor(email: string): number {
    const until = this.accounts.get(key(email))?.until ?? 0;
    return Math.max(0, Math.ceil((until - this.now()) / 1000));
  }

  failed(email: string): void {
    const entry = this.accounts.get(key(email)) ?? { failures: 0, until: 0 };
    entry.failures += 1;
    if (entry.failures > FREE_FAILURES) {
      const seconds = Math.min(2 ** (entry.failures - FREE_FAILURES), MAX_LOCK_SECONDS);
      entry.until = this.now() + seconds * 1000;
    }
    this.accounts.set(key(email), entry);
  }

  succeeded(email: string): void {
    this.accounts.delete(key(email));
  }
}

const key = (email: string) => email.trim().toLowerCase();
