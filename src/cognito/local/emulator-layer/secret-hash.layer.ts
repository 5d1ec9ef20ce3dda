import { timingSafeEqual } from 'node:crypto';
import { NotAuthorizedError } from 'cognito-local/lib/errors';
import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import type { UserPoolService } from 'cognito-local/lib/services/userPoolService';
import { computeSecretHash } from '../../secret-hash';
import { wrapTarget } from './wrap-target';

/** The operations that take the hash as `SecretHash`, made from their `Username`. */
const USERNAME_OPERATIONS = [
  'SignUp',
  'ConfirmSignUp',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'ResendConfirmationCode',
] as const;

function sameHash(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Refuses a request of an app client with a secret unless `given` is the SECRET_HASH of one of
 * `usernames` (none known: the operation's own answer decides, e.g. an unknown refresh token).
 */
async function checkSecretHash(
  { cognito }: Services,
  ctx: Context,
  clientId: string | undefined,
  given: string | undefined,
  usernames: () => Promise<(string | undefined)[]>,
): Promise<void> {
  if (!clientId) return;
  const secret = (await cognito.getAppClient(ctx, clientId))?.ClientSecret;
  if (!secret) return;
  if (!given) {
    throw new NotAuthorizedError(
      `Client ${clientId} is configured with secret but SECRET_HASH was not received`,
    );
  }
  const candidates = (await usernames()).filter((name): name is string => Boolean(name));
  if (
    candidates.length > 0 &&
    !candidates.some((name) => sameHash(computeSecretHash(name, clientId, secret), given))
  ) {
    throw new NotAuthorizedError(`Unable to verify secret hash for client ${clientId}`);
  }
}

/** The Cognito username (with email sign-in, a UUID) of the user a refresh token belongs to. */
async function refreshTokenOwner(
  ctx: Context,
  pool: UserPoolService,
  refreshToken: string,
): Promise<string | undefined> {
  return (await pool.getUserByRefreshToken(ctx, refreshToken))?.Username;
}

/**
 * Amazon Cognito: when the app client has a secret, every operation that identifies the user
 * to the client (InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, SignUp, ConfirmSignUp,
 * ForgotPassword, ConfirmForgotPassword, ResendConfirmationCode) needs SECRET_HASH =
 * Base64(HMAC-SHA256(secret, username + client id)); without it, NotAuthorizedException "Client
 * <id> is configured with secret but SECRET_HASH was not received", and with a wrong one "Unable
 * to verify secret hash for client <id>". The username is the one the request names; for
 * REFRESH_TOKEN_AUTH, which names none, it is the user's Cognito username (with email sign-in a
 * UUID, the access token's `username` claim), not the email.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html#cognito-user-pools-computing-secret-hash
 *
 * cognito-local 5.3.0 never checks it: a wrong client secret, or a hash made from the email at
 * refresh, passed on the emulator and failed on Amazon Cognito.
 */
export function installSecretHashCheck(): void {
  for (const name of USERNAME_OPERATIONS) {
    wrapTarget(name, (original, services) => async (ctx, request) => {
      await checkSecretHash(services, ctx, request.ClientId, request.SecretHash, () =>
        Promise.resolve([request.Username]),
      );
      return original(ctx, request);
    });
  }

  for (const name of ['InitiateAuth', 'AdminInitiateAuth'] as const) {
    wrapTarget(name, (original, services) => async (ctx, request) => {
      const parameters: Record<string, string | undefined> = request.AuthParameters ?? {};
      const refreshToken = parameters.REFRESH_TOKEN;
      await checkSecretHash(services, ctx, request.ClientId, parameters.SECRET_HASH, async () => [
        refreshToken === undefined
          ? parameters.USERNAME
          : await refreshTokenOwner(
              ctx,
              await services.cognito.getUserPoolForClientId(ctx, request.ClientId),
              refreshToken,
            ),
      ]);
      return original(ctx, request);
    });
  }

  // A step's USERNAME may be the name the user signed in with or the Cognito username that the
  // step hands out as USER_ID_FOR_SRP: a hash of either is taken, so no client is refused here
  // that Cognito might accept.
  wrapTarget('RespondToAuthChallenge', (original, services) => async (ctx, request) => {
    const responses: Record<string, string | undefined> = request.ChallengeResponses ?? {};
    await checkSecretHash(services, ctx, request.ClientId, responses.SECRET_HASH, async () => {
      const username = responses.USERNAME;
      if (!username) return [];
      const pool = await services.cognito.getUserPoolForClientId(ctx, request.ClientId);
      return [username, (await pool.getUserByUsername(ctx, username))?.Username];
    });
    return original(ctx, request);
  });
}
