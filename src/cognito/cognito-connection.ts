import type { CognitoMode } from '../config';

/**
 * Where the user pool is and how its tokens are recognised, resolved once at start. In the embedded
 * mode these values come from the emulator the app started; otherwise from the configuration.
 * It holds nothing secret, so any module may inject it.
 */
export class CognitoConnection {
  readonly mode!: CognitoMode;
  readonly region!: string;
  readonly userPoolId!: string;
  readonly clientId!: string;
  /** The `iss` claim of the pool's tokens. */
  readonly issuer!: string;
  readonly jwksUri!: string;
  /** Set when Cognito is reached at a custom address (embedded emulator, LocalStack...). */
  readonly endpoint?: string;
  /**
   * The origin of the pool's managed login (its domain: `/oauth2/authorize`, `/oauth2/token`,
   * `/logout`), when sign-in with a provider is set up: COGNITO_DOMAIN, or the embedded stand-in.
   */
  readonly domain?: string;
  /**
   * The identity pool that turns the pool's ID tokens into AWS credentials, when one is set up:
   * COGNITO_IDENTITY_POOL_ID, or the embedded stand-in.
   */
  readonly identityPool?: IdentityPoolLocation;
  /**
   * The DynamoDB table that keeps user data sync's datasets: SYNC_TABLE (in SYNC_DYNAMODB_REGION,
   * at SYNC_DYNAMODB_ENDPOINT), or the embedded mode's table in its local DynamoDB (created at
   * start).
   */
  readonly syncTable?: SyncTableLocation;
  /** User data sync in Amazon Cognito Sync (SYNC_BACKEND=cognito-sync) instead of the table. */
  readonly cognitoSync?: CognitoSyncLocation;

  constructor(values: CognitoConnection) {
    Object.assign(this, values);
  }
}

/** Where the identity pool is. */
export interface IdentityPoolLocation {
  identityPoolId: string;
  region: string;
  /** A custom endpoint (the embedded stand-in, moto, LocalStack); unset for Amazon Cognito. */
  endpoint?: string;
}

/** Where the user data sync table is. */
export interface SyncTableLocation {
  tableName: string;
  region: string;
  /** A custom endpoint (the embedded dynalite, DynamoDB Local, LocalStack); unset for AWS. */
  endpoint?: string;
}

/**
 * The resolved pool plus the app client's secret. Provided only inside the Cognito module: the
 * secret never leaves the adapter that signs requests with it.
 */
export interface ResolvedPool {
  connection: CognitoConnection;
  clientSecret?: string;
}

export const RESOLVED_POOL = Symbol('RESOLVED_POOL');

/** Cognito Sync, for the identity pool whose identities own the datasets. */
export interface CognitoSyncLocation {
  identityPoolId: string;
  region: string;
  /** COGNITO_SYNC_ENDPOINT (a local tool); unset for AWS. */
  endpoint?: string;
}
