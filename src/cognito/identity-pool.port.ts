import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';

/** Temporary AWS credentials of an identity of the identity pool. Secret: never log them. */
export interface AwsCredentials {
  /** The identity they belong to (`<region>:<id>`). */
  identityId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A signed-in user's request: the verified ID token, and the role asked for, if any. */
export interface UserCredentialsRequest {
  idToken: string;
  /** One of the token's `cognito:roles` (checked by the caller), sent as `CustomRoleArn`. */
  roleArn?: string;
}

/** The identity pool as the app sees it. */
export interface IdentityPoolSettings {
  identityPoolId: string;
  /** Whether the pool hands out credentials to unauthenticated identities. */
  allowsGuests: boolean;
}

/**
 * The identity pool (Amazon Cognito Identity): the enhanced flow, GetId then
 * GetCredentialsForIdentity, for a user pool's ID token or for a guest. Implementations throw
 * AppException with a mapped code, never an SDK error, and never log the SDK's answers (the
 * session token is not marked sensitive in them).
 */
export abstract class IdentityPoolPort {
  /** Whether an identity pool is set up: COGNITO_IDENTITY_POOL_ID, or the embedded stand-in. */
  abstract readonly configured: boolean;
  /** The `Logins` key of the user pool: its issuer without `https://`. */
  abstract readonly providerName: string;
  /** The identity id of the user of `idToken` (GetId, which finds or creates it). */
  abstract identityIdOf(idToken: string): Promise<string>;
  /** Credentials for the user of `idToken`, whose identity GetId finds or creates. */
  abstract credentialsForUser(request: UserCredentialsRequest): Promise<AwsCredentials>;
  /** Guest credentials: for the guest identity `identityId`, else a new one. */
  abstract credentialsForGuest(identityId?: string): Promise<AwsCredentials>;
  /** DescribeIdentityPool (needs AWS credentials allowed `cognito-identity:DescribeIdentityPool`). */
  abstract describe(): Promise<IdentityPoolSettings>;
}

/** 404: no identity pool is set up. */
export function identityPoolNotConfigured(): AppException {
  return new AppException(
    HttpStatus.NOT_FOUND,
    ErrorCode.IDENTITY_POOL_NOT_CONFIGURED,
    'AWS credentials are not set up on this service.',
  );
}
