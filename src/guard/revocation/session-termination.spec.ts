import { Logger } from '@nestjs/common';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { CognitoAdminPort } from '../../cognito/cognito-admin.port';
import type { CognitoIdentityPort } from '../../cognito/cognito-identity.port';
import type { RevocationService } from './revocation.service';
import { SessionTermination } from './session-termination';

describe(SessionTermination.name, () => {
  let calls: string[];
  let revocations: { endSessions: jest.Mock };
  let admin: { getUser: jest.Mock; globalSignOut: jest.Mock };
  let cognito: { globalSignOut: jest.Mock };
  let sessions: SessionTermination;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    calls = [];
    revocations = {
      endSessions: jest.fn((sub: string) => Promise.resolve(void calls.push(`cutoff ${sub}`))),
    };
    admin = {
      getUser: jest.fn((user: string) =>
        Promise.resolve({ username: `${user}-username`, attributes: { sub: `${user}-sub` } }),
      ),
      globalSignOut: jest.fn((username: string) =>
        Promise.resolve(void calls.push(`sign-out ${username}`)),
      ),
    };
    cognito = {
      globalSignOut: jest.fn((token: string) =>
        Promise.resolve(void calls.push(`own sign-out ${token}`)),
      ),
    };
    sessions = new SessionTermination(
      admin as unknown as CognitoAdminPort,
      revocations as unknown as RevocationService,
      cognito as unknown as CognitoIdentityPort,
    );
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('cuts the sessions off before a change of rights and again after it', async () => {
    const result = await sessions.endSessionsAround([{ sub: 's1', username: 'u1' }], () => {
      calls.push('change');
      return Promise.resolve('done');
    });
    expect(result).toBe('done');
    // While the change is made, the account's tokens are refused already: they cannot undo it.
    expect(calls).toEqual(['cutoff s1', 'change', 'cutoff s1', 'sign-out u1']);
  });

  it('ends the sessions of an account by the name Cognito knows it by, and says whose they were', async () => {
    await expect(sessions.endSessionsOf('a@example.com')).resolves.toEqual({
      sub: 'a@example.com-sub',
      username: 'a@example.com-username',
    });
    expect(admin.getUser).toHaveBeenCalledWith('a@example.com');
    expect(calls).toEqual(['cutoff a@example.com-sub', 'sign-out a@example.com-username']);
  });

  it('ends a deleted account’s sessions at the guard only', async () => {
    await sessions.endSessions('s1');
    expect(calls).toEqual(['cutoff s1']);
  });

  it('ends the signed-in user’s sessions with their own access token: the guard, then Cognito', async () => {
    await sessions.endSessionsByAccessToken({ sub: 's1' }, 'access');
    expect(calls).toEqual(['cutoff s1', 'own sign-out access']);
    expect(admin.globalSignOut).not.toHaveBeenCalled();
  });

  it('has ended the sessions at the guard when Cognito’s sign-out fails after a password change', async () => {
    const down = new AppException(503, ErrorCode.UPSTREAM_UNAVAILABLE, 'down');
    cognito.globalSignOut.mockRejectedValue(down);
    await expect(sessions.endSessionsByAccessToken({ sub: 's1' }, 'access')).rejects.toBe(down);
    expect(calls).toEqual(['cutoff s1']);
  });

  it.each([
    ['no longer accepts the token (signed out already)', 401, ErrorCode.UNAUTHORIZED, 0],
    ['has no global sign-out (501), with a warning', 501, ErrorCode.NOT_SUPPORTED_UPSTREAM, 1],
  ])('still ends the sessions at the guard when Cognito %s', async (_, status, code, warnings) => {
    cognito.globalSignOut.mockRejectedValue(new AppException(status, code, 'no'));
    await sessions.endSessionsByAccessToken({ sub: 's1' }, 'access');
    expect(calls).toEqual(['cutoff s1']);
    expect(warn).toHaveBeenCalledTimes(warnings);
  });

  it('answers any other failure of Cognito’s half', async () => {
    const down = new AppException(503, ErrorCode.UPSTREAM_UNAVAILABLE, 'down');
    cognito.globalSignOut.mockRejectedValue(down);
    await expect(sessions.signOutAtCognito('access')).rejects.toBe(down);
    admin.globalSignOut.mockRejectedValue(down);
    await expect(sessions.endSessionsOf('u')).rejects.toBe(down);
    // The guard's half of an ending by name was made before Cognito failed.
    expect(calls).toEqual(['cutoff u-sub']);
  });

  it('after an account is deleted: its sessions end, then every listener runs, a failing one logged', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    sessions.onAccountDeleted((sub) => Promise.resolve(void calls.push(`datasets of ${sub}`)));
    sessions.onAccountDeleted(() => Promise.reject(new Error('store down')));
    sessions.onAccountDeleted((sub) => Promise.resolve(void calls.push(`cache of ${sub}`)));
    await sessions.accountDeleted('s1');
    expect(calls).toEqual(['cutoff s1', 'datasets of s1', 'cache of s1']);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('store down'));
    error.mockRestore();
  });
});
