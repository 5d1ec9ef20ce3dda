import {
  CognitoIdentityClient,
  CognitoIdentityServiceException,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { Logger } from '@nestjs/common';
import { mockClient } from 'aws-sdk-client-mock';
import { AppException } from '../common/errors/app.exception';
import { CognitoConnection } from './cognito-connection';
import { testConnection } from './cognito.spec-fixtures';
import { IdentityPoolAdapter, providerNameOf } from './identity-pool.adapter';

const IDENTITY_POOL_ID = 'eu-west-1:0d9a5f1e-3c2b-4a8e-9f61-2b7c4d3e1a90';
const IDENTITY_ID = 'eu-west-1:7b1c2d3e-0000-4000-8000-000000000001';
const PROVIDER = 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1';
const EXPIRATION = new Date('2026-12-01T10:00:00Z');
const CREDENTIALS = {
  AccessKeyId: 'ASIAEXAMPLEKEY000001',
  SecretKey: 'secret-key-value',
  SessionToken: 'session-token-value',
  Expiration: EXPIRATION,
};

const connection = new CognitoConnection({
  ...testConnection,
  identityPool: { identityPoolId: IDENTITY_POOL_ID, region: 'eu-west-1' },
});

/** The exception Amazon Cognito Identity would send, as the SDK deserialises it. */
function identityError(
  name: string,
  status = 400,
  message = 'AWS detail',
): CognitoIdentityServiceException {
  return new CognitoIdentityServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

async function refusalOf(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    const refusal = error as AppException;
    return { status: refusal.getStatus(), code: refusal.code };
  }
  throw new Error('expected a rejection');
}

describe(IdentityPoolAdapter.name, () => {
  const client = new CognitoIdentityClient({ region: 'eu-west-1' });
  const sdk = mockClient(client);
  const adapter = new IdentityPoolAdapter(connection, client);
  let errors: jest.SpyInstance;

  beforeEach(() => {
    sdk.reset();
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('names the user pool as Cognito does in Logins: its issuer without the scheme', () => {
    expect(adapter.providerName).toBe(PROVIDER);
    expect(providerNameOf('http://127.0.0.1:9229/local_abc/')).toBe('127.0.0.1:9229/local_abc');
    expect(adapter.configured).toBe(true);
  });

  describe('a user’s credentials (enhanced flow)', () => {
    it('GetId then GetCredentialsForIdentity with the ID token under the pool’s provider name', async () => {
      sdk.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
      sdk
        .on(GetCredentialsForIdentityCommand)
        .resolves({ IdentityId: IDENTITY_ID, Credentials: CREDENTIALS });
      await expect(adapter.credentialsForUser({ idToken: 'id-token' })).resolves.toEqual({
        identityId: IDENTITY_ID,
        accessKeyId: CREDENTIALS.AccessKeyId,
        secretAccessKey: CREDENTIALS.SecretKey,
        sessionToken: CREDENTIALS.SessionToken,
        expiration: EXPIRATION,
      });
      expect(sdk.commandCalls(GetIdCommand)[0].args[0].input).toEqual({
        IdentityPoolId: IDENTITY_POOL_ID,
        Logins: { [PROVIDER]: 'id-token' },
      });
      expect(sdk.commandCalls(GetCredentialsForIdentityCommand)[0].args[0].input).toEqual({
        IdentityId: IDENTITY_ID,
        Logins: { [PROVIDER]: 'id-token' },
        CustomRoleArn: undefined,
      });
    });

    it('finds the identity of an ID token alone with GetId (no credentials asked for)', async () => {
      sdk.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
      await expect(adapter.identityIdOf('id-token')).resolves.toBe(IDENTITY_ID);
      expect(sdk.commandCalls(GetIdCommand)[0].args[0].input).toEqual({
        IdentityPoolId: IDENTITY_POOL_ID,
        Logins: { [PROVIDER]: 'id-token' },
      });
      expect(sdk.commandCalls(GetCredentialsForIdentityCommand)).toHaveLength(0);
      sdk.on(GetIdCommand).rejects(identityError('NotAuthorizedException'));
      await expect(refusalOf(adapter.identityIdOf('id-token'))).resolves.toEqual({
        status: 401,
        code: 'ID_TOKEN_INVALID',
      });
    });

    it('asks for the chosen role as CustomRoleArn', async () => {
      const roleArn = 'arn:aws:iam::123456789012:role/editors';
      sdk.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
      sdk
        .on(GetCredentialsForIdentityCommand)
        .resolves({ IdentityId: IDENTITY_ID, Credentials: CREDENTIALS });
      await adapter.credentialsForUser({ idToken: 'id-token', roleArn });
      expect(sdk.commandCalls(GetCredentialsForIdentityCommand)[0].args[0].input).toMatchObject({
        CustomRoleArn: roleArn,
      });
    });

    it.each([
      ['NotAuthorizedException', 400, 401, 'ID_TOKEN_INVALID'],
      ['ResourceConflictException', 400, 409, 'IDENTITY_CONFLICT'],
      ['TooManyRequestsException', 400, 429, 'TOO_MANY_REQUESTS'],
      ['LimitExceededException', 400, 429, 'TOO_MANY_REQUESTS'],
      ['ExternalServiceException', 400, 503, 'UPSTREAM_UNAVAILABLE'],
      ['InternalErrorException', 500, 503, 'UPSTREAM_UNAVAILABLE'],
      ['InvalidParameterException', 400, 400, 'INVALID_PARAMETER'],
      ['ValidationException', 400, 400, 'INVALID_PARAMETER'],
      ['ResourceNotFoundException', 400, 500, 'INTERNAL_ERROR'],
      ['SomethingNewException', 400, 502, 'UPSTREAM_ERROR'],
    ])('GetId failing with %s answers %d→%d %s', async (name, upstream, status, code) => {
      sdk.on(GetIdCommand).rejects(identityError(name, upstream));
      await expect(refusalOf(adapter.credentialsForUser({ idToken: 't' }))).resolves.toEqual({
        status,
        code,
      });
    });

    it('a pool whose roles refuse it (InvalidIdentityPoolConfiguration) is our 500, told in the log', async () => {
      sdk.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
      sdk
        .on(GetCredentialsForIdentityCommand)
        .rejects(identityError('InvalidIdentityPoolConfigurationException'));
      await expect(refusalOf(adapter.credentialsForUser({ idToken: 't' }))).resolves.toEqual({
        status: 500,
        code: 'INTERNAL_ERROR',
      });
      expect(errors).toHaveBeenCalledWith(
        expect.stringContaining('InvalidIdentityPoolConfigurationException'),
      );
    });

    it('throttling carries Retry-After', async () => {
      sdk.on(GetIdCommand).rejects(identityError('TooManyRequestsException'));
      const refusal = await adapter.credentialsForUser({ idToken: 't' }).catch((e: unknown) => e);
      expect((refusal as AppException).retryAfterSeconds).toBe(30);
    });

    it('an unreachable pool is a 503', async () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
        code: 'ECONNREFUSED',
      });
      sdk.on(GetIdCommand).rejects(refused);
      await expect(refusalOf(adapter.credentialsForUser({ idToken: 't' }))).resolves.toEqual({
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
      });
    });

    it.each([
      ['no identity id', { Credentials: CREDENTIALS }],
      ['no credentials', { IdentityId: IDENTITY_ID }],
      [
        'no session token',
        { IdentityId: IDENTITY_ID, Credentials: { ...CREDENTIALS, SessionToken: undefined } },
      ],
      [
        'no expiry',
        { IdentityId: IDENTITY_ID, Credentials: { ...CREDENTIALS, Expiration: undefined } },
      ],
    ])('an answer with %s is a 502, not a crash', async (_label, answer) => {
      sdk.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
      sdk.on(GetCredentialsForIdentityCommand).resolves(answer);
      await expect(refusalOf(adapter.credentialsForUser({ idToken: 't' }))).resolves.toEqual({
        status: 502,
        code: 'UPSTREAM_ERROR',
      });
    });

    it('GetId without an identity id is a 502', async () => {
      sdk.on(GetIdCommand).resolves({});
      await expect(refusalOf(adapter.credentialsForUser({ idToken: 't' }))).resolves.toEqual({
        status: 502,
        code: 'UPSTREAM_ERROR',
      });
    });
  });

  describe('a guest’s credentials', () => {
    it('a new guest: GetId and GetCredentialsForIdentity without Logins', async () => {
      sdk.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
      sdk
        .on(GetCredentialsForIdentityCommand)
        .resolves({ IdentityId: IDENTITY_ID, Credentials: CREDENTIALS });
      await expect(adapter.credentialsForGuest()).resolves.toMatchObject({
        identityId: IDENTITY_ID,
      });
      expect(sdk.commandCalls(GetIdCommand)[0].args[0].input).toEqual({
        IdentityPoolId: IDENTITY_POOL_ID,
        Logins: undefined,
      });
      expect(sdk.commandCalls(GetCredentialsForIdentityCommand)[0].args[0].input).toEqual({
        IdentityId: IDENTITY_ID,
      });
    });

    it('a returning guest: no GetId', async () => {
      sdk
        .on(GetCredentialsForIdentityCommand)
        .resolves({ IdentityId: IDENTITY_ID, Credentials: CREDENTIALS });
      await adapter.credentialsForGuest(IDENTITY_ID);
      expect(sdk.commandCalls(GetIdCommand)).toHaveLength(0);
    });

    it('a pool without guests refuses: 403 GUESTS_NOT_ALLOWED', async () => {
      sdk.on(GetIdCommand).rejects(identityError('NotAuthorizedException'));
      await expect(refusalOf(adapter.credentialsForGuest())).resolves.toEqual({
        status: 403,
        code: 'GUESTS_NOT_ALLOWED',
      });
    });

    it('an identity id the pool does not know is the client’s 400; no pool at all is our 500', async () => {
      sdk.on(GetCredentialsForIdentityCommand).rejects(identityError('ResourceNotFoundException'));
      await expect(refusalOf(adapter.credentialsForGuest(IDENTITY_ID))).resolves.toEqual({
        status: 400,
        code: 'INVALID_PARAMETER',
      });
      sdk.on(GetIdCommand).rejects(identityError('ResourceNotFoundException'));
      await expect(refusalOf(adapter.credentialsForGuest())).resolves.toEqual({
        status: 500,
        code: 'INTERNAL_ERROR',
      });
    });
  });

  it('describes the pool: whether it has guests', async () => {
    sdk.on(DescribeIdentityPoolCommand).resolves({
      IdentityPoolId: IDENTITY_POOL_ID,
      IdentityPoolName: 'app',
      AllowUnauthenticatedIdentities: true,
    });
    await expect(adapter.describe()).resolves.toEqual({
      identityPoolId: IDENTITY_POOL_ID,
      allowsGuests: true,
    });
  });

  it('without an identity pool: 404 IDENTITY_POOL_NOT_CONFIGURED, and no call', async () => {
    const none = new IdentityPoolAdapter(testConnection, client);
    expect(none.configured).toBe(false);
    await expect(refusalOf(none.credentialsForUser({ idToken: 't' }))).resolves.toEqual({
      status: 404,
      code: 'IDENTITY_POOL_NOT_CONFIGURED',
    });
    await expect(refusalOf(none.credentialsForGuest())).resolves.toEqual({
      status: 404,
      code: 'IDENTITY_POOL_NOT_CONFIGURED',
    });
    expect(sdk.calls()).toHaveLength(0);
  });
});
