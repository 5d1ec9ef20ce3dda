/** The signed-in user, as proven by a verified Cognito access token. */
export interface AuthUser {
  /** The user's stable id (`sub`). */
  sub: string;
  /** The Cognito username; with email sign-in, a UUID equal to `sub`. */
  username: string;
  /** `cognito:groups` membership. */
  groups: string[];
  /** OAuth scopes of the token, e.g. `aws.cognito.signin.user.admin`. */
  scopes: string[];
  /** The app client the token was issued to. */
  clientId: string;
  /** The token's id (`jti`), used to revoke it. */
  tokenId?: string;
  /** The id of the sign-in the token came from (`origin_jti`, kept by refreshed tokens). */
  originTokenId?: string;
  /** When the token expires (seconds since the epoch, the `exp` claim). */
  tokenExpiresAt: number;
  /** When the user last entered their password (seconds since the epoch, `auth_time`). */
  authTime?: number;
  /** When the token was issued (seconds since the epoch, `iat`). */
  issuedAt?: number;
}
