/**
 * `npm run sync:create-table`: creates the DynamoDB table that keeps user data sync's datasets,
 * as the configuration names it (SYNC_TABLE, SYNC_DYNAMODB_REGION, SYNC_DYNAMODB_ENDPOINT), or
 * checks the one that exists. Against Amazon DynamoDB it uses the operator's own AWS credentials.
 * The embedded mode needs no command: it creates its table in its own DynamoDB at start.
 */
import { loadConfiguration } from '../config/environment';
import { createDynamoDbClient } from './cognito-client.factory';
import { ensureSyncTable } from './sync-table';

async function main(): Promise<number> {
  const { cognito, sync } = loadConfiguration();
  if (cognito.mode === 'embedded') {
    process.stderr.write(
      'The embedded mode creates its user data sync table in its own DynamoDB (in ' +
        `${cognito.local.dataDir}/dynalite) when the API starts: nothing to do. Set ` +
        'COGNITO_USER_POOL_ID to create the table of a configured pool.\n',
    );
    return 1;
  }
  const client = createDynamoDbClient({
    region: sync.region,
    endpoint: sync.endpoint,
    requestTimeoutMs: cognito.requestTimeoutMs,
    maxAttempts: cognito.maxAttempts,
  });
  try {
    const outcome = await ensureSyncTable(client, sync.table);
    const where = `${sync.region}${sync.endpoint ? ` at ${sync.endpoint}` : ''}`;
    process.stdout.write(
      outcome === 'created'
        ? `Created the DynamoDB table ${sync.table} in ${where}.\n`
        : `The DynamoDB table ${sync.table} exists in ${where}, with the expected keys and index.\n`,
    );
    return 0;
  } finally {
    client.destroy();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: ${message}\n`);
    process.exitCode = 1;
  },
);
