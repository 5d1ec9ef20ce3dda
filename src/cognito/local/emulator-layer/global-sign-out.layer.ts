import { UserNotFoundError } from 'cognito-local/lib/errors';
import { stringClaim } from '../../../common/jwt/unverified-claims';
import { revokeTokens } from './token-revocation';
import { addTarget } from './wrap-target';

/**
 * Amazon Cognito: GlobalSignOut (with the user's access token) and AdminUserGlobalSignOut (by an
 * administrator) revoke every refresh token of the user, and the access and ID tokens issued
 * before: REFRESH_TOKEN_AUTH with any of them is then NotAuthorizedException, and so is GetUser,
 * or any operation, with an access token of before.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GlobalSignOut.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminUserGlobalSignOut.html
 *
 * cognito-local 5.3.0 has neither operation (`CognitoLocal#Unsupported`), so logout could not end
 * a session anywhere but in the app. The access tokens are refused by the access-token check
 * (access-token-check.layer.ts), which GlobalSignOut's own token passes through first.
 */
export function installGlobalSignOut(): void {
  addTarget('GlobalSignOut', ({ cognito }) => async (ctx, request) => {
    const sub = stringClaim(request.AccessToken, 'sub');
    const clientId = stringClaim(request.AccessToken, 'client_id');
    if (!sub || !clientId) throw new UserNotFoundError('User does not exist.');
    const pool = await cognito.getUserPoolForClientId(ctx, clientId);
    const user = await pool.getUserByUsername(ctx, sub);
    if (!user) throw new UserNotFoundError('User does not exist.');
    await revokeTokens(ctx, pool, user, { refreshTokens: true });
    return {};
  });

  addTarget('AdminUserGlobalSignOut', ({ cognito }) => async (ctx, request) => {
    const pool = await cognito.getUserPool(ctx, request.UserPoolId ?? '');
    const user = await pool.getUserByUsername(ctx, request.Username ?? '');
    if (!user) throw new UserNotFoundError('User does not exist.');
    await revokeTokens(ctx, pool, user, { refreshTokens: true });
    return {};
  });
}
