import { CognitoError } from 'cognito-local/lib/errors';
import { USER_POOL_AWS_DEFAULTS } from 'cognito-local/lib/services/cognitoService';
import type { UserPool, UserPoolService } from 'cognito-local/lib/services/userPoolService';
import { stringClaim } from '../../../common/jwt/unverified-claims';
import { wrapTarget } from './wrap-target';

type PasswordPolicy = NonNullable<NonNullable<UserPool['Policies']>['PasswordPolicy']>;

/**
 * The characters Amazon Cognito counts as symbols, the space among them. Written here from
 * Cognito's documentation rather than shared with the app's own check, so that the emulator
 * stays an independent judge of it.
 */
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- '.split(''));

/** The first rule of the policy `password` breaks, in Cognito's words. */
function brokenRule(password: string, policy: PasswordPolicy): string | undefined {
  if ([...password].length < (policy.MinimumLength ?? 8)) return 'Password not long enough';
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) {
    return 'Password must have uppercase characters';
  }
  if (policy.RequireLowercase && !/[a-z]/.test(password)) {
    return 'Password must have lowercase characters';
  }
  if (policy.RequireNumbers && !/[0-9]/.test(password)) {
    return 'Password must have numeric characters';
  }
  if (policy.RequireSymbols && ![...password].some((c) => SYMBOLS.has(c))) {
    return 'Password must have symbol characters';
  }
  return undefined;
}

/** Throws Cognito's InvalidPasswordException when `password` breaks the pool's policy. */
function assertConforms(pool: UserPoolService, password: string | undefined): void {
  if (password === undefined) return;
  const policy =
    pool.options.Policies?.PasswordPolicy ?? USER_POOL_AWS_DEFAULTS.Policies?.PasswordPolicy ?? {};
  const rule = brokenRule(password, policy);
  if (rule) {
    throw new CognitoError(
      'InvalidPasswordException',
      `Password did not conform with policy: ${rule}`,
    );
  }
}

/**
 * Amazon Cognito: every operation that sets a password (SignUp, AdminCreateUser's temporary
 * password, AdminSetUserPassword, ChangePassword, ConfirmForgotPassword and the new password of
 * NEW_PASSWORD_REQUIRED) refuses one that breaks the pool's password policy
 * (`Policies.PasswordPolicy`) with InvalidPasswordException "Password did not conform with
 * policy: ...".
 * https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html
 *
 * cognito-local 5.3.0 stores the policy but accepts any password.
 */
export function installPasswordPolicy(): void {
  wrapTarget('SignUp', (original, { cognito }) => async (ctx, request) => {
    assertConforms(await cognito.getUserPoolForClientId(ctx, request.ClientId), request.Password);
    return original(ctx, request);
  });

  wrapTarget('AdminCreateUser', (original, { cognito }) => async (ctx, request) => {
    assertConforms(await cognito.getUserPool(ctx, request.UserPoolId), request.TemporaryPassword);
    return original(ctx, request);
  });

  wrapTarget('AdminSetUserPassword', (original, { cognito }) => async (ctx, request) => {
    assertConforms(await cognito.getUserPool(ctx, request.UserPoolId), request.Password);
    return original(ctx, request);
  });

  wrapTarget('ChangePassword', (original, { cognito }) => async (ctx, request) => {
    const clientId = stringClaim(request.AccessToken, 'client_id');
    if (clientId) {
      assertConforms(await cognito.getUserPoolForClientId(ctx, clientId), request.ProposedPassword);
    }
    return original(ctx, request);
  });

  wrapTarget('ConfirmForgotPassword', (original, { cognito }) => async (ctx, request) => {
    assertConforms(await cognito.getUserPoolForClientId(ctx, request.ClientId), request.Password);
    return original(ctx, request);
  });

  wrapTarget('RespondToAuthChallenge', (original, { cognito }) => async (ctx, request) => {
    if (request.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
      assertConforms(
        await cognito.getUserPoolForClientId(ctx, request.ClientId),
        request.ChallengeResponses?.NEW_PASSWORD,
      );
    }
    return original(ctx, request);
  });
}
