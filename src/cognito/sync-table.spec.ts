import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDynamoDbClient } from './cognito-client.factory';
import { createDynaliteServer } from './local/dynalite-server';
import { ensureSyncTable, syncTableDefinition } from './sync-table';

describe(ensureSyncTable.name, () => {
  let server: Server;
  let client: DynamoDBClient;

  beforeAll(async () => {
    // In memory, and new tables stay CREATING for a while, as on Amazon DynamoDB.
    server = createDynaliteServer({ createTableMs: 300 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = createDynamoDbClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      requestTimeoutMs: 3000,
      maxAttempts: 2,
    });
  });

  afterAll(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('creates the table with the key schema and index, waits until ACTIVE, then finds it', async () => {
    await expect(ensureSyncTable(client, 'sync-created')).resolves.toBe('created');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'sync-created' }));
    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'bySyncCount',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sc', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
    expect(Table?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'sc', AttributeType: 'N' },
      ]),
    );

    await expect(ensureSyncTable(client, 'sync-created')).resolves.toBe('exists');
  });

  it('refuses a table of that name with another key schema, naming what differs', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'sync-other-keys',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await expect(ensureSyncTable(client, 'sync-other-keys')).rejects.toThrow(
      'The DynamoDB table sync-other-keys is not a user data sync table: its key schema is ' +
        'id HASH, not pk HASH, sk RANGE; its local secondary index bySyncCount is missing',
    );
  });

  it('refuses a table with the right keys but no index, or an index on something else', async () => {
    const definition = syncTableDefinition('sync-no-index');
    await client.send(
      new CreateTableCommand({
        ...definition,
        AttributeDefinitions: definition.AttributeDefinitions?.slice(0, 2),
        LocalSecondaryIndexes: undefined,
      }),
    );
    await expect(ensureSyncTable(client, 'sync-no-index')).rejects.toThrow(
      'its local secondary index bySyncCount is missing',
    );

    await client.send(
      new CreateTableCommand({
        ...definition,
        TableName: 'sync-wrong-index',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'sc', AttributeType: 'S' },
        ],
        LocalSecondaryIndexes: [
          {
            IndexName: 'bySyncCount',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sc', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      }),
    );
    await expect(ensureSyncTable(client, 'sync-wrong-index')).rejects.toThrow(
      'its index bySyncCount projects KEYS_ONLY, not ALL; its attribute sc is of type S, not N',
    );
  });

  it('gives up, naming the state, when the table does not become ACTIVE in time', async () => {
    await client.send(new CreateTableCommand(syncTableDefinition('sync-slow')));
    await expect(ensureSyncTable(client, 'sync-slow', 0)).rejects.toThrow(
      'The DynamoDB table sync-slow is CREATING, not ACTIVE, after 0 ms',
    );
  });
});
