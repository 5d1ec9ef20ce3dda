import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { isPortFree } from '../../common/net/port';
import type { Configuration } from '../../config';
import { createCognitoClient, createDynamoDbClient } from '../cognito-client.factory';
import { CognitoConnection, type ResolvedPool } from '../cognito-connection';
import { ensureSyncTable } from '../sync-table';
import { CodeMailbox } from './code-mailbox';
import { DYNALITE_HOST, startDynaliteProcess, type DynaliteProcess } from './dynalite-process';
import { lockDataFolder } from './data-folder-lock';
import { EmulatorLoginBackend } from './managed-login/login-backend.adapter';
import { IdentityPoolStandIn } from './identity-pool/identity-pool.server';
import { STAND_IN_HOST } from './loopback-server';
import { ManagedLoginStandIn } from './managed-login/managed-login.server';
import {
  EMULATOR_HOST,
  findFreePort,
  startEmulatorProcess,
  type EmulatorProcess,
} from './emulator-process';
import {
  adminPasswordFile,
  ensureLocalAdmin,
  ensureLocalPool,
  readLocalState,
  writeLocalState,
} from './local-pool';

type CognitoSettings = Configuration['cognito'];
type PasswordPolicy = Configuration['auth']['passwordPolicy'];
type IdentitySettings = Configuration['identity'];
type SyncSettings = Configuration['sync'];

/**
 * The embedded mode: runs the cognito-local emulator as a child process for the lifetime of the
 * app and provides its pool. Only start-up differs from the other modes; the flows and the guard
 * use the returned connection exactly as they would use Amazon Cognito.
 */
