import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The codes the emulator has issued to one user and not yet consumed. */
export interface LocalUserCodes {
  username: string;
  email?: string;
  /** Sign-up confirmation or forgot-password code. */
  confirmationCode?: string;
  /** Code to verify a changed attribute (email). */
  attributeVerificationCode?: string;
}

interface StoredUser {
  Username: string;
  Attributes?: { Name: string; Value?: string }[];
  ConfirmationCode?: string;
  AttributeVerificationCode?: string;
}

export function poolDataFile(dataDir: string, userPoolId: string): string {
  return join(dataDir, '.cognito', 'db', `${userPoolId}.json`);
}

/**
 * Reads every user's pending codes straight from the emulator's data file. The emulator prints
 * codes on its stdout, but that output can lag until its next log line; the file is written as
 * soon as the code is issued. The file is rewritten whole on each change, so a read that catches
 * it half-written is retried.
 */
export function readLocalCodes(dataDir: string, userPoolId: string): LocalUserCodes[] {
  const file = poolDataFile(dataDir, userPoolId);
  for (let attempt = 0; ; attempt++) {
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { Users?: Record<string, StoredUser> };
      return Object.values(data.Users ?? {}).map((user) => ({
        username: user.Username,
        email: user.Attributes?.find((a) => a.Name === 'email')?.Value,
        confirmationCode: user.ConfirmationCode,
        attributeVerificationCode: user.AttributeVerificationCode,
      }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      if (attempt >= 5) throw error;
    }
  }
}

/** The pending codes of the user with this email (case-insensitive), if any. */
export function findLocalCodes(
  dataDir: string,
  userPoolId: string,
  email: string,
): LocalUserCodes | undefined {
  const wanted = email.trim().toLowerCase();
  return readLocalCodes(dataDir, userPoolId).find((user) => user.email?.toLowerCase() === wanted);
}
