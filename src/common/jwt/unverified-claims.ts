import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

/**
 * The claims of a JWT read WITHOUT verifying it: what a token names (the username a SECRET_HASH
 * is made from, the `sub` for a log line, the sign-in a token Cognito just issued belongs to),
 * never whether to trust it; the guard verifies (src/guard/jwt). Anything that is not a
 * well-formed JWT has no claims.
 *
 * Also loaded by the embedded emulator's process (cognito/local/emulator-layer), so it depends
 * on nothing but aws-jwt-verify.
 */
export function unverifiedClaims(token: string | undefined): JwtPayload | undefined {
  if (!token) return undefined;
  try {
    return decomposeUnverifiedJwt(token).payload;
  } catch {
    return undefined;
  }
}

/** A claim that is a string, or undefined. */
export function stringClaim(token: string | undefined, claim: string): string | undefined {
  const value = unverifiedClaims(token)?.[claim];
  return typeof value === 'string' ? value : undefined;
}

/** The `username` claim of an access token (for SECRET_HASH only). */
export function usernameOfToken(token: string | undefined): string | undefined {
  return stringClaim(token, 'username');
}

/** The `sub` claim of a token Cognito just issued (for logs; not a verification). */
export function subOfToken(token: string | undefined): string | undefined {
  return stringClaim(token, 'sub');
}
