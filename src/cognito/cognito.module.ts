import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoSyncClient } from '@aws-sdk/client-cognito-sync';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  appConfig,
  authConfig,
  cognitoConfig,
  federationConfig,
  identityConfig,
  syncConfig,
} from '../config';
import { CognitoAdminAdapter } from './cognito-admin.adapter';
import { CognitoAdminPort } from './cognito-admin.port';
import {
  createCognitoClient,
  createCognitoSyncClient,
  createDynamoDbClient,
  createIdentityPoolClient,
} from './cognito-client.factory';
import { CognitoConnection, RESOLVED_POOL, type ResolvedPool } from './cognito-connection';
import { CognitoIdentityAdapter } from './cognito-identity.adapter';
import { CognitoReachability } from './cognito-reachability';
import { CognitoIdentityPort } from './cognito-identity.port';
import { COGNITO_SDK_CLIENT, IDENTITY_POOL_SDK_CLIENT, SYNC_STORE_CLIENT } from './cognito.tokens';
import { IdentityPoolAdapter } from './identity-pool.adapter';
import { IdentityPoolPort } from './identity-pool.port';
import { SyncCognitoAdapter } from './sync-cognito.adapter';
import { SyncDynamoDbAdapter } from './sync-dynamodb.adapter';
import { SyncStorePort } from './sync-store.port';
import { EmbeddedCognito } from './local/embedded-cognito';
import { ManagedLoginAdapter } from './managed-login.adapter';
import { ManagedLoginPort } from './managed-login.port';

/** The endpoint and AWS modes: everything comes from the validated configuration. */
function poolFromConfig(
  settings: ConfigType<typeof cognitoConfig>,
  domain: string | undefined,
  identity: ConfigType<typeof identityConfig>,
  sync: ConfigType<typeof syncConfig>,
): ResolvedPool {
  const { mode, region, userPoolId, clientId, issuer, jwksUri, endpoint, clientSecret } = settings;
  if (!userPoolId || !clientId || !issuer || !jwksUri) {
    // parseEnvironment refuses such a configuration; this guards against a future gap.
    throw new Error(
      'A user pool id, app client id and issuer are required outside the embedded mode',
    );
  }
  return {
    connection: new CognitoConnection({
      mode,
      region,
      userPoolId,
      clientId,
      issuer,
      jwksUri,
      endpoint,
      domain,
      identityPool:
        identity.poolId && identity.region
          ? {
              identityPoolId: identity.poolId,
              region: identity.region,
              endpoint: identity.endpoint,
            }
          : undefined,
      ...(sync.backend === 'cognito-sync' && identity.poolId && identity.region
        ? {
            cognitoSync: {
              identityPoolId: identity.poolId,
              region: identity.region,
              endpoint: sync.cognitoSyncEndpoint,
            },
          }
        : { syncTable: { tableName: sync.table, region: sync.region, endpoint: sync.endpoint } }),
    }),
    clientSecret,
  };
}

/**
 * User data sync's store client: Cognito Sync's when the connection names it, else DynamoDB's for
 * the table every mode otherwise sets (see poolFromConfig, EmbeddedCognito).
 */
function createSyncStoreClient(
  connection: CognitoConnection,
  settings: ConfigType<typeof cognitoConfig>,
): CognitoSyncClient | DynamoDBClient {
  const bounds = { requestTimeoutMs: settings.requestTimeoutMs, maxAttempts: settings.maxAttempts };
  const { cognitoSync, syncTable } = connection;
  if (cognitoSync) {
    return createCognitoSyncClient({
      region: cognitoSync.region,
      endpoint: cognitoSync.endpoint,
      ...bounds,
    });
  }
  if (!syncTable) throw new Error('The connection names no user data sync store');
  return createDynamoDbClient({
    region: syncTable.region,
    endpoint: syncTable.endpoint,
    ...bounds,
  });
}

function createSyncStore(
  client: CognitoSyncClient | DynamoDBClient,
  connection: CognitoConnection,
): SyncStorePort {
  if (client instanceof CognitoSyncClient && connection.cognitoSync) {
    return new SyncCognitoAdapter(client, connection.cognitoSync);
  }
  if (client instanceof DynamoDBClient && connection.syncTable) {
    return new SyncDynamoDbAdapter(client, connection.syncTable.tableName);
  }
  throw new Error('The connection names no user data sync store');
}

