import {
  ListTablesCommand,
  PutItemCommand,
  GetItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDbClient } from '../cognito-client.factory';
import { ensureSyncTable } from '../sync-table';
import { startDynaliteProcess, type DynaliteProcess } from './dynalite-process';
import { childBootstrap } from './child-process';

function clientOf(dynalite: DynaliteProcess): DynamoDBClient {
  return createDynamoDbClient({
    region: 'us-east-1',
    endpoint: dynalite.endpoint,
    requestTimeoutMs: 3000,
    maxAttempts: 1,
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every file and folder under `folder` whose mode lets anyone but the owner in. */
function openToOthers(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (statSync(path).mode & 0o077) found.push(path);
  }
  if (statSync(folder).mode & 0o077) found.push(folder);
  return found;
}

describe(startDynaliteProcess.name, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dynalite-process-'));
  const started: DynaliteProcess[] = [];
  /** The child of a parent killed in a test: killed here if the test failed to see it go. */
  let orphan: number | undefined;
  afterAll(async () => {
    if (orphan && alive(orphan)) process.kill(orphan, 'SIGKILL');
    for (const dynalite of started) await dynalite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves DynamoDB on 127.0.0.1, keeps its tables across a stop and a start, and stops', async () => {
    const first = await startDynaliteProcess(dataDir, 0, 'test');
    started.push(first);
    expect(first.endpoint).toBe(`http://127.0.0.1:${first.port}`);
    expect(first.dataPath).toBe(join(dataDir, 'dynalite'));
    let client = clientOf(first);
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({
      TableNames: [],
    });
    await ensureSyncTable(client, 'sync');
    await client.send(
      new PutItemCommand({
        TableName: 'sync',
        Item: { pk: { S: 'user#1' }, sk: { S: 'dataset' }, sc: { N: '1' } },
      }),
    );
    client.destroy();
    await first.stop();
    expect(alive(first.pid)).toBe(false);
    await expect(fetch(first.endpoint, { method: 'POST' })).rejects.toThrow();

    // The same port again when it is free, and the same data.
    const second = await startDynaliteProcess(dataDir, first.port, 'test');
    started.push(second);
    expect(second.port).toBe(first.port);
    client = clientOf(second);
    await expect(ensureSyncTable(client, 'sync')).resolves.toBe('exists');
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'sync', Key: { pk: { S: 'user#1' }, sk: { S: 'dataset' } } }),
    );
    expect(Item).toEqual({ pk: { S: 'user#1' }, sk: { S: 'dataset' }, sc: { N: '1' } });
    client.destroy();
    expect(openToOthers(dataDir)).toEqual([]);
    await second.stop();
    expect(alive(second.pid)).toBe(false);
  });

  it('exits when the process that started it is killed outright (its IPC channel closes)', async () => {
    const folder = join(dataDir, 'orphan');
    mkdirSync(folder);
    // A parent that starts dynalite, says the child's pid, and waits.
    writeFileSync(
      join(folder, 'parent.ts'),
      `require(${JSON.stringify(join(__dirname, 'dynalite-process.ts'))})
        .startDynaliteProcess(${JSON.stringify(join(folder, 'data'))}, 0, 'test')
        .then((dynalite: { pid: number }) => process.stdout.write(dynalite.pid + '\\n'));
      setInterval(() => undefined, 1000);`,
    );
    const parent = spawn(process.execPath, ['-e', childBootstrap(join(folder, 'parent'))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code})`)));
    });
    orphan = pid;
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });

  it('refuses production, and tells why when it cannot listen', async () => {
    await expect(startDynaliteProcess(dataDir, 0, 'production')).rejects.toThrow(
      'The embedded DynamoDB is for development only',
    );
    const holder = await startDynaliteProcess(join(dataDir, 'other'), 0, 'test');
    started.push(holder);
    await expect(startDynaliteProcess(dataDir, holder.port, 'test')).rejects.toThrow(
      /Could not start the embedded DynamoDB \(dynalite\) in .*: EADDRINUSE/,
    );
    await holder.stop();
  });
});
