import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/** The local secondary index that finds a dataset's records changed after a sync count. */
export const SYNC_BY_SYNC_COUNT_INDEX = 'bySyncCount';

/**
 * The user data sync table: items keyed by `pk` (partition, string) and `sk` (sort, string), and
 * the local secondary index `bySyncCount` on `pk` + `sc` (a number: the sync count an item was
 * last written at), projecting every attribute. On demand (pay per request): no capacity to plan.
 */
export function syncTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'sc', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: SYNC_BY_SYNC_COUNT_INDEX,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sc', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** How long a new table may take to become ACTIVE, and how often it is asked. */
const ACTIVE_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 500;

async function describe(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined): string =>
  (schema ?? []).map((key) => `${key.AttributeName} ${key.KeyType}`).join(', ') || 'none';

/** What differs between an existing table and {@link syncTableDefinition}, in words. */
export function syncTableDifferences(table: TableDescription): string[] {
  const expected = syncTableDefinition(table.TableName ?? '');
  const differences: string[] = [];
  if (keys(table.KeySchema) !== keys(expected.KeySchema)) {
    differences.push(`key schema is ${keys(table.KeySchema)}, not ${keys(expected.KeySchema)}`);
  }
  const wanted = expected.LocalSecondaryIndexes?.[0];
  const index = table.LocalSecondaryIndexes?.find((lsi) => lsi.IndexName === wanted?.IndexName);
  if (!index) {
    differences.push(`local secondary index ${wanted?.IndexName} is missing`);
  } else {
    if (keys(index.KeySchema) !== keys(wanted?.KeySchema)) {
      differences.push(
        `index ${wanted?.IndexName} has key schema ${keys(index.KeySchema)}, not ${keys(wanted?.KeySchema)}`,
      );
    }
    if (index.Projection?.ProjectionType !== 'ALL') {
      differences.push(
        `index ${wanted?.IndexName} projects ${index.Projection?.ProjectionType ?? 'nothing'}, not ALL`,
      );
    }
  }
  for (const definition of expected.AttributeDefinitions ?? []) {
    const actual = table.AttributeDefinitions?.find(
      (attribute) => attribute.AttributeName === definition.AttributeName,
    );
    if (actual && actual.AttributeType !== definition.AttributeType) {
      differences.push(
        `attribute ${definition.AttributeName} is of type ${actual.AttributeType}, not ${definition.AttributeType}`,
      );
    }
  }
  return differences;
}

async function waitUntilActive(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs: number,
): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describe(client, tableName);
    if (table?.TableStatus === 'ACTIVE') return table;
    if (Date.now() >= deadline) {
      throw new Error(
        `The DynamoDB table ${tableName} is ${table?.TableStatus ?? 'missing'}, not ACTIVE, after ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/**
 * Makes sure the user data sync table exists with {@link syncTableDefinition}'s key schema and
 * index, and is ACTIVE: creates it when missing (`created`), else checks it (`exists`). A table of
 * that name with another key schema or without the index is refused, naming what differs.
 */
export async function ensureSyncTable(
  client: DynamoDBClient,
  tableName: string,
  activeTimeoutMs = ACTIVE_TIMEOUT_MS,
): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'exists';
  if (!(await describe(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(syncTableDefinition(tableName)));
      outcome = 'created';
    } catch (error) {
      // Another instance created it in the meantime.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  const table = await waitUntilActive(client, tableName, activeTimeoutMs);
  const differences = syncTableDifferences(table);
  if (differences.length > 0) {
    throw new Error(
      `The DynamoDB table ${tableName} is not a user data sync table: its ${differences.join('; its ')}`,
    );
  }
  return outcome;
}
