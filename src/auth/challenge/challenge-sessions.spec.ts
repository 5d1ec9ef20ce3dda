import { randomBytes } from 'node:crypto';
import { AppException } from '../../common/errors/app.exception';
import { ChallengeSessions } from './challenge-sessions';

const KEY = randomBytes(32);
const ALICE = 'alice@example.com';
const STEP = 'NEW_PASSWORD_REQUIRED';

function refusal(action: () => unknown): { status: number; code: string } | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    return { status: (error as AppException).getStatus(), code: (error as AppException).code };
  }
  return undefined;
}

const INVALID = { status: 401, code: 'INVALID_SESSION' };

describe(ChallengeSessions.name, () => {
  let now: number;
  let sessions: ChallengeSessions;

  beforeEach(() => {
    now = 1_800_000_000_000;
    sessions = new ChallengeSessions(KEY, 180, () => now);
  });

  it('opens what it sealed for the same user and step, and hides Cognito’s session', () => {
    const sealed = sessions.seal('cognito-session-1', ALICE, STEP);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('cognito-session-1');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('cognito-session');
    expect(sessions.open(sealed, ALICE, STEP)).toMatchObject({
      session: 'cognito-session-1',
      expiresAt: now + 180_000,
    });
  });

  it('binds the normalised email: case, spaces and composed forms are the same user', () => {
    const sealed = sessions.seal('s', 'Zoe\u0301@Example.com', STEP);
    expect(sessions.open(sealed, ' zo\u00e9@example.com ', STEP).session).toBe('s');
  });

  it('refuses a session that is not one of its own', () => {
    for (const text of ['anything', '', 'AQ', 'x'.repeat(200), '🙂', 'AYABeC1kZWZhdWx0LWtleQ...']) {
      expect([text, refusal(() => sessions.open(text, ALICE, STEP))]).toEqual([text, INVALID]);
    }
  });

  it('refuses a session issued for another user or another step', () => {
    const sealed = sessions.seal('s', ALICE, STEP);
    expect(refusal(() => sessions.open(sealed, 'mallory@example.com', STEP))).toEqual(INVALID);
    expect(refusal(() => sessions.open(sealed, ALICE, 'SOFTWARE_TOKEN_MFA'))).toEqual(INVALID);
    expect(sessions.open(sealed, ALICE, STEP).session).toBe('s');
  });

  it('refuses a tampered session, whichever byte is changed', () => {
    const sealed = Buffer.from(sessions.seal('s', ALICE, STEP), 'base64url');
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] ^= 0x01;
      expect([
        i,
        refusal(() => sessions.open(tampered.toString('base64url'), ALICE, STEP)),
      ]).toEqual([i, INVALID]);
    }
    const padded = `${sealed.toString('base64url')}=`;
    expect(refusal(() => sessions.open(padded, ALICE, STEP))).toEqual(INVALID);
  });

  it('refuses a session sealed with another key', () => {
    const other = new ChallengeSessions(randomBytes(32), 180, () => now);
    expect(refusal(() => sessions.open(other.seal('s', ALICE, STEP), ALICE, STEP))).toEqual(
      INVALID,
    );
  });

  it('accepts a session sealed by another instance with the same key', () => {
    const other = new ChallengeSessions(Buffer.from(KEY), 180, () => now);
    expect(sessions.open(other.seal('s', ALICE, STEP), ALICE, STEP).session).toBe('s');
  });

  it('refuses a session once its lifetime is over', () => {
    const sealed = sessions.seal('s', ALICE, STEP);
    now += 179_999;
    expect(sessions.open(sealed, ALICE, STEP).session).toBe('s');
    now += 1;
    expect(refusal(() => sessions.open(sealed, ALICE, STEP))).toEqual(INVALID);
  });

  it('answers a session once; a failed answer may be tried again, one Cognito refused may not', async () => {
    const sealed = sessions.seal('s', ALICE, STEP);
    const wrongCode = new AppException(400, 'CODE_MISMATCH', 'The code is incorrect.');
    await expect(
      sessions.answer(sessions.open(sealed, ALICE, STEP), () => Promise.reject(wrongCode)),
    ).rejects.toBe(wrongCode);
    await expect(
      sessions.answer(sessions.open(sealed, ALICE, STEP), (session) =>
        Promise.resolve(`answered ${session}`),
      ),
    ).resolves.toBe('answered s');
    expect(refusal(() => sessions.open(sealed, ALICE, STEP))).toEqual(INVALID);

    const refused = sessions.seal('t', ALICE, STEP);
    const upstream = new AppException(401, 'INVALID_SESSION', 'expired upstream');
    await expect(
      sessions.answer(sessions.open(refused, ALICE, STEP), () => Promise.reject(upstream)),
    ).rejects.toBe(upstream);
    expect(refusal(() => sessions.open(refused, ALICE, STEP))).toEqual(INVALID);
  });

  it('lets only one of two concurrent answers of the same session through', async () => {
    const sealed = sessions.seal('s', ALICE, STEP);
    const first = sessions.open(sealed, ALICE, STEP);
    const second = sessions.open(sealed, ALICE, STEP);
    let release!: () => void;
    const pending = sessions.answer(first, () => new Promise<void>((r) => (release = r)));
    await expect(sessions.answer(second, () => Promise.resolve())).rejects.toMatchObject(INVALID);
    release();
    await pending;
  });
});
