import { CognitoIdentityProviderServiceException } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoConnection } from './cognito-connection';

/** Shared by the Cognito adapter specs: a pool in the AWS mode and Cognito's error shape. */
export const TEST_POOL_ID = 'eu-west-1_Pool1';
export const TEST_CLIENT_ID = 'client-abc';

export const testConnection = new CognitoConnection({
  mode: 'aws',
  region: 'eu-west-1',
  userPoolId: TEST_POOL_ID,
  clientId: TEST_CLIENT_ID,
  issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${TEST_POOL_ID}`,
  jwksUri: `https://cognito-idp.eu-west-1.amazonaws.com/${TEST_POOL_ID}/.well-known/jwks.json`,
});

/** The exception Amazon Cognito would send, as the SDK deserialises it. */
export function cognitoError(
  name: string,
  message = 'AWS detail',
): CognitoIdentityProviderServiceException {
  return new CognitoIdentityProviderServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}
