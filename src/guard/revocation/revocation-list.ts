/**
 * Token ids (`jti`, `origin_jti`) that must no longer be accepted, each until its token would
 * have expired anyway. Lookups are synchronous map reads: the guard calls this on every request.
 */
export class RevocationList {
  private readonly entries = new Map<string, number>();
  private nextPurge = 0;

  constructor(private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {}

  /** Records `id` as revoked until `expiresAt` (seconds since the epoch). */
  add(id: string, expiresAt: number): void {
    if (expiresAt <= this.now()) return;
    const known = this.entries.get(id);
    if (known === undefined || known < expiresAt) this.entries.set(id, expiresAt);
  }

  has(id: string | undefined): boolean {
    if (id === undefined) return false;
    const expiresAt = this.entries.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    this.entries.delete(id);
    return false;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops entries whose tokens have expired; cheap enough to call from the write path. */
  purgeExpired(): void {
    const now = this.now();
    if (now < this.nextPurge) return;
    this.nextPurge = now + 60;
    for (const [id, expiresAt] of this.entries) {
      if (expiresAt <= now) this.entries.delete(id);
    }
  }
}

/**
 * Per-user session cutoffs: every session of a user that signed in at or before `before` (seconds
 * since the epoch) has ended, as after a password change, a password reset or a disabled account.
 * A session is judged by its sign-in time (`auth_time`, kept across refreshes), so refreshing an
 * old session cannot revive it.
 */
export class SessionCutoffs {
  private readonly entries = new Map<string, { before: number; expiresAt: number }>();

  constructor(private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {}

  add(sub: string, before: number, expiresAt: number): void {
    if (expiresAt <= this.now()) return;
    const known = this.entries.get(sub);
    if (!known || known.before < before) this.entries.set(sub, { before, expiresAt });
  }

  /** Whether a session of `sub` that signed in at `signedInAt` has been ended. */
  ended(sub: string, signedInAt: number | undefined): boolean {
    if (this.entries.size === 0) return false;
    const cutoff = this.entries.get(sub);
    if (!cutoff) return false;
    if (cutoff.expiresAt <= this.now()) {
      this.entries.delete(sub);
      return false;
    }
    // A token that says nothing of its sign-in time is treated as older than any cutoff.
    return signedInAt === undefined || signedInAt <= cutoff.before;
  }
}
