import { NotAuthorizedError } from 'cognito-local/lib/errors';
import type { Context } from 'cognito-local/lib/services/context';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService';
import { revokeTokens } from './token-revocation';
import { wrapTarget } from './wrap-target';

/** The parameters of a sign-in: by password, or with a refresh token. */
interface SignIn {
  USERNAME?: string;
  PASSWORD?: string;
  REFRESH_TOKEN?: string;
}

/** The user a sign-in would sign in, when that user is disabled. */
async function disabledUser(
  ctx: Context,
  pool: UserPoolService,
  { USERNAME, PASSWORD, REFRESH_TOKEN }: SignIn,
): Promise<User | undefined> {
  let user: User | null = null;
  if (USERNAME !== undefined) {
    user = await pool.getUserByUsername(ctx, USERNAME);
    // A wrong password is still "Incorrect username or password.": only the account's own
    // password learns that it is disabled.
    if (user && user.Password !== PASSWORD) return undefined;
  } else if (REFRESH_TOKEN !== undefined) {
    user = await pool.getUserByRefreshToken(ctx, REFRESH_TOKEN);
  }
  return user?.Enabled === false ? user : undefined;
}

const userIsDisabled = (): NotAuthorizedError => new NotAuthorizedError('User is disabled.');

/**
 * Amazon Cognito: a disabled user cannot sign in, refresh or answer a sign-in step
 * (NotAuthorizedException "User is disabled."), and AdminDisableUser revokes every access token
 * the user holds.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableUser.html
 *
 * cognito-local 5.3.0 only sets the flag: a disabled user signed in, refreshed and used their
 * tokens as before. The tokens are refused by the access-token check (access-token-check.layer.ts).
 */
export function installDisabledUserRefusal(): void {
  wrapTarget('AdminDisableUser', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    const pool = await cognito.getUserPool(ctx, request.UserPoolId);
    const user = await pool.getUserByUsername(ctx, request.Username);
    if (user) await revokeTokens(ctx, pool, user, { refreshTokens: false });
    return response;
  });

  wrapTarget('InitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
    if (await disabledUser(ctx, pool, request.AuthParameters ?? {})) throw userIsDisabled();
    return original(ctx, request);
  });

  wrapTarget('AdminInitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
    if (await disabledUser(ctx, pool, request.AuthParameters ?? {})) throw userIsDisabled();
    return original(ctx, request);
  });

  wrapTarget('RespondToAuthChallenge', (original, { cognito }) => async (ctx, request) => {
    const username = request.ChallengeResponses?.USERNAME;
    if (username) {
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const user = await pool.getUserByUsername(ctx, username);
      if (user?.Enabled === false) throw userIsDisabled();
    }
    return original(ctx, request);
  });
}
