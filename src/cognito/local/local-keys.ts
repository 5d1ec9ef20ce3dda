import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKey } from '../../config';

export function challengeSessionKeyFile(dataDir: string): string {
  return join(dataDir, 'challenge-session.key');
}

/**
 * The embedded mode's key for sealing sign-in step sessions: 32 random bytes made at the first
 * start into the data folder (hex, mode 0600) and read at every later one, so a step issued just
 * before a restart can still be answered after it.
 */
export function localChallengeSessionKey(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = challengeSessionKeyFile(dataDir);
  try {
    // `wx`: never overwrite a key another start made meanwhile.
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = decodeKey(readFileSync(file, 'utf8'));
  if (!key) {
    throw new Error(`${file} holds no usable key; delete it and the next start makes a new one`);
  }
  return key;
}
