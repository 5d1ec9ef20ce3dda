import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoSyncClient } from '@aws-sdk/client-cognito-sync';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CognitoRetryStrategy } from './cognito-retry.strategy';

export interface CognitoClientSettings {
  region: string;
  /** A custom endpoint (the embedded emulator or DynamoDB, LocalStack); unset for AWS. */
  endpoint?: string;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/**
 * What every SDK client is built with: bounded time and attempts, so a hung Cognito turns into a
 * quick 503 instead of a request that waits for minutes. No `logger`, ever: the SDK would log
 * every answer, and it does not hide all secrets in them (an identity pool's session token).
 */
function clientOptions(settings: CognitoClientSettings) {
  return {
    region: settings.region,
    endpoint: settings.endpoint,
    maxAttempts: settings.maxAttempts,
    retryStrategy: new CognitoRetryStrategy(settings.maxAttempts),
    requestHandler: {
      connectionTimeout: Math.min(1000, settings.requestTimeoutMs),
      requestTimeout: settings.requestTimeoutMs,
      // Without this the SDK only logs a warning when the timeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
    // An emulator or LocalStack does not check signatures, but the SDK still signs requests; fixed
    // placeholder credentials keep it from searching the machine for real ones. Against Amazon
    // Cognito the default provider chain applies (environment, profile, instance role).
    ...(settings.endpoint
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
}

/** The user pool's client (Cognito Identity Provider). */
export function createCognitoClient(
  settings: CognitoClientSettings,
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient(clientOptions(settings));
}

/**
 * The identity pool's client (Cognito Identity). GetId and GetCredentialsForIdentity are unsigned
 * calls: only DescribeIdentityPool (readiness) needs AWS credentials.
 */
export function createIdentityPoolClient(settings: CognitoClientSettings): CognitoIdentityClient {
  return new CognitoIdentityClient(clientOptions(settings));
}

/**
 * The user data sync store's client (DynamoDB): the same bounded timeouts and retries. With an
 * endpoint (the embedded dynalite, DynamoDB Local, LocalStack) it signs with placeholder
 * credentials; against Amazon DynamoDB the default provider chain applies.
 */
export function createDynamoDbClient(settings: CognitoClientSettings): DynamoDBClient {
  return new DynamoDBClient(clientOptions(settings));
}

/**
 * Cognito Sync's client (SYNC_BACKEND=cognito-sync): every call is signed with the app's own AWS
 * credentials (the default provider chain; placeholders with a custom endpoint).
 */
export function createCognitoSyncClient(settings: CognitoClientSettings): CognitoSyncClient {
  return new CognitoSyncClient(clientOptions(settings));
}
