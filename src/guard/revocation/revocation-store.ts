/**
 * A revoked token id until `expiresAt`; or, with `before`, the end of every session of the user
 * whose id is `id` that signed in at or before `before` (kept until `expiresAt`).
 */
export interface Revocation {
  id: string;
  expiresAt: number;
  before?: number;
}

/**
 * Where revocations outlive the process: Redis for several instances, a file for one. The guard
 * never reads it: each instance keeps the list in memory, loads the store at start (`start`
 * reports every current revocation) and writes each new one through `publish`.
 */
export interface RevocationStore {
  /** Whether other instances share it (Redis), as readiness reports. */
  readonly shared: boolean;
  start(): Promise<void>;
  /** Stores the revocation before it resolves; rejects when it could not. */
  publish(revocation: Revocation): Promise<void>;
  ping(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Parses one stored revocation, or nothing when it is malformed. */
export function parseRevocation(text: string): Revocation | undefined {
  try {
    const { id, expiresAt, before } = JSON.parse(text) as Partial<Revocation>;
    if (
      typeof id === 'string' &&
      typeof expiresAt === 'number' &&
      (before === undefined || typeof before === 'number')
    ) {
      return before === undefined ? { id, expiresAt } : { id, expiresAt, before };
    }
  } catch {
    // malformed: ignored by the caller
  }
  return undefined;
}
