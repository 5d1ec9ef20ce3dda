/**
 * The claims of a JWT the emulator issued, read without verifying it: the emulator verifies no
 * token it is sent, and the layer only needs to know which pool, user or sign-in one names.
 * Anything unreadable gives no claims.
 */
export function unverifiedClaims(token: string | undefined): Record<string, unknown> {
  try {
    const claims: unknown = JSON.parse(
      Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A claim that is a string, or undefined. */
export function stringClaim(token: string | undefined, claim: string): string | undefined {
  const value = unverifiedClaims(token)[claim];
  return typeof value === 'string' ? value : undefined;
}
