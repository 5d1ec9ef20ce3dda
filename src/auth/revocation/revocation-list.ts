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
