import {
  NotAuthorizedError,
  PasswordResetRequiredError,
  UserNotFoundError,
} from 'cognito-local/lib/errors';
import { attributeValue } from 'cognito-local/lib/services/userPoolService';
import { addTarget, wrapTarget } from './wrap-target';

/**
 * Amazon Cognito: AdminResetUserPassword deactivates the user's password (status RESET_REQUIRED)
 * and sends a code to the user's email; signing in then answers PasswordResetRequiredException
 * until the user sets a new password with ConfirmForgotPassword and that code.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminResetUserPassword.html
 *
 * cognito-local 5.3.0 has no such operation (`CognitoLocal#Unsupported`), and its
 * ADMIN_USER_PASSWORD_AUTH ignores RESET_REQUIRED (its USER_PASSWORD_AUTH honours it). The code
 * is delivered and stored as ForgotPassword's is, so ConfirmForgotPassword takes it and
 * `npm run codes` reads it.
 */
export function installAdminResetPassword(): void {
  addTarget(
    'AdminResetUserPassword',
    ({ cognito, messages, otp, clock }) =>
      async (ctx, request) => {
        const pool = await cognito.getUserPool(ctx, request.UserPoolId ?? '');
        const user = await pool.getUserByUsername(ctx, request.Username ?? '');
        if (!user) throw new UserNotFoundError('User does not exist.');
        if (!user.Enabled) throw new NotAuthorizedError('User is disabled.');
        const email = attributeValue('email', user.Attributes);
        let code: string | undefined;
        if (email) {
          code = otp();
          await messages.deliver(
            ctx,
            'ForgotPassword',
            null,
            pool.options.Id,
            user,
            code,
            request.ClientMetadata,
            { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: email },
          );
        }
        await pool.saveUser(ctx, {
          ...user,
          UserStatus: 'RESET_REQUIRED',
          ConfirmationCode: code,
          UserLastModifiedDate: clock.get(),
        });
        return {};
      },
  );

  wrapTarget('AdminInitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const username = request.AuthParameters?.USERNAME;
    if (request.AuthFlow === 'ADMIN_USER_PASSWORD_AUTH' && username) {
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const user = await pool.getUserByUsername(ctx, username);
      if (user?.UserStatus === 'RESET_REQUIRED') throw new PasswordResetRequiredError();
    }
    return original(ctx, request);
  });
}
