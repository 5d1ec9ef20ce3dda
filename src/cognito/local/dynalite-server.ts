import type { Server } from 'node:http';

/** What dynalite (DynamoDB's API on LevelDB) takes; it ships no types of its own. */
export interface DynaliteOptions {
  /** The LevelDB folder; unset: in memory. */
  path?: string;
  /** How long a new table stays CREATING (dynalite's default: 500 ms). */
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

/**
 * A dynalite HTTP server, not listening yet. dynalite is a devDependency, like the emulator: only
 * the embedded mode (and the tests) load it.
 */
export function createDynaliteServer(options: DynaliteOptions): Server {
  let dynalite: (options: DynaliteOptions) => Server;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    dynalite = require('dynalite') as typeof dynalite;
  } catch {
    throw new Error(
      'The embedded DynamoDB (the dynalite devDependency) is not installed. Run `npm ci` with ' +
        'dev dependencies, or configure COGNITO_USER_POOL_ID for a real pool and SYNC_TABLE.',
    );
  }
  return dynalite(options);
}
