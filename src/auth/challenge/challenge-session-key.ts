import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { localChallengeSessionKey } from '../../cognito/local/local-keys';
import type { authConfig, cognitoConfig } from '../../config';

/**
 * The key sign-in step sessions are sealed with: CHALLENGE_SESSION_KEY when set (production
 * requires it); in the embedded mode, the one kept in its data folder; otherwise a key of this
 * process alone, with one warning, since other instances and later starts cannot open what it
 * sealed.
 */
export function challengeSessionKey(
  auth: ConfigType<typeof authConfig>,
  cognito: ConfigType<typeof cognitoConfig>,
  logger = new Logger('ChallengeSessions'),
): Buffer {
  const configured = auth.challengeSessions.key;
  if (configured) return configured;
  if (cognito.mode === 'embedded') return localChallengeSessionKey(resolve(cognito.local.dataDir));
  logger.warn(
    'CHALLENGE_SESSION_KEY is not set: sign-in step sessions are sealed with a key of this ' +
      'process only. Give every instance the same key, or they refuse each other’s sessions ' +
      '(and a restart refuses the open ones).',
  );
  return randomBytes(32);
}
