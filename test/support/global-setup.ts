import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCognitoClient } from '../../src/cognito/cognito-client.factory';
import {
  findFreePort,
  startEmulatorProcess,
  type EmulatorProcess,
} from '../../src/cognito/local/emulator-process';
import { ensureLocalPool } from '../../src/cognito/local/local-pool';
import { parseEnvironment } from '../../src/config/environment';

declare global {
  var __E2E_EMULATOR__: EmulatorProcess | undefined;
}

/**
 * Starts one Cognito emulator for the whole e2e run, on a free port with a fresh data folder, and
 * points the app at it through the custom-endpoint settings. With COGNITO_USER_POOL_ID already in
 * the environment the suite runs against that real pool instead and nothing is started.
 */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  // Everything is logged, into a file rather than the terminal: the canary spec searches it.
  process.env.LOG_LEVEL ??= 'debug';
  // The suite signs in far more often than a person could; the rate-limit spec sets its own limits.
  process.env.RATE_LIMIT_IP ??= '1000000';
  process.env.RATE_LIMIT_ACCOUNT ??= '1000000';
  process.env.RATE_LIMIT_MESSAGES ??= '1000000';
  process.env.RATE_LIMIT_PASSWORD_FAILURES ??= '1000000';
  process.env.RATE_LIMIT_PASSWORD_FAILURES_ACCOUNT ??= '1000000';
  const logDir = mkdtempSync(join(tmpdir(), 'e2e-logs-'));
  process.env.E2E_LOG_FILE = join(logDir, 'app.log');
  process.env.E2E_CANARY_FILE = join(logDir, 'secrets.txt');
  // Revocations a test app keeps without Redis go to a throw-away folder, not the working tree's.
  process.env.STATE_DIR ??= mkdtempSync(join(tmpdir(), 'e2e-state-'));
  writeFileSync(process.env.E2E_LOG_FILE, '');
  writeFileSync(process.env.E2E_CANARY_FILE, '');
  if (process.env.COGNITO_USER_POOL_ID) return;

  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-e2e-'));
  const emulator = await startEmulatorProcess(dataDir, await findFreePort());
  const client = createCognitoClient({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    requestTimeoutMs: 3000,
    maxAttempts: 1,
  });
  try {
    const pool = await ensureLocalPool(client, dataDir, parseEnvironment({}).auth.passwordPolicy);
    Object.assign(process.env, {
      COGNITO_ENDPOINT: emulator.endpoint,
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_CLIENT_SECRET: pool.clientSecret,
      E2E_EMULATOR_DATA_DIR: dataDir,
    });
  } finally {
    client.destroy();
  }
  globalThis.__E2E_EMULATOR__ = emulator;
}
