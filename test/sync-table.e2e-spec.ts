import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createDynamoDbClient } from '../src/cognito/cognito-client.factory';
import { CognitoConnection } from '../src/cognito/cognito-connection';
import { createDynaliteServer } from '../src/cognito/local/dynalite-server';
import { startTestApp, withEnv } from './support/test-app';

const CLI = join(__dirname, '..', 'dist', 'cognito', 'sync-table.cli.js');

/**
 * Runs `npm run sync:create-table`'s script (built) with only the given configuration; not
 * spawnSync, which would block the DynamoDB this process serves.
 */
function createTable(
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => resolve({ stdout, stderr, status }));
  });
}

describe('User data sync table: npm run sync:create-table and the connection (e2e)', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    // A DynamoDB-compatible endpoint, as DynamoDB Local or LocalStack would be.
    server = createDynaliteServer({ createTableMs: 200 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const pool = { COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123', COGNITO_CLIENT_ID: 'abc123' };

  it('creates the configured table in the configured region, then finds it', async () => {
    const env = { ...pool, SYNC_TABLE: 'app.sync-data', SYNC_DYNAMODB_ENDPOINT: endpoint };
    const created = await createTable(env);
    expect([created.stderr, created.stdout, created.status]).toEqual([
      '',
      `Created the DynamoDB table app.sync-data in eu-west-1 at ${endpoint}.\n`,
      0,
    ]);
    const client = createDynamoDbClient({
      region: 'eu-west-1',
      endpoint,
      requestTimeoutMs: 3000,
      maxAttempts: 1,
    });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'app.sync-data' }));
    client.destroy();
    expect(Table?.TableStatus).toBe('ACTIVE');

    const again = await createTable({ ...env, SYNC_DYNAMODB_REGION: 'eu-west-1' });
    expect([again.stderr, again.stdout, again.status]).toEqual([
      '',
      `The DynamoDB table app.sync-data exists in eu-west-1 at ${endpoint}, with the expected keys and index.\n`,
      0,
    ]);
  });

  it('refuses a table of another schema, the embedded mode and Cognito Sync, saying why', async () => {
    const client = createDynamoDbClient({
      region: 'eu-west-1',
      endpoint,
      requestTimeoutMs: 3000,
      maxAttempts: 1,
    });
    await client.send(
      new CreateTableCommand({
        TableName: 'users',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    client.destroy();
    const wrong = await createTable({
      ...pool,
      SYNC_TABLE: 'users',
      SYNC_DYNAMODB_ENDPOINT: endpoint,
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(
      /^Error: The DynamoDB table users is not a user data sync table: its key schema is id HASH/,
    );
    const embedded = await createTable({});
    expect(embedded.status).toBe(1);
    expect(embedded.stderr).toContain('The embedded mode creates its user data sync table');
  });

  it('tells the app where the configured table is, outside the embedded mode', async () => {
    const app = await withEnv(
      {
        SYNC_TABLE: 'app.sync-data',
        SYNC_DYNAMODB_ENDPOINT: endpoint,
        SYNC_DYNAMODB_REGION: 'ap-southeast-2',
      },
      () => startTestApp(),
    );
    try {
      const connection = app.get(CognitoConnection);
      expect(connection.mode).not.toBe('embedded');
      expect(connection.syncTable).toEqual({
        tableName: 'app.sync-data',
        region: 'ap-southeast-2',
        endpoint,
      });
    } finally {
      await app.close();
    }
  });
});
