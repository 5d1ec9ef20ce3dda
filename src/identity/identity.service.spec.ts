import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SealedBox } from '../common/crypto/sealed-box';
import { AppException } from '../common/errors/app.exception';
import type { AwsCredentials, IdentityPoolPort } from '../cognito/identity-pool.port';
import {
  RevocationService,
  type AuthUser,
  type IdTokenClaims,
  type IdTokenVerifier,
} from '../guard';
import { CredentialsCache } from './credentials-cache';
import { IdentityDirectory } from './identity-directory';
import { IdentityService } from './identity.service';

const ROLE_A = 'arn:aws:iam::123456789012:role/a';
const ROLE_B = 'arn:aws:iam::123456789012:role/b';

const user: AuthUser = {
  sub: 'user-1',
  username: 'user-1',
  groups: [],
  scopes: [],
  clientId: 'client',
  originTokenId: 'sign-in-1',
  tokenExpiresAt: Math.floor(Date.now() / 1000) + 3600,
};

function issued(identityId = 'eu-west-1:1'): AwsCredentials {
  return {
    identityId,
    accessKeyId: `ASIA${randomBytes(8).toString('hex')}`,
    secretAccessKey: 'secret',
    sessionToken: 'token',
    expiration: new Date(Date.now() + 3600_000),
  };
}

async function refusal(promise: Promise<unknown>): Promise<[number, string]> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    return [(error as AppException).getStatus(), (error as AppException).code];
  }
  throw new Error('expected a refusal');
}

