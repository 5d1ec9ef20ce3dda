import { HttpStatus } from '@nestjs/common';
import { SealedBox } from '../../common/crypto/sealed-box';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';

/** Separates this key's use from any other use of the same configured secret. */
const KEY_INFO = 'nest-cognito-auth challenge session v1';

/** A sealed session this service issued, opened for the user and step it was issued for. */
export interface OpenedSession {
  /** Unique per sealed session (its IV): what marks it answered. */
  readonly id: string;
  /** Cognito's own session, as Cognito gave it. */
  readonly session: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export function invalidSession(): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    ErrorCode.INVALID_SESSION,
    'The sign-in session is invalid or has expired. Sign in again.',
  );
}

/** The normalised email the envelope is bound to: the same person however it was typed. */
function normalisedUsername(username: string): string {
  return username.normalize('NFC').trim().toLowerCase();
}

/**
 * The sessions of sign-in steps (NEW_PASSWORD_REQUIRED, MFA codes, MFA_SETUP) are this service's
 * own: Cognito's session is sealed with AES-256-GCM together with an expiry, and bound (as
 * authenticated data) to the email and the step it was issued for. /auth/challenge opens it
 * before any Cognito call, so a session that was not issued here, for this user and this step,
 * within its lifetime, is refused with 401 `INVALID_SESSION` whatever Cognito would check (the
 * embedded emulator checks none). An answered session is refused from then on by this instance;
 * Amazon Cognito's own sessions are single-use too.
 */
export class ChallengeSessions {
  private readonly box: SealedBox;
  private readonly answered = new Map<string, number>();
  private nextPurge = 0;

  /**
   * @param secret the configured key (32+ bytes); the AES key is derived from it with HKDF.
   * @param ttlSeconds how long a sealed session can be answered.
   * @param now the clock, in milliseconds.
   */
  constructor(
    secret: Buffer,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.box = new SealedBox(secret, KEY_INFO, now);
  }

  /** Seals Cognito's session for `username` answering `step`; the result is opaque base64url. */
  seal(session: string | undefined, username: string, step: string): string {
    return this.box.seal(session ?? '', this.ttlSeconds, [normalisedUsername(username), step]);
  }

  /**
   * Opens a sealed session sent back for `username` and `step`. Anything else (another user,
   * another step, tampered, expired, sealed with another key, answered already, not a sealed
   * session at all) -> 401 `INVALID_SESSION`.
   */
  open(sealed: string, username: string, step: string): OpenedSession {
    const opened = this.box.open(sealed, [normalisedUsername(username), step]);
    if (!opened || typeof opened.value !== 'string' || this.isAnswered(opened.id)) {
      throw invalidSession();
    }
    return { id: opened.id, session: opened.value, expiresAt: opened.expiresAt };
  }

  /**
   * Answers the step once: `answer` runs with Cognito's session while the sealed session counts
   * as answered, so a replay, even a concurrent one, is refused. When the answer fails (a wrong
   * code, a password Cognito refuses, an outage) the user may try again within the lifetime, as
   * Cognito allows; a session Cognito itself refused stays refused.
   */
  async answer<T>(opened: OpenedSession, answer: (session: string) => Promise<T>): Promise<T> {
    if (this.isAnswered(opened.id)) throw invalidSession();
    this.purgeExpired();
    this.answered.set(opened.id, opened.expiresAt);
    try {
      return await answer(opened.session);
    } catch (error) {
      if (!(error instanceof AppException && error.code === ErrorCode.INVALID_SESSION)) {
        this.answered.delete(opened.id);
      }
      throw error;
    }
  }

  private isAnswered(id: string): boolean {
    const expiresAt = this.answered.get(id);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  /** Forgets answered sessions that have expired anyway; at most once a minute. */
  private purgeExpired(): void {
    const now = this.now();
    if (now < this.nextPurge) return;
    this.nextPurge = now + 60_000;
    for (const [id, expiresAt] of this.answered) {
      if (expiresAt <= now) this.answered.delete(id);
    }
  }
}
