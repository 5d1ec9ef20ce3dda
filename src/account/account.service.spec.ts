import { type AuthUser, type PasswordFailures, type SessionTermination } from '../guard';
import { AppException } from '../common/errors/app.exception';
import type { CognitoIdentityPort } from '../cognito/cognito-identity.port';
import type { Configuration } from '../config';
import { AccountService } from './account.service';
import type { MfaPreferenceDto, ReauthenticationDto } from './dto/account.dto';

const config = {
  customAttributes: ['custom:team'],
  totpIssuer: 'Test',
} as unknown as Configuration['auth'];

function user(authTime: number): AuthUser {
  return {
    sub: 's',
    username: 's',
    groups: [],
    scopes: [],
    clientId: 'c',
    tokenExpiresAt: 9e9,
    authTime,
  };
}

describe(AccountService.name, () => {
  const now = () => Math.floor(Date.now() / 1000);
  let cognito: Record<string, jest.Mock>;
  let sessions: { endSessions: jest.Mock; accountDeleted: jest.Mock };
  let service: AccountService;
  /** Runs every password check and records whose it was: the budget has its own spec. */
  const passwordBudget = {
    attempt: jest.fn(<T>(_account: string, _address: string | undefined, check: () => Promise<T>) =>
      check(),
    ),
  };

  beforeEach(() => {
    cognito = {
      getUser: jest.fn().mockResolvedValue({
        username: 's',
        attributes: { email: 'a@example.com' },
        mfaOptions: [],
      }),
      setSoftwareTokenMfa: jest.fn().mockResolvedValue(undefined),
      initiatePasswordAuth: jest.fn(),
      revokeRefreshToken: jest.fn().mockResolvedValue(undefined),
      deleteUser: jest.fn().mockResolvedValue(undefined),
      updateUserAttributes: jest.fn().mockResolvedValue([]),
      associateSoftwareToken: jest.fn().mockResolvedValue({ secretCode: 'NEWSECRET' }),
      verifySoftwareToken: jest.fn().mockResolvedValue({}),
    };
    sessions = {
      endSessions: jest.fn().mockResolvedValue(undefined),
      accountDeleted: jest.fn().mockResolvedValue(undefined),
    };
    passwordBudget.attempt.mockClear();
    service = new AccountService(
      cognito as unknown as CognitoIdentityPort,
      sessions as unknown as SessionTermination,
      config,
      passwordBudget as unknown as PasswordFailures,
    );
  });

  it('answers the profile without its top-level name, and the MFA settings, in that order', async () => {
    const attributes = { sub: 'uuid-1', email: 'a@example.com', email_verified: 'true', name: 'A' };
    cognito.getUser.mockResolvedValue({
      username: 'uuid-1',
      attributes,
      mfaOptions: ['SOFTWARE_TOKEN_MFA'],
      preferredMfa: 'SOFTWARE_TOKEN_MFA',
    });
    const answer = await service.get({ ...user(now()), groups: ['admin'] }, 'token');
    expect(JSON.stringify(answer)).toBe(
      JSON.stringify({
        sub: 'uuid-1',
        username: 'uuid-1',
        email: 'a@example.com',
        emailVerified: true,
        groups: ['admin'],
        attributes,
        mfa: { totpEnabled: true, preferred: 'SOFTWARE_TOKEN_MFA' },
      }),
    );
  });

  it('turns MFA on or off only with the password, never an authenticator code', async () => {
    for (const totpEnabled of [false, true]) {
      await expect(service.setMfa('token', { totpEnabled })).rejects.toMatchObject({
        status: 403,
        code: 'REAUTHENTICATION_REQUIRED',
      });
      const withCode = { totpEnabled, code: '123456' } as MfaPreferenceDto;
      await expect(service.setMfa('token', withCode)).rejects.toMatchObject({ status: 403 });
    }
    expect(cognito.setSoftwareTokenMfa).not.toHaveBeenCalled();
    expect(cognito.verifySoftwareToken).not.toHaveBeenCalled();

    cognito.initiatePasswordAuth.mockResolvedValue({
      kind: 'tokens',
      tokens: { accessToken: 'a', idToken: 'i' },
    });
    await service.setMfa('token', { totpEnabled: true, password: 'pw' });
    expect(cognito.setSoftwareTokenMfa).toHaveBeenLastCalledWith('token', true);
  });

  it('accepts the password as proof, an MFA step included, and closes the session the check opened', async () => {
    cognito.initiatePasswordAuth.mockResolvedValueOnce({
      kind: 'challenge',
      challengeName: 'SOFTWARE_TOKEN_MFA',
      parameters: {},
    });
    await service.setMfa('token', { totpEnabled: false, password: 'pw' }, '192.0.2.1');
    cognito.initiatePasswordAuth.mockResolvedValueOnce({
      kind: 'tokens',
      tokens: { accessToken: 'a', idToken: 'i', refreshToken: 'extra-session' },
    });
    await service.delete(user(now()), 'token', 'pw', '192.0.2.2');
    // Both checks count against the account's one wrong-password budget, which sign-in shares.
    expect(
      passwordBudget.attempt.mock.calls.map(([account, address]) => [account, address]),
    ).toEqual([
      ['a@example.com', '192.0.2.1'],
      ['a@example.com', '192.0.2.2'],
    ]);
    expect(cognito.initiatePasswordAuth).toHaveBeenCalledWith('a@example.com', 'pw');
    expect(cognito.revokeRefreshToken).toHaveBeenCalledWith('extra-session');
    expect(cognito.deleteUser).toHaveBeenCalledWith('token');
    expect(sessions.accountDeleted).toHaveBeenCalledWith(user(now()).sub);
  });

  describe('startTotp', () => {
    const withMfa = (on: boolean) =>
      cognito.getUser.mockResolvedValue({
        username: 's',
        attributes: { email: 'a@example.com' },
        mfaOptions: on ? ['SOFTWARE_TOKEN_MFA'] : [],
      });

    it('refuses to set up a first authenticator without proof, before touching anything', async () => {
      withMfa(false);
      await expect(service.startTotp(user(now()), 'token', {})).rejects.toMatchObject({
        status: 403,
        code: 'REAUTHENTICATION_REQUIRED',
      });
      expect(cognito.associateSoftwareToken).not.toHaveBeenCalled();
      cognito.initiatePasswordAuth.mockResolvedValueOnce({
        kind: 'tokens',
        tokens: { accessToken: 'a', idToken: 'i', refreshToken: 'r' },
      });
      const setup = await service.startTotp(user(now()), 'token', { password: 'pw' });
      expect(setup.secretCode).toBe('NEWSECRET');
      expect(cognito.associateSoftwareToken).toHaveBeenCalledWith({ accessToken: 'token' });
    });

    it('refuses to replace the authenticator of an account with MFA on, even right after sign-in, before touching it', async () => {
      withMfa(true);
      await expect(service.startTotp(user(now()), 'token', {})).rejects.toMatchObject({
        status: 403,
        code: 'REAUTHENTICATION_REQUIRED',
      });
      cognito.initiatePasswordAuth.mockRejectedValueOnce(
        new AppException(401, 'INVALID_CREDENTIALS', 'x'),
      );
      await expect(
        service.startTotp(user(now()), 'token', { password: 'wrong' }),
      ).rejects.toMatchObject({ code: 'INCORRECT_PASSWORD' });
      await expect(
        service.startTotp(user(now()), 'token', { code: '000000' } as ReauthenticationDto),
      ).rejects.toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
      expect(cognito.associateSoftwareToken).not.toHaveBeenCalled();
      expect(cognito.verifySoftwareToken).not.toHaveBeenCalled();
    });

    it('replaces it with the current password', async () => {
      withMfa(true);
      cognito.initiatePasswordAuth.mockResolvedValueOnce({
        kind: 'challenge',
        challengeName: 'SOFTWARE_TOKEN_MFA',
        parameters: {},
      });
      await service.startTotp(user(now()), 'token', { password: 'pw' }, '192.0.2.3');
      expect(cognito.initiatePasswordAuth).toHaveBeenCalledWith('a@example.com', 'pw');
      // Within the account's one wrong-password budget, like sign-in.
      expect(passwordBudget.attempt).toHaveBeenCalledWith(
        'a@example.com',
        '192.0.2.3',
        expect.any(Function),
      );
      expect(cognito.associateSoftwareToken).toHaveBeenCalledTimes(1);
    });
  });

  it('passes only allowed attributes on, the configured custom ones included', async () => {
    await service.update('token', { name: 'A', 'custom:team': 'blue' });
    expect(cognito.updateUserAttributes).toHaveBeenCalledWith('token', {
      name: 'A',
      'custom:team': 'blue',
    });
    await expect(service.update('token', { 'custom:role': 'admin' })).rejects.toMatchObject({
      code: 'ATTRIBUTE_NOT_ALLOWED',
    });
    await expect(service.update('token', { name: 'line\nbreak' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('changes the email or phone number only with the current password or a code', async () => {
    for (const attributes of [{ email: 'new@example.com' }, { phone_number: '+15555550100' }]) {
      await expect(service.update('token', attributes)).rejects.toMatchObject({
        status: 403,
        code: 'REAUTHENTICATION_REQUIRED',
      });
      cognito.initiatePasswordAuth.mockRejectedValueOnce(
        new AppException(401, 'INVALID_CREDENTIALS', 'x'),
      );
      await expect(
        service.update('token', attributes, { password: 'wrong' }, '192.0.2.4'),
      ).rejects.toMatchObject({ code: 'INCORRECT_PASSWORD' });
    }
    expect(cognito.updateUserAttributes).not.toHaveBeenCalled();
    // Those wrong passwords count against the account's one budget, which sign-in shares.
    expect(
      passwordBudget.attempt.mock.calls.map(([account, address]) => [account, address]),
    ).toEqual([
      ['a@example.com', '192.0.2.4'],
      ['a@example.com', '192.0.2.4'],
    ]);
    const withCode = { code: '123456' } as ReauthenticationDto;
    await expect(
      service.update('token', { email: 'new@example.com' }, withCode),
    ).rejects.toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
    expect(cognito.verifySoftwareToken).not.toHaveBeenCalled();
    expect(cognito.updateUserAttributes).not.toHaveBeenCalled();
  });

  it('passes a new email on in the form sign-up stores, and refuses one that is not an email', async () => {
    cognito.initiatePasswordAuth.mockResolvedValue({
      kind: 'tokens',
      tokens: { accessToken: 'a', idToken: 'i' },
    });
    await service.update(
      'token',
      { email: '  ＡＬＩＣＥ@Example.COM ', name: 'A' },
      { password: 'pw' },
    );
    expect(cognito.updateUserAttributes).toHaveBeenCalledWith('token', {
      email: 'alice@example.com',
      name: 'A',
    });
    cognito.updateUserAttributes.mockClear();
    for (const email of ['not an email', 'admin@ex\u0430mple.com', 'ad\u200bmin@example.com']) {
      await expect(service.update('token', { email }, { password: 'pw' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'email', messages: [expect.stringMatching(/^email /)] }],
      });
    }
    expect(cognito.updateUserAttributes).not.toHaveBeenCalled();
  });
});
