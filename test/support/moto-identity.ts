import { CognitoIdentityClient, CreateIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { parseEnvironment } from '../../src/config/environment';

/** moto checks no signature; fixed credentials keep the SDK from searching the machine. */
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A user pool and its app client, created in moto. */
export interface MotoUserPool {
  region: string;
  poolId: string;
  clientId: string;
  /** As Amazon Cognito (and moto) put it in `iss`: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  issuer: string;
  /** Where moto serves the pool's keys: `<endpoint>/<poolId>/.well-known/jwks.json`. */
  jwksUri: string;
  /** A confirmed user whose email is its sign-in name and whose password is permanent. */
  createUser(email: string, password: string): Promise<void>;
}

/** A user pool, its app client and an identity pool that trusts them, created in moto. */
export interface MotoIdentitySetup extends MotoUserPool {
  identityPoolId: string;
  /** Another user pool and client in the same moto: its tokens are signed with the same key. */
  createOtherPool(): Promise<MotoUserPool>;
  /** Another identity pool trusting the same user pool and client; answers its id. */
  createIdentityPool(options?: { allowGuests?: boolean }): Promise<string>;
  /** Closes the SDK clients. */
  close(): void;
}

/**
 * Creates, through the AWS SDK, what the app expects of Amazon Cognito: a user pool that signs in
 * by email with the app's default password policy, an app client without secret allowing
 * USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, and an identity pool whose provider is that pool and
 * client (ProviderName `cognito-idp.<region>.amazonaws.com/<poolId>`, as on AWS).
 */
export async function createMotoIdentitySetup(
  endpoint: string,
  region: string,
  options: { allowGuests?: boolean } = {},
): Promise<MotoIdentitySetup> {
  const idp = new CognitoIdentityProviderClient({ region, endpoint, credentials: CREDENTIALS });
  const identity = new CognitoIdentityClient({ region, endpoint, credentials: CREDENTIALS });
  try {
    const pool = await createUserPool(idp, endpoint, region);
    const createIdentityPool = async ({ allowGuests = false } = {}) => {
      const { IdentityPoolId } = await identity.send(
        new CreateIdentityPoolCommand({
          IdentityPoolName: `app_identities_${Date.now()}`,
          AllowUnauthenticatedIdentities: allowGuests,
          CognitoIdentityProviders: [
            {
              ProviderName: `cognito-idp.${region}.amazonaws.com/${pool.poolId}`,
              ClientId: pool.clientId,
              ServerSideTokenCheck: false,
            },
          ],
        }),
      );
      if (!IdentityPoolId) throw new Error('moto created an identity pool without an id');
      return IdentityPoolId;
    };
    const identityPoolId = await createIdentityPool(options);
    return {
      ...pool,
      identityPoolId,
      createIdentityPool,
      createOtherPool: () => createUserPool(idp, endpoint, region),
      close: () => {
        idp.destroy();
        identity.destroy();
      },
    };
  } catch (error) {
    idp.destroy();
    identity.destroy();
    throw error;
  }
}

async function createUserPool(
  idp: CognitoIdentityProviderClient,
  endpoint: string,
  region: string,
): Promise<MotoUserPool> {
  // The app's defaults, read where the app reads them.
  const policy = parseEnvironment({}).auth.passwordPolicy;
  const { UserPool } = await idp.send(
    new CreateUserPoolCommand({
      PoolName: `app_users_${Date.now()}`,
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: policy.minimumLength,
          RequireUppercase: policy.requireUppercase,
          RequireLowercase: policy.requireLowercase,
          RequireNumbers: policy.requireNumbers,
          RequireSymbols: policy.requireSymbols,
        },
      },
    }),
  );
  const poolId = UserPool?.Id;
  if (!poolId) throw new Error('moto created a user pool without an id');
  const { UserPoolClient } = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'app',
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = UserPoolClient?.ClientId;
  if (!clientId) throw new Error('moto created an app client without an id');
  return {
    region,
    poolId,
    clientId,
    issuer: `https://cognito-idp.${region}.amazonaws.com/${poolId}`,
    jwksUri: `${endpoint}/${poolId}/.well-known/jwks.json`,
    createUser: async (email, password) => {
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await idp.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: email,
          Password: password,
          Permanent: true,
        }),
      );
    },
  };
}

/**
 * The settings that point an app at moto's user pool and identity pool (the custom-endpoint
 * mode), without Redis; the caller adds its own (a state folder, a sync store).
 */
export function motoAppEnv(
  endpoint: string,
  setup: MotoIdentitySetup,
  region: string,
): Record<string, string | undefined> {
  return {
    COGNITO_ENDPOINT: endpoint,
    COGNITO_USER_POOL_ID: setup.poolId,
    COGNITO_CLIENT_ID: setup.clientId,
    COGNITO_CLIENT_SECRET: undefined,
    COGNITO_ISSUER: setup.issuer,
    COGNITO_JWKS_URI: setup.jwksUri,
    AWS_REGION: region,
    COGNITO_IDENTITY_POOL_ID: setup.identityPoolId,
    COGNITO_IDENTITY_ENDPOINT: endpoint,
    COGNITO_IDENTITY_ALLOW_GUESTS: undefined,
    REDIS_URL: undefined,
  };
}
