import { wrapTarget } from './wrap-target';

/**
 * Amazon Cognito: the tokens RespondToAuthChallenge answers after the last step (a new password,
 * an MFA code) are a complete sign-in, and their refresh token works with REFRESH_TOKEN_AUTH like
 * one from InitiateAuth.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
 *
 * cognito-local 5.3.0 answers the refresh token without keeping it on the user (its InitiateAuth
 * does keep its own), so every refresh after an MFA or new-password sign-in was refused. This
 * keeps it, on the user as the step just saved them.
 */
export function installChallengeRefreshToken(): void {
  wrapTarget('RespondToAuthChallenge', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    const refreshToken = response.AuthenticationResult?.RefreshToken;
    const username = request.ChallengeResponses?.USERNAME;
    if (!refreshToken || !username) return response;
    const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
    const user = await pool.getUserByUsername(ctx, username);
    if (user && !user.RefreshTokens?.includes(refreshToken)) {
      await pool.storeRefreshToken(ctx, refreshToken, user);
    }
    return response;
  });
}
