import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attributeCodeRecipient, findLocalCodes, readLocalCodes } from './local-codes';

const POOL = 'local_Codes';

/** A data folder whose pool file holds these users, as the emulator writes them. */
function dataDirWith(users: Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-codes-'));
  mkdirSync(join(dir, '.cognito', 'db'), { recursive: true });
  writeFileSync(
    join(dir, '.cognito', 'db', `${POOL}.json`),
    JSON.stringify({ Users: Object.fromEntries(users.map((u) => [u.Username, u])) }),
  );
  return dir;
}

describe('local codes', () => {
  // Alice asked to move to new@example.com (pending); Bob signed up with that address meanwhile.
  const dir = dataDirWith([
    {
      Username: 'alice-sub',
      Attributes: [{ Name: 'email', Value: 'alice@example.com' }],
      UnverifiedAttributeChanges: [
        { Name: 'email', Value: 'new@example.com' },
        { Name: 'email_verified', Value: 'false' },
      ],
      ConfirmationCode: '111111',
      AttributeVerificationCode: '222222',
    },
    {
      Username: 'bob-sub',
      Attributes: [{ Name: 'email', Value: 'new@example.com' }],
      ConfirmationCode: '333333',
    },
  ]);

  it('reads the pending email next to the one in use', () => {
    const [alice] = readLocalCodes(dir, POOL);
    expect(alice).toMatchObject({ email: 'alice@example.com', pendingEmail: 'new@example.com' });
    expect(attributeCodeRecipient(alice)).toBe('new@example.com');
  });

  it('finds the attribute code at the pending address it was sent to, not at the old one', () => {
    expect(findLocalCodes(dir, POOL, 'New@Example.com')).toEqual({
      confirmationCode: '333333',
      attributeVerificationCode: '222222',
    });
    expect(findLocalCodes(dir, POOL, 'alice@example.com')).toEqual({
      confirmationCode: '111111',
      attributeVerificationCode: undefined,
    });
    expect(findLocalCodes(dir, POOL, 'nobody@example.com')).toBeUndefined();
  });

  it('sends the attribute code of an account without a pending change to its email', () => {
    const plain = dataDirWith([
      {
        Username: 'carol-sub',
        Attributes: [{ Name: 'email', Value: 'carol@example.com' }],
        AttributeVerificationCode: '444444',
      },
    ]);
    expect(findLocalCodes(plain, POOL, 'carol@example.com')?.attributeVerificationCode).toBe(
      '444444',
    );
  });

  it('finds the code of the pool’s own user, not of a provider user with the same email', () => {
    const shared = dataDirWith([
      {
        Username: 'LocalProvider_abc',
        UserStatus: 'EXTERNAL_PROVIDER',
        Attributes: [{ Name: 'email', Value: 'dave@example.com' }],
      },
      {
        Username: 'dave-sub',
        UserStatus: 'UNCONFIRMED',
        Attributes: [{ Name: 'email', Value: 'dave@example.com' }],
        ConfirmationCode: '555555',
      },
    ]);
    expect(findLocalCodes(shared, POOL, 'dave@example.com')?.confirmationCode).toBe('555555');
    expect(readLocalCodes(shared, POOL).map((user) => user.username)).toEqual(['dave-sub']);
  });
});
