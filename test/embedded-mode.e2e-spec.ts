import { Logger } from '@nestjs/common';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import request from 'supertest';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../src/cognito/cognito-client.factory';
import { CognitoConnection } from '../src/cognito/cognito-connection';
import { startEmulatorProcess } from '../src/cognito/local/emulator-process';
import { findLocalCodes } from '../src/cognito/local/local-codes';
import { AccessTokenVerifier } from '../src/guard';
import {
  embeddedEnv,
  STRONG_PASSWORD,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';
import { eventually, processesIn } from './support/processes';

/** Every folder and file under `dir` (itself included) with its permission bits. */
function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = { '.': (statSync(dir).mode & 0o777).toString(8) };
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      found[relative(dir, path)] = (statSync(path).mode & 0o777).toString(8);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

/** What `modes` answers for a private folder: 700 for the folders, 600 for the files. */
function privately(dir: string): Record<string, string> {
  return Object.fromEntries(
    Object.keys(modes(dir)).map((path) => [
      path,
      statSync(join(dir, path)).isDirectory() ? '700' : '600',
    ]),
  );
}

function sdkFor(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

describe('Embedded mode (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-embedded-'));
  const email = uniqueEmail('embedded');

  it('starts the emulator, creates the pool, an app client with a secret and the admin group', async () => {
    const app = await withEnv(embeddedEnv(dataDir), () => startTestApp());
    try {
      const connection = app.get(CognitoConnection);
      expect(connection.mode).toBe('embedded');
      expect(connection.userPoolId).toMatch(/^local_/);
      expect(connection.issuer).toBe(`${connection.endpoint}/${connection.userPoolId}`);
      expect(connection.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(processesIn(dataDir)).toHaveLength(1);

      // User data sync's table, in the embedded DynamoDB (its own process, its data in the folder).
      expect(connection.syncTable).toEqual({
        tableName: 'nest-cognito-auth-sync',
        region: connection.region,
        endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      });
      expect(processesIn(join(dataDir, 'dynalite'))).toHaveLength(1);
      const dynamoDb = createDynamoDbClient({
        region: connection.syncTable?.region ?? '',
        endpoint: connection.syncTable?.endpoint,
        requestTimeoutMs: 3000,
        maxAttempts: 1,
      });
      const { TableNames } = await dynamoDb.send(new ListTablesCommand({}));
      const { Table } = await dynamoDb.send(
        new DescribeTableCommand({ TableName: 'nest-cognito-auth-sync' }),
      );
      dynamoDb.destroy();
      expect(TableNames).toEqual(['nest-cognito-auth-sync']);
      expect(Table).toMatchObject({
        TableStatus: 'ACTIVE',
        LocalSecondaryIndexes: [expect.objectContaining({ IndexName: 'bySyncCount' })],
      });

      const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(state).toMatchObject({
        userPoolId: connection.userPoolId,
        clientId: connection.clientId,
        clientSecret: expect.any(String),
        dynalitePort: Number(new URL(connection.syncTable?.endpoint ?? '').port),
      });
      // The connection that other modules inject carries no secret.
      expect(JSON.stringify(connection)).not.toContain(state.clientSecret as string);

      const sdk = sdkFor(connection.endpoint ?? '');
      const { Groups = [] } = await sdk.send(
        new ListGroupsCommand({ UserPoolId: connection.userPoolId }),
      );
      const { UserPoolClient } = await sdk.send(
        new DescribeUserPoolClientCommand({
          UserPoolId: connection.userPoolId,
          ClientId: connection.clientId,
        }),
      );
      const { UserPool } = await sdk.send(
        new DescribeUserPoolCommand({ UserPoolId: connection.userPoolId }),
      );
      sdk.destroy();
      expect(Groups.map((g) => g.GroupName)).toContain('admin');
      // An email change waits for verification (keep the original until then).
      expect(UserPool?.UserAttributeUpdateSettings).toEqual({
        AttributesRequireVerificationBeforeUpdate: ['email'],
      });
      // Unknown users are not told apart from wrong passwords by the app client itself either.
      expect(UserPoolClient?.PreventUserExistenceErrors).toBe('ENABLED');

      const http = request(app.getHttpServer());
      expect(
        (await http.post('/auth/sign-up').send({ email, password: STRONG_PASSWORD })).status,
      ).toBe(201);
      // The code is in the data file well within a second of the answer.
      const issued = Date.now();
      await eventually(
        () => Boolean(findLocalCodes(dataDir, connection.userPoolId, email)?.confirmationCode),
        1000,
        'the confirmation code',
      );
      expect(Date.now() - issued).toBeLessThan(1000);
      const code = findLocalCodes(dataDir, connection.userPoolId, email)?.confirmationCode;
      expect((await http.post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
      // The data (plain-text passwords, the client secret, the emulator's log of codes) is the
      // user's alone, the files the emulator wrote for the sign-up included.
      expect(Object.keys(modes(dataDir))).toEqual(
        expect.arrayContaining([
          'state.json',
          'emulator.log',
          '.cognito/config.json',
          '.cognito/db/clients.json',
          `.cognito/db/${connection.userPoolId}.json`,
          'dynalite.log',
          'dynalite',
          'dynalite/CURRENT',
        ]),
      );
      expect(modes(dataDir)).toEqual(privately(dataDir));

      // Tokens of this mode are verified by the same verifier as in the AWS mode.
      const login = await http.post('/auth/login').send({ email, password: STRONG_PASSWORD });
      expect(login.status).toBe(200);
      await expect(
        app.get(AccessTokenVerifier).verify(login.body.accessToken),
      ).resolves.toMatchObject({
        username: expect.any(String),
        clientId: connection.clientId,
      });
    } finally {
      await app.close();
    }
    await eventually(() => processesIn(dataDir).length === 0, 3000, 'the emulator to stop');
    await eventually(
      () => processesIn(join(dataDir, 'dynalite')).length === 0,
      3000,
      'the embedded DynamoDB to stop',
    );
  });

  it('reuses the pool and its users on the next start, on the same port', async () => {
    expect(existsSync(join(dataDir, 'state.json'))).toBe(true);
    const before = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const app = await withEnv(embeddedEnv(dataDir), () => startTestApp());
    try {
      const connection = app.get(CognitoConnection);
      expect(connection.userPoolId).toBe(before.userPoolId);
      expect(connection.clientId).toBe(before.clientId);
      expect(connection.endpoint).toBe(`http://127.0.0.1:${before.port as number}`);
      // The managed login stand-in keeps its port too.
      expect(connection.domain).toBe(`http://127.0.0.1:${before.managedLoginPort as number}`);
      // So does the embedded DynamoDB.
      expect(connection.syncTable?.endpoint).toBe(
        `http://127.0.0.1:${before.dynalitePort as number}`,
      );
      const login = await request(app.getHttpServer())
        .post('/auth/login')
        .send({ email, password: STRONG_PASSWORD });
      expect(login.status).toBe(200);
    } finally {
      await app.close();
    }
    await eventually(() => processesIn(dataDir).length === 0, 3000, 'the emulator to stop');
  });

  it('brings a data folder of an earlier version up to date: private files, email changes kept pending', async () => {
    const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as {
      userPoolId: string;
      port: number;
    };
    // As an earlier version left it: a pool without the setting...
    const emulator = await startEmulatorProcess(dataDir, state.port);
    const sdk = sdkFor(emulator.endpoint);
    const setting = async () =>
      (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: state.userPoolId }))).UserPool
        ?.UserAttributeUpdateSettings;
    try {
      await sdk.send(
        new UpdateUserPoolCommand({
          UserPoolId: state.userPoolId,
          AutoVerifiedAttributes: ['email'],
          MfaConfiguration: 'OPTIONAL',
        }),
      );
      expect(await setting()).toBeUndefined();
    } finally {
      await emulator.stop();
    }
    // ...and files anyone could read.
    for (const path of Object.keys(modes(dataDir))) {
      const full = join(dataDir, path);
      chmodSync(full, statSync(full).isDirectory() ? 0o755 : 0o644);
    }

    const app = await withEnv(embeddedEnv(dataDir), () => startTestApp());
    try {
      expect(modes(dataDir)).toEqual(privately(dataDir));
      const sdkNow = sdkFor(app.get(CognitoConnection).endpoint ?? '');
      const { UserPool } = await sdkNow.send(
        new DescribeUserPoolCommand({ UserPoolId: state.userPoolId }),
      );
      sdkNow.destroy();
      expect(UserPool?.UserAttributeUpdateSettings).toEqual({
        AttributesRequireVerificationBeforeUpdate: ['email'],
      });
      // The pool's other settings were passed back, not reset.
      expect(UserPool).toMatchObject({
        AutoVerifiedAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
      });
    } finally {
      sdk.destroy();
      await app.close();
    }
    await eventually(() => processesIn(dataDir).length === 0, 3000, 'the emulator to stop');
  });

  it('creates the local administrator at first start, with a password kept out of the log', async () => {
    const adminDir = mkdtempSync(join(tmpdir(), 'cognito-embedded-admin-'));
    const log = jest.spyOn(Logger.prototype, 'log');
    const app = await withEnv(
      { ...embeddedEnv(adminDir), COGNITO_LOCAL_ADMIN_EMAIL: 'Boss@Example.com' },
      () => startTestApp(),
    );
    try {
      const passwordFile = join(adminDir, 'admin-password');
      expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
      const password = readFileSync(passwordFile, 'utf8').trim();
      expect(JSON.stringify(log.mock.calls)).not.toContain(password);
      expect(JSON.stringify(log.mock.calls)).toContain(
        'Local administrator boss@example.com created',
      );

      const http = request(app.getHttpServer());
      const login = await http.post('/auth/login').send({ email: 'boss@example.com', password });
      expect(login.status).toBe(200);
      const users = await http
        .get('/admin/users')
        .set('authorization', `Bearer ${login.body.accessToken}`);
      expect(users.status).toBe(200);
    } finally {
      log.mockRestore();
      await app.close();
    }
  });

  it('keeps the key that seals sign-in step sessions (0600), so a step survives a restart', async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'cognito-embedded-key-'));
    const invitee = uniqueEmail('restart-step');
    const first = await withEnv(embeddedEnv(keyDir), () => startTestApp());
    let session: string;
    try {
      const connection = first.get(CognitoConnection);
      const sdk = new CognitoIdentityProviderClient({
        region: 'us-east-1',
        endpoint: connection.endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      await sdk.send(
        new AdminCreateUserCommand({
          UserPoolId: connection.userPoolId,
          Username: invitee,
          TemporaryPassword: 'Temp-Passw0rd!',
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: invitee }],
        }),
      );
      sdk.destroy();
      const login = await request(first.getHttpServer())
        .post('/auth/login')
        .send({ email: invitee, password: 'Temp-Passw0rd!' });
      expect(login.body.nextStep).toBe('NEW_PASSWORD_REQUIRED');
      session = login.body.session as string;
    } finally {
      await first.close();
    }
    await eventually(() => processesIn(keyDir).length === 0, 3000, 'the emulator to stop');
    const keyFile = join(keyDir, 'challenge-session.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8');

    const second = await withEnv(embeddedEnv(keyDir), () => startTestApp());
    try {
      const answered = await request(second.getHttpServer()).post('/auth/challenge').send({
        email: invitee,
        nextStep: 'NEW_PASSWORD_REQUIRED',
        session,
        newPassword: STRONG_PASSWORD,
      });
      expect(answered.status).toBe(200);
      expect(answered.body.accessToken).toEqual(expect.any(String));
    } finally {
      await second.close();
    }
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
  });
});
