/** Injection token of the SDK client; only the Cognito module's own providers use it. */
export const COGNITO_SDK_CLIENT = Symbol('COGNITO_SDK_CLIENT');

/** Injection token of the identity pool's SDK client (Cognito Identity). */
export const IDENTITY_POOL_SDK_CLIENT = Symbol('IDENTITY_POOL_SDK_CLIENT');

/** Injection token of user data sync's store client: DynamoDB's, or Cognito Sync's. */
export const SYNC_STORE_CLIENT = Symbol('SYNC_STORE_CLIENT');
