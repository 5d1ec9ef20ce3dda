import type { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { challengeSessionKeyFile } from '../../cognito/local/local-keys';
import { parseEnvironment } from '../../config';
import { challengeSessionKey } from './challenge-session-key';

function settings(env: NodeJS.ProcessEnv) {
  const config = parseEnvironment(env);
  return [config.auth, config.cognito] as const;
}

const AWS = { COGNITO_USER_POOL_ID: 'eu-west-1_AbC', COGNITO_CLIENT_ID: 'client' };
const KEY_HEX = '8f3c1b0d5e7a92c4f6e1d3b5a7c9e0f2143658a7b9cadbecfd0e1f2a3b4c5d6e';

describe(challengeSessionKey.name, () => {
  let logger: { warn: jest.Mock };
  beforeEach(() => (logger = { warn: jest.fn() }));

  it('uses CHALLENGE_SESSION_KEY when it is set, in every mode', () => {
    for (const env of [AWS, { COGNITO_LOCAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'key-')) }]) {
      const key = challengeSessionKey(
        ...settings({ ...env, CHALLENGE_SESSION_KEY: KEY_HEX }),
        logger as unknown as Logger,
      );
      expect(key.toString('hex')).toBe(KEY_HEX);
    }
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('keeps the embedded mode’s key in its data folder, 0600, the same at every start', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'key-')), 'data');
    const [auth, cognito] = settings({ COGNITO_LOCAL_DATA_DIR: dataDir });
    const first = challengeSessionKey(auth, cognito, logger as unknown as Logger);
    const file = challengeSessionKeyFile(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(first).toHaveLength(32);
    expect(challengeSessionKey(auth, cognito, logger as unknown as Logger)).toEqual(first);
    expect(logger.warn).not.toHaveBeenCalled();

    writeFileSync(file, 'not a key\n');
    expect(() => challengeSessionKey(auth, cognito, logger as unknown as Logger)).toThrow(
      `${file} holds no usable key; delete it and the next start makes a new one`,
    );
  });

  it('makes a key of this process elsewhere, and warns once that instances need a shared one', () => {
    const [auth, cognito] = settings(AWS);
    const one = challengeSessionKey(auth, cognito, logger as unknown as Logger);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('CHALLENGE_SESSION_KEY is not set');
    const two = challengeSessionKey(auth, cognito, logger as unknown as Logger);
    expect(one).toHaveLength(32);
    expect(two).not.toEqual(one);
  });
});
