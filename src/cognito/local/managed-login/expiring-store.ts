import { randomBytes } from 'node:crypto';

/**
 * Values kept in memory under random, unguessable ids for a limited time: the stand-in's pending
 * sign-ins and its authorization codes. An expired value is gone as if never stored.
 */
export class ExpiringStore<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores `value` under a new id (256 random bits) and returns the id. */
  put(value: T): string {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    this.entries.set(id, { value, expiresAt: this.now() + this.ttlMs });
    return id;
  }

  get(id: string | null | undefined): T | undefined {
    if (!id) return undefined;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** The value, removed: a second take of the same id finds nothing. */
  take(id: string | null | undefined): T | undefined {
    const value = this.get(id);
    if (id) this.entries.delete(id);
    return value;
  }

  /** Replaces the value of a live id, keeping its expiry. */
  update(id: string, value: T): void {
    const entry = this.entries.get(id);
    if (entry) entry.value = value;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}