@Injectable()
export class EmbeddedCognito implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedCognito');
  private emulator?: EmulatorProcess;
  private managedLogin?: ManagedLoginStandIn;
  private identityPool?: IdentityPoolStandIn;
  private dynalite?: DynaliteProcess;
  private mailbox?: CodeMailbox;
  private unlockDataFolder?: () => void;
  private summaryLines: string[] = [];

  /**
   * Starts the emulator, makes sure of its pool, then starts the local stand-ins for the pool's
   * managed login (./managed-login), whose origin is the connection's `domain`, and for an identity
   * pool (./identity-pool) that takes the pool's ID tokens, and a local DynamoDB (dynalite, its
   * data in `<dataDir>/dynalite`) holding user data sync's table. `nodeEnv` `production` refuses
   * the stand-ins and dynalite (the embedded mode is refused there already).
   */
  async start(
    settings: CognitoSettings,
    policy: PasswordPolicy,
    nodeEnv: string,
    identity: IdentitySettings,
    sync: SyncSettings,
  ): Promise<ResolvedPool> {
    const dataDir = resolve(settings.local.dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Before anything in the folder is read or started: it may be another instance's.
    this.unlockDataFolder = lockDataFolder(dataDir);
    let port: number;
    try {
      port = await this.choosePort(settings.local.port, dataDir);
      this.emulator = await startEmulatorProcess(dataDir, port);
    } catch (error) {
      await this.onApplicationShutdown();
      throw error;
    }

    const client = createCognitoClient({
      region: settings.region,
      endpoint: this.emulator.endpoint,
      requestTimeoutMs: settings.requestTimeoutMs,
      maxAttempts: settings.maxAttempts,
    });
    let pool;
    try {
      pool = await ensureLocalPool(client, dataDir, policy);
      if (settings.local.adminEmail) {
        const { adminEmail, adminPassword } = settings.local;
        const created = await ensureLocalAdmin(
          client,
          dataDir,
          pool.userPoolId,
          adminEmail,
          adminPassword,
        );
        const where = adminPassword
          ? 'the password in COGNITO_LOCAL_ADMIN_PASSWORD'
          : `the password in ${relative(process.cwd(), adminPasswordFile(dataDir))}`;
        this.logger.log(
          `Local administrator ${adminEmail} ${created ? 'created' : 'present'} (group admin): sign in with ${where}.`,
        );
      }
    } catch (error) {
      await this.onApplicationShutdown();
      throw error;
    } finally {
      client.destroy();
    }
    const issuer = `${this.emulator.endpoint}/${pool.userPoolId}`;
    const remembered = readLocalState(dataDir);
    try {
      this.managedLogin = await ManagedLoginStandIn.start({
        backend: new EmulatorLoginBackend({ endpoint: this.emulator.endpoint, ...pool }),
        clientId: pool.clientId,
        clientSecret: pool.clientSecret,
        issuer,
        port: await this.rememberedPort(remembered?.managedLoginPort),
        nodeEnv,
      });
      this.identityPool = await IdentityPoolStandIn.start({
        dataDir,
        region: settings.region,
        issuer,
        jwksUri: `${issuer}/.well-known/jwks.json`,
        clientId: pool.clientId,
        allowGuests: identity.allowGuests,
        port: await this.rememberedPort(remembered?.identityPoolPort),
        nodeEnv,
      });
      this.dynalite = await startDynaliteProcess(
        dataDir,
        await this.rememberedPort(remembered?.dynalitePort, DYNALITE_HOST),
        nodeEnv,
      );
      const dynamoDb = createDynamoDbClient({
        region: sync.region,
        endpoint: this.dynalite.endpoint,
        requestTimeoutMs: settings.requestTimeoutMs,
        maxAttempts: settings.maxAttempts,
      });
      try {
        await ensureSyncTable(dynamoDb, sync.table);
      } finally {
        dynamoDb.destroy();
      }
    } catch (error) {
      await this.onApplicationShutdown();
      throw error;
    }
    const domain = this.managedLogin.origin;
    const identityPool = this.identityPool;
    const dynalite = this.dynalite;
    writeLocalState(dataDir, {
      ...pool,
      port,
      managedLoginPort: this.managedLogin.port,
      identityPoolPort: identityPool.port,
      dynalitePort: dynalite.port,
    });

    const shownDir = relative(process.cwd(), dataDir) || '.';
    this.logger.warn(
      'The embedded Cognito emulator is for development only: its signing key is public, so ' +
        'anyone can forge its tokens.',
    );
    const codesFile = relative(process.cwd(), this.emulator.logFile);
    // Only a person at a terminal sees them there: standard output that is a pipe or a file is a
    // log, and a log must never hold a code.
    const codesOnTerminal = settings.local.printCodes && process.stdout.isTTY;
    if (codesOnTerminal) {
      this.mailbox = new CodeMailbox(dataDir, pool.userPoolId, (text) =>
        process.stdout.write(text),
      );
      this.mailbox.start();
    }
    this.summaryLines = [
      codesOnTerminal
        ? 'Confirmation and reset codes are shown on this terminal as they are issued; ' +
          '`npm run codes -- <email>` prints them too.'
        : `Read confirmation and reset codes with \`npm run codes -- <email>\` (or in ${codesFile}).`,
      `Local stand-ins: managed login (sign in with a provider) on ${domain}; identity pool ` +
        `${identityPool.identityPoolId} (AWS credentials marked LOCAL, for no AWS service) on ` +
        `${identityPool.endpoint}; user data sync's table ${sync.table} in DynamoDB (dynalite) on ` +
        `${dynalite.endpoint}; data folder ${shownDir}.`,
    ];

    return {
      connection: new CognitoConnection({
        mode: 'embedded',
        region: settings.region,
        userPoolId: pool.userPoolId,
        clientId: pool.clientId,
        issuer,
        jwksUri: `${issuer}/.well-known/jwks.json`,
        endpoint: this.emulator.endpoint,
        domain,
        identityPool: {
          identityPoolId: identityPool.identityPoolId,
          region: settings.region,
          endpoint: identityPool.endpoint,
        },
        syncTable: { tableName: sync.table, region: sync.region, endpoint: dynalite.endpoint },
      }),
      clientSecret: pool.clientSecret,
    };
  }

  /**
   * What the start-up summary says of the embedded mode, once started: where confirmation codes
   * appear and where the local stand-ins listen. Empty in the other modes.
   */
  summary(): readonly string[] {
    return this.summaryLines;
  }

  /**
   * The configured port, else the one used last time (so the token issuer, which contains the
   * port, stays the same across restarts and earlier tokens keep verifying), else any free one.
   */
  private async choosePort(configured: number, dataDir: string): Promise<number> {
    if (configured > 0) return configured;
    const remembered = readLocalState(dataDir)?.port;
    if (remembered && (await isPortFree(remembered, EMULATOR_HOST))) return remembered;
    return findFreePort();
  }

  /** The port of the last start when it is free again, else any free port (0). */
  private async rememberedPort(
    remembered: number | undefined,
    host: string = STAND_IN_HOST,
  ): Promise<number> {
    return remembered && (await isPortFree(remembered, host)) ? remembered : 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.managedLogin?.stop();
    this.managedLogin = undefined;
    await this.identityPool?.stop();
    this.identityPool = undefined;
    await this.dynalite?.stop();
    this.dynalite = undefined;
    this.mailbox?.stop();
    this.mailbox = undefined;
    await this.emulator?.stop();
    this.emulator = undefined;
    this.summaryLines = [];
    this.unlockDataFolder?.();
    this.unlockDataFolder = undefined;
  }
}
