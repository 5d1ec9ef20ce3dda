import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The codes the emulator has issued to one user and not yet consumed. */
export interface LocalUserCodes {
  username: string;
  email?: string;
  /** A new email waiting to be verified; the account keeps `email` until then. */
  pendingEmail?: string;
  /** Sign-up confirmation or forgot-password code, sent to `email`. */
  confirmationCode?: string;
  /** Code to verify a changed attribute, sent to `pendingEmail` when there is one, else `email`. */
  attributeVerificationCode?: string;
}

interface StoredAttribute {
  Name: string;
  Value?: string;
}

interface StoredUser {
  Username: string;
  Attributes?: StoredAttribute[];
  /** Changes that wait for verification (the pool keeps the original email until then). */
  UnverifiedAttributeChanges?: StoredAttribute[];
  ConfirmationCode?: string;
  AttributeVerificationCode?: string;
  UserStatus?: string;
}

function emailOf(attributes: StoredAttribute[] | undefined): string | undefined {
  return attributes?.find((a) => a.Name === 'email')?.Value;
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
      // A user made by a sign-in through an identity provider gets no codes, and may share its
      // email with the pool's own user who does.
      const users = Object.values(data.Users ?? {}).filter(
        (user) => user.UserStatus !== 'EXTERNAL_PROVIDER',
      );
      return users.map((user) => ({
        username: user.Username,
        email: emailOf(user.Attributes),
        pendingEmail: emailOf(user.UnverifiedAttributeChanges),
        confirmationCode: user.ConfirmationCode,
        attributeVerificationCode: user.AttributeVerificationCode,
      }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      if (attempt >= 5) throw error;
    }
  }
}

/** Where the user's attribute verification code went: the new email while one is pending. */
export function attributeCodeRecipient(user: LocalUserCodes): string {
  return user.pendingEmail ?? user.email ?? user.username;
}

/**
 * The pending codes sent to this address (case-insensitive): a sign-up or reset code goes to the
 * account whose email it is, an attribute code to the account verifying it as its new email.
 */
export function findLocalCodes(
  dataDir: string,
  userPoolId: string,
  email: string,
): Pick<LocalUserCodes, 'confirmationCode' | 'attributeVerificationCode'> | undefined {
  const wanted = email.trim().toLowerCase();
  const users = readLocalCodes(dataDir, userPoolId);
  const owner = users.find((user) => user.email?.toLowerCase() === wanted);
  const verifying = users.find(
    (user) =>
      user.attributeVerificationCode && attributeCodeRecipient(user).toLowerCase() === wanted,
  );
  if (!owner && !verifying) return undefined;
  return {
    confirmationCode: owner?.confirmationCode,
    attributeVerificationCode: verifying?.attributeVerificationCode,
  };
}
