import { InvalidParameterError, UserNotFoundError } from 'cognito-local/lib/errors';
import { selectAppropriateDeliveryMethod } from 'cognito-local/lib/services/messageDelivery/deliveryMethod';
import { addTarget } from './wrap-target';

/**
 * Amazon Cognito: ResendConfirmationCode sends an unconfirmed user a new sign-up code, which
 * replaces the previous one (ConfirmSignUp with the old code is then CodeMismatchException); a
 * confirmed user gets InvalidParameterException "User is already confirmed.".
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResendConfirmationCode.html
 *
 * cognito-local 5.3.0 has no such operation (`CognitoLocal#Unsupported`), so "Resend code"
 * failed on the embedded emulator. The code is delivered and stored as SignUp's is (printed by
 * the emulator, kept on the user record where `npm run codes` reads it).
 */
export function installResendConfirmationCode(): void {
  addTarget(
    'ResendConfirmationCode',
    ({ cognito, messages, otp, clock }) =>
      async (ctx, request) => {
        const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId ?? '');
        const user = await pool.getUserByUsername(ctx, request.Username ?? '');
        if (!user) throw new UserNotFoundError('Username/client id combination not found.');
        if (user.UserStatus !== 'UNCONFIRMED') {
          throw new InvalidParameterError('User is already confirmed.');
        }
        const delivery = selectAppropriateDeliveryMethod(
          pool.options.AutoVerifiedAttributes ?? [],
          user,
        );
        if (!delivery) {
          throw new InvalidParameterError(
            'User has no attribute matching desired auto verified attributes',
          );
        }
        const code = otp();
        await messages.deliver(
          ctx,
          'ResendCode',
          request.ClientId ?? null,
          pool.options.Id,
          user,
          code,
          request.ClientMetadata,
          delivery,
        );
        await pool.saveUser(ctx, {
          ...user,
          ConfirmationCode: code,
          UserLastModifiedDate: clock.get(),
        });
        return { CodeDeliveryDetails: delivery };
      },
  );
}
