import type { AuthUser } from '../auth/auth-user';
import type { SessionTermination } from '../auth/revocation/session-termination';
import type { CognitoIdentityPort } from '../cognito/cognito-identity.port';
import type { Configuration } from '../config';
import { AccountService } from './account.service';

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
  let sessions: { endSessions: jest.Mock };
  let service: AccountService;

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
    };
    sessions = { endSessions: jest.fn().mockResolvedValue(undefined) };
    service = new AccountService(
      cognito as unknown as CognitoIdentityPort,
      sessions as unknown as SessionTermination,
      config,
    );
  });

  it('turns MFA off without a password only right after a sign-in', async () => {
    await service.setMfa(user(now() - 60), 'token', { totpEnabled: false });
    expect(cognito.setSoftwareTokenMfa).toHaveBeenCalledWith('token', false);
    await expect(
      service.setMfa(user(now() - 3600), 'token', { totpEnabled: false }),
    ).rejects.toMatchObject({
      status: 403,
      code: 'REAUTHENTICATION_REQUIRED',
    });
    expect(cognito.setSoftwareTokenMfa).toHaveBeenCalledTimes(1);
  });

  it('accepts the password as proof, an MFA step included, and closes the session the check opened', async () => {
    cognito.initiatePasswordAuth.mockResolvedValueOnce({
      kind: 'challenge',
      challengeName: 'SOFTWARE_TOKEN_MFA',
      parameters: {},
    });
    await service.setMfa(user(now() - 3600), 'token', { totpEnabled: false, password: 'pw' });
    cognito.initiatePasswordAuth.mockResolvedValueOnce({
      kind: 'tokens',
      tokens: { accessToken: 'a', idToken: 'i', refreshToken: 'extra-session' },
    });
    await service.delete(user(now()), 'token', 'pw');
    expect(cognito.initiatePasswordAuth).toHaveBeenCalledWith('a@example.com', 'pw');
    expect(cognito.revokeRefreshToken).toHaveBeenCalledWith('extra-session');
    expect(cognito.deleteUser).toHaveBeenCalledWith('token');
    expect(sessions.endSessions).toHaveBeenCalledWith(user(now()).sub);
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
});
