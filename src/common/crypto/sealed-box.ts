import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** A value this service sealed, opened within its lifetime for the context it was sealed for. */
export interface Opened<T> {
  readonly value: T;
  /** Unique per sealed value (its IV): what marks it used, for values that are single-use. */
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * Values that only this service can read or make: JSON sealed with AES-256-GCM together with an
 * expiry, bound (as authenticated data, never stored) to a context such as the user and step it
 * was issued for. The AES key is derived with HKDF from the configured secret and a purpose, so
 * one secret serves several uses and a value sealed for one cannot be opened as another.
 */
export class SealedBox {
  private readonly key: Buffer;

  /**
   * @param secret the configured key (32+ bytes).
   * @param purpose what the values are for; part of the key's derivation.
   * @param now the clock, in milliseconds.
   */
  constructor(
    secret: Buffer,
    purpose: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, 32));
  }

  /** Seals `value` for `ttlSeconds`, bound to `context`; the result is opaque base64url. */
  seal(value: unknown, ttlSeconds: number, context: readonly unknown[] = []): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(boundTo(context));
    const contents = JSON.stringify({ v: value, e: this.now() + ttlSeconds * 1000 });
    const sealed = Buffer.concat([cipher.update(contents, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), sealed]).toString(
      'base64url',
    );
  }

  /**
   * The value sealed in `sealed` for `context`, or undefined for anything else: another context,
   * tampered, expired, sealed with another key or for another purpose, or not a sealed value.
   * The caller checks the value's shape: only its integrity is known here.
   */
  open(sealed: string, context: readonly unknown[] = []): Opened<unknown> | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    // Node's decoder skips characters outside the alphabet; only the exact encoding is ours.
    if (
      bytes.length <= HEADER_BYTES ||
      bytes[0] !== VERSION ||
      bytes.toString('base64url') !== sealed
    ) {
      return undefined;
    }
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    let contents: unknown;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(boundTo(context));
      decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, HEADER_BYTES));
      const plain = Buffer.concat([
        decipher.update(bytes.subarray(HEADER_BYTES)),
        decipher.final(),
      ]);
      contents = JSON.parse(plain.toString('utf8'));
    } catch {
      return undefined;
    }
    const { v: value, e: expiresAt } = (contents ?? {}) as { v?: unknown; e?: unknown };
    if (typeof expiresAt !== 'number' || expiresAt <= this.now()) return undefined;
    return { value, id: iv.toString('base64url'), expiresAt };
  }
}

function boundTo(context: readonly unknown[]): Buffer {
  return Buffer.from(JSON.stringify([VERSION, ...context]), 'utf8');
}