describe(IdentityService.name, () => {
  let claims: IdTokenClaims;
  let pool: {
    configured: boolean;
    identityIdOf: jest.Mock;
    credentialsForUser: jest.Mock;
    credentialsForGuest: jest.Mock;
  };
  let verifier: { verify: jest.Mock };
  let revocations: RevocationService;
  let directory: IdentityDirectory;
  let service: IdentityService;

  function build(allowGuests = false): IdentityService {
    const cache = new CredentialsCache(new SealedBox(randomBytes(32), 'test'));
    const created = new IdentityService(
      pool as unknown as IdentityPoolPort,
      verifier as unknown as IdTokenVerifier,
      cache,
      revocations,
      directory,
      { enabled: true, allowGuests },
    );
    created.onModuleInit();
    return created;
  }

  beforeEach(() => {
    claims = { sub: 'user-1', roles: [ROLE_A, ROLE_B], preferredRole: ROLE_A, expiresAt: 0 };
    verifier = { verify: jest.fn(() => Promise.resolve(claims)) };
    directory = new IdentityDirectory(true, mkdtempSync(join(tmpdir(), 'identity-ids-')));
    pool = {
      configured: true,
      identityIdOf: jest.fn(() => Promise.resolve('eu-west-1:found')),
      credentialsForUser: jest.fn(() => Promise.resolve(issued())),
      credentialsForGuest: jest.fn((id?: string) => Promise.resolve(issued(id ?? 'eu-west-1:g'))),
    };
    revocations = new RevocationService({
      stateDir: mkdtempSync(join(tmpdir(), 'identity-service-')),
    });
    service = build();
  });

  it('asks the pool once per role, then answers from the cache', async () => {
    const first = await service.forUser(user, 'id-token', undefined);
    await expect(service.forUser(user, 'id-token', undefined)).resolves.toBe(first);
    const inRoleB = await service.forUser(user, 'id-token', ROLE_B);
    expect(inRoleB).not.toBe(first);
    expect(pool.credentialsForUser).toHaveBeenCalledTimes(2);
    expect(pool.credentialsForUser).toHaveBeenLastCalledWith({
      idToken: 'id-token',
      roleArn: ROLE_B,
    });
  });

  it('a token whose roles changed is a new variant of the pool’s own choice', async () => {
    const before = await service.forUser(user, 'id-token', undefined);
    claims = { ...claims, roles: [ROLE_B], preferredRole: ROLE_B };
    await expect(service.forUser(user, 'id-token', undefined)).resolves.not.toBe(before);
  });

  it('refuses a role the token does not offer (403), and a missing ID token (401)', async () => {
    await expect(
      refusal(service.forUser(user, 'id-token', 'arn:aws:iam::123456789012:role/admin')),
    ).resolves.toEqual([403, 'ROLE_NOT_ALLOWED']);
    await expect(refusal(service.forUser(user, undefined, undefined))).resolves.toEqual([
      401,
      'ID_TOKEN_REQUIRED',
    ]);
    expect(pool.credentialsForUser).not.toHaveBeenCalled();
  });

  it('forgets the user’s credentials when a session of theirs ends (logout or cutoff)', async () => {
    const first = await service.forUser(user, 'id-token', undefined);
    await revocations.revoke({ sub: 'user-1', tokenId: 'x', tokenExpiresAt: user.tokenExpiresAt });
    const second = await service.forUser(user, 'id-token', undefined);
    expect(second).not.toBe(first);
    await revocations.endSessions('user-1');
    await expect(service.forUser(user, 'id-token', undefined)).resolves.not.toBe(second);
    expect(pool.credentialsForUser).toHaveBeenCalledTimes(3);
  });

  it('guests: 403 unless offered; a returning guest is answered from the cache', async () => {
    await expect(refusal(service.forGuest(undefined))).resolves.toEqual([
      403,
      'GUESTS_NOT_ALLOWED',
    ]);
    const guests = build(true);
    const first = await guests.forGuest(undefined);
    await expect(guests.forGuest(first.identityId)).resolves.toBe(first);
    expect(pool.credentialsForGuest).toHaveBeenCalledTimes(1);
  });

  it('without an identity pool: 404 before anything else', async () => {
    pool.configured = false;
    await expect(refusal(service.forUser(user, undefined, undefined))).resolves.toEqual([
      404,
      'IDENTITY_POOL_NOT_CONFIGURED',
    ]);
  });

  describe('the identity id of a user (for data kept per identity)', () => {
    it('checks the ID token every time, asks GetId once, then remembers it', async () => {
      await expect(service.identityIdOf(user, 'id-token', 'here')).resolves.toBe('eu-west-1:found');
      await expect(service.identityIdOf(user, 'id-token', 'here')).resolves.toBe('eu-west-1:found');
      expect(pool.identityIdOf).toHaveBeenCalledTimes(1);
      expect(verifier.verify).toHaveBeenCalledTimes(2);
      await expect(service.knownIdentityId('user-1')).resolves.toBe('eu-west-1:found');
      await expect(service.beginDeletion('user-1')).resolves.toBe('eu-west-1:found');
      await expect(service.knownIdentityId('user-1')).resolves.toBeUndefined();
      await expect(service.accountDeleted('user-1')).resolves.toBe(true);
      // A request under way with a still valid ID token: refused, nothing looked up again.
      await expect(refusal(service.identityIdOf(user, 'id-token', 'here'))).resolves.toEqual([
        401,
        'UNAUTHORIZED',
      ]);
      expect(pool.identityIdOf).toHaveBeenCalledTimes(1);
    });

    it('a refused ID token stops before any lookup; none at all is 401 ID_TOKEN_REQUIRED', async () => {
      verifier.verify.mockRejectedValueOnce(new Error('refused'));
      await expect(service.identityIdOf(user, 'forged', 'here')).rejects.toThrow('refused');
      await expect(refusal(service.identityIdOf(user, undefined, 'here'))).resolves.toEqual([
        401,
        'ID_TOKEN_REQUIRED',
      ]);
      expect(pool.identityIdOf).not.toHaveBeenCalled();
    });

    it('credentials handed out teach the user’s identity id too, but never replace it', async () => {
      await service.forUser(user, 'id-token', undefined);
      await expect(service.knownIdentityId('user-1')).resolves.toBe('eu-west-1:1');
      pool.credentialsForUser.mockResolvedValueOnce(issued('eu-west-1:other'));
      await service.forUser(user, 'id-token', ROLE_B);
      await expect(service.identityIdOf(user, 'id-token', 'here')).resolves.toBe('eu-west-1:1');
    });
  });
});