/**
 * The only module that talks to Cognito. It resolves the pool for the configured mode (starting
 * the embedded emulator when that is the mode), builds the SDK client, and exports the port the
 * rest of the app calls plus the non-secret connection details the token verifier needs.
 */
@Module({
  providers: [
    EmbeddedCognito,
    {
      provide: RESOLVED_POOL,
      inject: [
        cognitoConfig.KEY,
        authConfig.KEY,
        appConfig.KEY,
        federationConfig.KEY,
        identityConfig.KEY,
        syncConfig.KEY,
        EmbeddedCognito,
      ],
      useFactory: (
        settings: ConfigType<typeof cognitoConfig>,
        auth: ConfigType<typeof authConfig>,
        app: ConfigType<typeof appConfig>,
        federation: ConfigType<typeof federationConfig>,
        identity: ConfigType<typeof identityConfig>,
        sync: ConfigType<typeof syncConfig>,
        embedded: EmbeddedCognito,
      ): ResolvedPool | Promise<ResolvedPool> =>
        settings.mode === 'embedded'
          ? embedded.start(settings, auth.passwordPolicy, app.nodeEnv, identity, sync)
          : poolFromConfig(settings, federation.domain, identity, sync),
    },
    {
      provide: CognitoConnection,
      inject: [RESOLVED_POOL],
      useFactory: (pool: ResolvedPool) => pool.connection,
    },
    {
      provide: COGNITO_SDK_CLIENT,
      inject: [cognitoConfig.KEY, CognitoConnection],
      useFactory: (settings: ConfigType<typeof cognitoConfig>, connection: CognitoConnection) =>
        createCognitoClient({
          region: connection.region,
          endpoint: connection.endpoint,
          requestTimeoutMs: settings.requestTimeoutMs,
          maxAttempts: settings.maxAttempts,
        }),
    },
    {
      provide: IDENTITY_POOL_SDK_CLIENT,
      inject: [cognitoConfig.KEY, CognitoConnection],
      useFactory: (settings: ConfigType<typeof cognitoConfig>, connection: CognitoConnection) =>
        createIdentityPoolClient({
          region: connection.identityPool?.region ?? connection.region,
          endpoint: connection.identityPool?.endpoint,
          requestTimeoutMs: settings.requestTimeoutMs,
          maxAttempts: settings.maxAttempts,
        }),
    },
    {
      provide: SYNC_STORE_CLIENT,
      inject: [cognitoConfig.KEY, CognitoConnection],
      useFactory: (settings: ConfigType<typeof cognitoConfig>, connection: CognitoConnection) =>
        createSyncStoreClient(connection, settings),
    },
    {
      provide: SyncStorePort,
      inject: [SYNC_STORE_CLIENT, CognitoConnection],
      useFactory: createSyncStore,
    },
    CognitoReachability,
    { provide: IdentityPoolPort, useClass: IdentityPoolAdapter },
    { provide: CognitoIdentityPort, useClass: CognitoIdentityAdapter },
    { provide: CognitoAdminPort, useClass: CognitoAdminAdapter },
    { provide: ManagedLoginPort, useClass: ManagedLoginAdapter },
  ],
  exports: [
    CognitoConnection,
    CognitoIdentityPort,
    CognitoAdminPort,
    ManagedLoginPort,
    IdentityPoolPort,
    SyncStorePort,
    CognitoReachability,
  ],
})
export class CognitoModule implements OnApplicationShutdown {
  constructor(
    @Inject(COGNITO_SDK_CLIENT) private readonly client: CognitoIdentityProviderClient,
    @Inject(IDENTITY_POOL_SDK_CLIENT) private readonly identityClient: CognitoIdentityClient,
    @Inject(SYNC_STORE_CLIENT) private readonly syncClient: CognitoSyncClient | DynamoDBClient,
  ) {}

  onApplicationShutdown(): void {
    this.client.destroy();
    this.identityClient.destroy();
    this.syncClient.destroy();
  }
}
