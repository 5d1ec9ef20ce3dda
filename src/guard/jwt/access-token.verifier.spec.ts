import type { ConfigType } from '@nestjs/config';
import { JwtVerifier } from 'aws-jwt-verify';
import { JwtInvalidSignatureError } from 'aws-jwt-verify/error';
import { FORGE_KID, newRsaKey, signRs256, TokenForge } from '../../../test/support/token-forge';
import { CognitoConnection } from '../../cognito/cognito-connection';
import type { authConfig, redisConfig } from '../../config';
import { RevocationService } from '../revocation/revocation.service';
import { AccessTokenVerifier, InvalidAccessTokenError } from './access-token.verifier';

const realVerifySync = JwtVerifier.prototype.verifySync as (...args: unknown[]) => unknown;

function stackFrames(error: Error): string[] {
  return (error.stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '));
}

describe(AccessTokenVerifier.name, () => {
  let forge: TokenForge;
  let asyncVerify: jest.SpyInstance;
  let syncVerify: jest.SpyInstance;

  beforeAll(async () => {
    forge = await TokenForge.start();
  });

  afterAll(async () => {
    await forge.close();
  });

  beforeEach(() => {
    asyncVerify = jest.spyOn(JwtVerifier.prototype, 'verify');
    syncVerify = jest.spyOn(JwtVerifier.prototype, 'verifySync');
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function verifier(): AccessTokenVerifier {
    const connection = new CognitoConnection({
      mode: 'endpoint',
      region: 'us-east-1',
      userPoolId: forge.poolId,
      clientId: forge.clientId,
      issuer: forge.issuer,
      jwksUri: forge.jwksUri,
    });
    const auth = { tokenCache: { enabled: false, maxEntries: 0 } } as ConfigType<typeof authConfig>;
    const redis = { url: undefined, stateDir: 'unused' } as ConfigType<typeof redisConfig>;
    return new AccessTokenVerifier(connection, auth, new RevocationService(redis));
  }

  it('checks a token whose key is loaded without the asynchronous path', async () => {
    const tokens = verifier();
    await tokens.loadKeys();
    const fetches = forge.jwksRequests;

    const user = await tokens.verify(forge.accessToken({ sub: 'user-1', username: 'user-1' }));

    expect(user.sub).toBe('user-1');
    expect(syncVerify).toHaveBeenCalledTimes(1);
    expect(asyncVerify).not.toHaveBeenCalled();
    expect(forge.jwksRequests).toBe(fetches);
  });

  it('fetches the keys through the asynchronous path when they are not loaded yet', async () => {
    const tokens = verifier();
    const fetches = forge.jwksRequests;

    await expect(tokens.verify(forge.accessToken())).resolves.toMatchObject({
      clientId: forge.clientId,
    });
    expect(asyncVerify).toHaveBeenCalledTimes(1);
    expect(forge.jwksRequests).toBe(fetches + 1);

    // From then on the key is loaded.
    await tokens.verify(forge.accessToken());
    expect(asyncVerify).toHaveBeenCalledTimes(1);
  });

  it('refuses a foreign signature, the library error built without a stack trace', async () => {
    const tokens = verifier();
    await tokens.loadKeys();
    const thrown: unknown[] = [];
    syncVerify.mockImplementation(function (this: unknown, ...args: unknown[]) {
      try {
        return realVerifySync.apply(this, args);
      } catch (error) {
        thrown.push(error);
        throw error;
      }
    } as never);
    const forged = signRs256(
      { alg: 'RS256', kid: FORGE_KID },
      forge.claims(),
      newRsaKey().privateKey,
    );

    await expect(tokens.verify(forged)).rejects.toBeInstanceOf(InvalidAccessTokenError);

    expect(thrown).toHaveLength(1);
    expect(thrown[0]).toBeInstanceOf(JwtInvalidSignatureError);
    expect(stackFrames(thrown[0] as Error)).toEqual([]);
    expect(asyncVerify).not.toHaveBeenCalled();
    // Stack capture is back on for everything else.
    expect(stackFrames(new Error('normal')).length).toBeGreaterThan(0);
  });

  it('sends a token with a key id it does not know to the asynchronous path', async () => {
    const tokens = verifier();
    await tokens.loadKeys();

    await expect(
      tokens.verify(forge.accessToken({}, { kid: 'rotated-key' })),
    ).rejects.toBeInstanceOf(InvalidAccessTokenError);
    expect(asyncVerify).toHaveBeenCalledTimes(1);
  });
});
