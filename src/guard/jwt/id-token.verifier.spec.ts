import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenForge } from '../../../test/support/token-forge';
import { CognitoConnection } from '../../cognito/cognito-connection';
import { AppException } from '../../common/errors/app.exception';
import type { AuthUser } from '../auth-user';
import { RevocationService } from '../revocation/revocation.service';
import { IdTokenVerifier } from './id-token.verifier';

describe(IdTokenVerifier.name, () => {
  let forge: TokenForge;
  let revocations: RevocationService;
  let verifier: IdTokenVerifier;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    forge = await TokenForge.start();
  });
  afterAll(() => forge.close());

  beforeEach(() => {
    const connection = new CognitoConnection({
      mode: 'endpoint',
      region: 'us-east-1',
      userPoolId: forge.poolId,
      clientId: forge.clientId,
      issuer: forge.issuer,
      jwksUri: forge.jwksUri,
    });
    revocations = new RevocationService({
      url: undefined,
      stateDir: mkdtempSync(join(tmpdir(), 'id-token-verifier-')),
    });
    verifier = new IdTokenVerifier(connection, revocations);
  });

  function session(overrides: Partial<AuthUser> = {}): AuthUser {
    return {
      sub: 'user-1',
      username: 'user-1',
      groups: [],
      scopes: [],
      clientId: forge.clientId,
      tokenId: 'access-jti',
      originTokenId: 'sign-in-1',
      tokenExpiresAt: now() + 3600,
      authTime: now() - 10,
      ...overrides,
    };
  }

  async function refusal(token: string, user = session()): Promise<[number, string]> {
    try {
      await verifier.verify(token, user);
    } catch (error) {
      expect(error).toBeInstanceOf(AppException);
      return [(error as AppException).getStatus(), (error as AppException).code];
    }
    throw new Error('expected a refusal');
  }

  const mine = (claims: Record<string, unknown> = {}) =>
    forge.idToken({ sub: 'user-1', origin_jti: 'sign-in-1', auth_time: now() - 10, ...claims });

  it('accepts the session’s own ID token, with its roles as an array or a comma-separated string', async () => {
    await expect(
      verifier.verify(
        mine({
          'cognito:roles': ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b'],
          'cognito:preferred_role': 'arn:aws:iam::1:role/a',
        }),
        session(),
      ),
    ).resolves.toMatchObject({
      sub: 'user-1',
      roles: ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b'],
      preferredRole: 'arn:aws:iam::1:role/a',
    });
    await expect(
      verifier.verify(
        mine({ 'cognito:roles': 'arn:aws:iam::1:role/a, arn:aws:iam::1:role/b' }),
        session(),
      ),
    ).resolves.toMatchObject({ roles: ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b'] });
    await expect(verifier.verify(mine(), session())).resolves.toMatchObject({ roles: [] });
  });

  it.each([
    ['another user’s', () => forge.idToken({ sub: 'user-2', origin_jti: 'sign-in-1' })],
    ['another sign-in’s', () => mine({ origin_jti: 'sign-in-2' })],
    ['an access token for an', () => forge.accessToken({ sub: 'user-1', origin_jti: 'sign-in-1' })],
    ['another app client’s', () => mine({ aud: 'other-client' })],
    [
      'another pool’s',
      () => mine({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
    ],
    ['an expired', () => mine({ exp: now() - 5, iat: now() - 3605 })],
    ['a never-expiring', () => mine({ exp: undefined })],
    [
      'a token naming its own key',
      () => forge.idToken({ sub: 'user-1' }, { jku: 'https://evil.example/jwks' }),
    ],
    ['a garbage', () => 'not-a-jwt'],
    ['a forged (tampered)', () => `${mine().slice(0, -6)}AAAAAA`],
  ])('refuses %s ID token: 401 ID_TOKEN_INVALID', async (_label, token) => {
    await expect(refusal(token())).resolves.toEqual([401, 'ID_TOKEN_INVALID']);
  });

  it('refuses the ID token of a logged-out sign-in, and every ID token after a session cutoff', async () => {
    await revocations.revoke({
      tokenId: 'access-jti',
      originTokenId: 'sign-in-1',
      tokenExpiresAt: now() + 3600,
    });
    await expect(refusal(mine())).resolves.toEqual([401, 'ID_TOKEN_INVALID']);

    const other = forge.idToken({ sub: 'user-3', origin_jti: 'sign-in-3', auth_time: now() - 10 });
    const user3 = session({ sub: 'user-3', originTokenId: 'sign-in-3' });
    await expect(verifier.verify(other, user3)).resolves.toMatchObject({ sub: 'user-3' });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'], now: Date.now() });
    const ended = revocations.endSessions('user-3');
    jest.advanceTimersByTime(1000);
    await ended;
    jest.useRealTimers();
    await expect(refusal(other, user3)).resolves.toEqual([401, 'ID_TOKEN_INVALID']);
  });

  it('answers 503 when the signing keys cannot be fetched', async () => {
    const unreachable = new IdTokenVerifier(
      new CognitoConnection({
        mode: 'endpoint',
        region: 'us-east-1',
        userPoolId: forge.poolId,
        clientId: forge.clientId,
        issuer: forge.issuer,
        jwksUri: 'http://127.0.0.1:1/jwks.json',
      }),
      revocations,
    );
    await expect(unreachable.verify(mine(), session())).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });
});
