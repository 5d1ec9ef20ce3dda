import { CognitoError } from 'cognito-local/lib/errors';
import { attributeValue } from 'cognito-local/lib/services/userPoolService';
import { stringClaim } from '../../../common/jwt/unverified-claims';
import { wrapTarget } from './wrap-target';

/**
 * Amazon Cognito: VerifyUserAttribute refuses, with AliasExistsException, an email that another
 * confirmed account of the pool already signs in with, so verifying a pending address cannot take
 * it from its owner.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_VerifyUserAttribute.html
 *
 * cognito-local 5.3.0 applies the pending email regardless, leaving two accounts with one sign-in
 * address. Only a correct code gets this far, as with Cognito: a wrong one is still a mismatch.
 */
export function installVerifiedEmailUnique(): void {
  wrapTarget('VerifyUserAttribute', (original, { cognito }) => async (ctx, request) => {
    const sub = stringClaim(request.AccessToken, 'sub');
    const clientId = stringClaim(request.AccessToken, 'client_id');
    if (request.AttributeName !== 'email' || !sub || !clientId) return original(ctx, request);
    const pool = await cognito.getUserPoolForClientId(ctx, clientId);
    const user = await pool.getUserByUsername(ctx, sub);
    const pending = attributeValue('email', user?.UnverifiedAttributeChanges)?.toLowerCase();
    if (user && pending && request.Code === user.AttributeVerificationCode) {
      const holders = (await pool.listUsers(ctx)).filter(
        (other) =>
          other.Username !== user.Username &&
          other.UserStatus === 'CONFIRMED' &&
          attributeValue('email', other.Attributes)?.toLowerCase() === pending,
      );
      if (holders.length > 0) {
        throw new CognitoError(
          'AliasExistsException',
          'An account with the given email already exists.',
        );
      }
    }
    return original(ctx, request);
  });
}
