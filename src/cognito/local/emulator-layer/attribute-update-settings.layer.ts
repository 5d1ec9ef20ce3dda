import { wrapTarget } from './wrap-target';

/**
 * Amazon Cognito: a pool's `UserAttributeUpdateSettings` (keep the original email or phone number
 * until the new one is verified) is set by CreateUserPool and UpdateUserPool and answered by
 * DescribeUserPool. UpdateUserPool resets every setting the request leaves out, this one too.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPool.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-email-phone-verification.html#user-pool-settings-verifications-verify-attribute-updates
 *
 * cognito-local 5.3.0 honours the setting in UpdateUserAttributes and VerifyUserAttribute, and
 * CreateUserPool stores it, but UpdateUserPool drops it and DescribeUserPool leaves it out: a
 * pool created without it could not be given it, nor could anyone see whether it has it.
 */
export function installAttributeUpdateSettings(): void {
  wrapTarget('UpdateUserPool', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    const pool = await cognito.getUserPool(ctx, request.UserPoolId);
    await pool.updateOptions(ctx, {
      ...pool.options,
      UserAttributeUpdateSettings: request.UserAttributeUpdateSettings,
    });
    return response;
  });

  wrapTarget('DescribeUserPool', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    const pool = await cognito.getUserPool(ctx, request.UserPoolId);
    const settings = pool.options.UserAttributeUpdateSettings;
    return response.UserPool && settings
      ? { ...response, UserPool: { ...response.UserPool, UserAttributeUpdateSettings: settings } }
      : response;
  });
}
