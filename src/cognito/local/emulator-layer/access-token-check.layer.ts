import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import signingKey from 'cognito-local/lib/keys/cognitoLocal.public.json';
import { NotAuthorizedError } from 'cognito-local/lib/errors';
import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import { isRevoked, waitPastRevocation, type LayerUser } from './token-revocation';
import { unverifiedClaims } from '../../../common/jwt/unverified-claims';
import { wrapTarget } from './wrap-target';

/** The operations that act for the user whose access token they are given. */
const ACCESS_TOKEN_OPERATIONS = [
  'AssociateSoftwareToken',
  'ChangePassword',
  'DeleteUser',
  'DeleteUserAttributes',
  'GetUser',
  'GetUserAttributeVerificationCode',
  'GlobalSignOut',
  'SetUserMFAPreference',
  'UpdateUserAttributes',
  'VerifySoftwareToken',
  'VerifyUserAttribute',
] as const;

let publicKey: KeyObject | undefined;

/** The claims of a token signed with the emulator's key, or nothing for any other string. */
function signedClaims(token: string): Record<string, unknown> | undefined {
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || !signature || rest.length > 0) return undefined;
  try {
    const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as {
      alg?: string;
    };
    publicKey ??= createPublicKey({ key: signingKey.jwk, format: 'jwk' });
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      publicKey,
      Buffer.from(signature, 'base64url'),
    );
    return alg === 'RS256' && signed ? unverifiedClaims(token) : undefined;
  } catch {
    return undefined;
  }
}

/** The scope an access token needs for the operations that act for its user. */
export const USER_ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

/**
 * Refuses an access token as Amazon Cognito does before acting on it: not one of the pool's
 * access tokens, without the scope the operation needs (a managed login's token has the scopes
 * asked for), expired, revoked (a global sign-out or a disabled user since it was issued), or the
 * user disabled. Answers the token's claims.
 */
export async function checkAccessToken(
  { cognito }: Services,
  ctx: Context,
  token: string,
  scope = USER_ADMIN_SCOPE,
): Promise<Record<string, unknown>> {
  const claims = signedClaims(token);
  const { sub, client_id: clientId, token_use: use, exp, iat } = claims ?? {};
  if (!claims || use !== 'access' || typeof clientId !== 'string' || typeof sub !== 'string') {
    throw new NotAuthorizedError('Invalid Access Token');
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes(scope)) {
    throw new NotAuthorizedError('Access Token does not have required scopes');
  }
  if (typeof exp !== 'number' || exp * 1000 <= Date.now()) {
    throw new NotAuthorizedError('Access Token has expired');
  }
  const pool = await cognito.getUserPoolForClientId(ctx, clientId);
  const user: LayerUser | null = await pool.getUserByUsername(ctx, sub);
  if (!user) return claims; // cognito-local's own answer for a deleted user.
  if (user.Enabled === false) throw new NotAuthorizedError('User is disabled.');
  if (isRevoked(user, typeof iat === 'number' ? iat : 0)) {
    throw new NotAuthorizedError('Access Token has been revoked');
  }
  return claims;
}

/**
 * Amazon Cognito: the operations that take an access token act only on a valid one: it must be
 * an access token of the pool with the `aws.cognito.signin.user.admin` scope (NotAuthorizedException
 * "Access Token does not have required scopes" for a managed login's token without it), unexpired, and not revoked by GlobalSignOut,
 * AdminUserGlobalSignOut or AdminDisableUser (NotAuthorizedException "Access Token has been
 * revoked"); a disabled user's tokens are refused ("User is disabled.").
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GlobalSignOut.html
 *
 * cognito-local 5.3.0 only decodes the token: expired, forged and signed-out tokens were all
 * accepted. Revocation is kept per user to the second (a token's `iat`), so a sign-in that
 * follows a revocation within the same second is answered in the next one.
 */
export function installAccessTokenCheck(): void {
  for (const name of ACCESS_TOKEN_OPERATIONS) {
    wrapTarget(name, (original, services) => async (ctx, request) => {
      // Without a token: the Session form (AssociateSoftwareToken during sign-in).
      if (request.AccessToken !== undefined) {
        await checkAccessToken(services, ctx, request.AccessToken);
      }
      return original(ctx, request);
    });
  }

  wrapTarget('InitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
    const parameters = request.AuthParameters ?? {};
    if (request.AuthFlow === 'USER_PASSWORD_AUTH' && parameters.USERNAME) {
      await waitPastRevocation(await pool.getUserByUsername(ctx, parameters.USERNAME));
    } else if (parameters.REFRESH_TOKEN) {
      await waitPastRevocation(await pool.getUserByRefreshToken(ctx, parameters.REFRESH_TOKEN));
    }
    return original(ctx, request);
  });

  wrapTarget('AdminInitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
    const parameters = request.AuthParameters ?? {};
    if (parameters.USERNAME) {
      await waitPastRevocation(await pool.getUserByUsername(ctx, parameters.USERNAME));
    } else if (parameters.REFRESH_TOKEN) {
      await waitPastRevocation(await pool.getUserByRefreshToken(ctx, parameters.REFRESH_TOKEN));
    }
    return original(ctx, request);
  });

  wrapTarget('RespondToAuthChallenge', (original, { cognito }) => async (ctx, request) => {
    const username = request.ChallengeResponses?.USERNAME;
    if (username) {
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      await waitPastRevocation(await pool.getUserByUsername(ctx, username));
    }
    return original(ctx, request);
  });
}
