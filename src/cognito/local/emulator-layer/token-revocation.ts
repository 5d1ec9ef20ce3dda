import type { Context } from 'cognito-local/lib/services/context';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService';

/**
 * What the layer keeps on a user record besides cognito-local's own fields (the record is stored
 * whole, so an extra field survives every save cognito-local makes with `{ ...user }`).
 */
export type LayerUser = User & {
  /**
   * Every access token issued at or before this second (epoch seconds, a token's `iat`) is
   * revoked: set by a global sign-out and by disabling the user.
   */
  TokensRevokedAt?: number;
};

const nowInSeconds = (): number => Math.floor(Date.now() / 1000);

/** Whether an access token issued at `iat` (epoch seconds) was revoked since. */
export function isRevoked(user: LayerUser, iat: number): boolean {
  return user.TokensRevokedAt !== undefined && iat <= user.TokensRevokedAt;
}

/**
 * Revokes every access token the user holds (they carry their issue time to the second), and
 * with `refreshTokens` every refresh token too.
 */
export async function revokeTokens(
  ctx: Context,
  pool: UserPoolService,
  user: User,
  { refreshTokens }: { refreshTokens: boolean },
): Promise<void> {
  await pool.saveUser(ctx, {
    ...user,
    ...(refreshTokens ? { RefreshTokens: [] } : {}),
    TokensRevokedAt: nowInSeconds(),
  } as LayerUser);
}

/**
 * Waits, when the user's tokens were revoked during this very second, until the next one: a token
 * issued now would carry the revoked second as its `iat` and be refused with the ones before it.
 * At most a second, and only for a sign-in that follows a sign-out that closely.
 */
export async function waitPastRevocation(user: LayerUser | null): Promise<void> {
  const revokedAt = user?.TokensRevokedAt;
  if (revokedAt === undefined || nowInSeconds() > revokedAt) return;
  await new Promise((resolve) => setTimeout(resolve, (revokedAt + 1) * 1000 - Date.now()));
}
