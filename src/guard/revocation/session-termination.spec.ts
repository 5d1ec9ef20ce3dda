import type { CognitoAdminPort } from '../../cognito/cognito-admin.port';
import type { RevocationService } from './revocation.service';
import { SessionTermination } from './session-termination';

describe(SessionTermination.name, () => {
  it('cuts the sessions off before a change of rights and again after it', async () => {
    const calls: string[] = [];
    const revocations = {
      endSessions: jest.fn((sub: string) => Promise.resolve(void calls.push(`cutoff ${sub}`))),
    };
    const admin = {
      globalSignOut: jest.fn((username: string) =>
        Promise.resolve(void calls.push(`sign-out ${username}`)),
      ),
    };
    const sessions = new SessionTermination(
      admin as unknown as CognitoAdminPort,
      revocations as unknown as RevocationService,
    );
    const result = await sessions.endSessionsAround([{ sub: 's1', username: 'u1' }], () => {
      calls.push('change');
      return Promise.resolve('done');
    });
    expect(result).toBe('done');
    // While the change is made, the account's tokens are refused already: they cannot undo it.
    expect(calls).toEqual(['cutoff s1', 'change', 'cutoff s1', 'sign-out u1']);
  });
});
