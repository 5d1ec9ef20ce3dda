import { NotAuthorizedError } from 'cognito-local/lib/errors';
import { wrapTarget } from './wrap-target';

/**
 * Amazon Cognito: an invited user (FORCE_CHANGE_PASSWORD) gets the NEW_PASSWORD_REQUIRED step only
 * by signing in with the temporary password; any other password is "Incorrect username or
 * password." (NotAuthorizedException), like for every other user.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-create-user-accounts.html#creating-a-new-user-using-the-users-tab
 *
 * cognito-local 5.3.0 answers the step before it compares the password, so anyone who knew an
 * invited address could set its password and take the account (the administrator's too).
 */
export function installTemporaryPasswordCheck(): void {
  wrapTarget('InitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const username = request.AuthParameters?.USERNAME;
    if (request.AuthFlow === 'USER_PASSWORD_AUTH' && username) {
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const user = await pool.getUserByUsername(ctx, username);
      if (
        user?.UserStatus === 'FORCE_CHANGE_PASSWORD' &&
        user.Password !== request.AuthParameters?.PASSWORD
      ) {
        throw new NotAuthorizedError('Incorrect username or password.');
      }
    }
    return original(ctx, request);
  });
}
