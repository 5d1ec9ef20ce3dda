import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.setup';
import { LogCapture } from './suite-log';

/**
 * The app exactly as main.ts builds it, initialised and ready for supertest. Its log lines go to
 * `logs` when given, and always to the suite's log file.
 */
export async function startTestApp(
  rootModule?: Type,
  logs: LogCapture = new LogCapture(),
): Promise<NestFastifyApplication> {
  const app = await createApp(rootModule, { logDestination: logs });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** A fresh address per test, so tests never share an account. */
export function uniqueEmail(label: string): string {
  return `e2e-${label}-${randomUUID().slice(0, 8)}@${process.env.E2E_EMAIL_DOMAIN ?? 'example.com'}`;
}

/** The settings that select the embedded mode: no pool, no endpoint, the given data folder. */
export function embeddedEnv(dataDir: string): Record<string, string | undefined> {
  return {
    COGNITO_ENDPOINT: undefined,
    COGNITO_USER_POOL_ID: undefined,
    COGNITO_CLIENT_ID: undefined,
    COGNITO_CLIENT_SECRET: undefined,
    COGNITO_LOCAL_DATA_DIR: dataDir,
    COGNITO_LOCAL_PRINT_CODES: 'false',
  };
}

/** Runs `body` with some environment variables changed, restoring them afterwards. */
export async function withEnv<T>(
  changes: Record<string, string | undefined>,
  body: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(changes);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}

export const STRONG_PASSWORD = 'Correct-Horse-9';
export const OTHER_PASSWORD = 'Battery-Staple-7';
