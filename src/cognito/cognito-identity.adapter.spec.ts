import {
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Logger } from '@nestjs/common';
import { mockClient } from 'aws-sdk-client-mock';
import { cognitoError, TEST_CLIENT_ID, testConnection } from './cognito.spec-fixtures';
import { AppException } from '../common/errors/app.exception';
import { CognitoIdentityAdapter } from './cognito-identity.adapter';
import { computeSecretHash } from './secret-hash';

const CLIENT_ID = TEST_CLIENT_ID;
const SECRET = 'client-secret-xyz';

async function rejectionOf(promise: Promise<unknown>): Promise<AppException> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    return error as AppException;
  }
  throw new Error('expected a rejection');
}

describe(CognitoIdentityAdapter.name, () => {
  const client = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
  const sdk = mockClient(client);
  const withSecret = new CognitoIdentityAdapter(client, {
    connection: testConnection,
    clientSecret: SECRET,
  });
  const withoutSecret = new CognitoIdentityAdapter(client, { connection: testConnection });

  beforeEach(() => sdk.reset());
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  describe('SECRET_HASH', () => {
    const secretHashRefused = () =>
      cognitoError('NotAuthorizedException', 'Unable to verify secret hash for client client-abc');

    it('signs sign-up with a hash of the email when the client has a secret', async () => {
      sdk.on(SignUpCommand).resolves({ UserSub: 'sub-1', UserConfirmed: false });
      await withSecret.signUp({ email: 'a@example.com', password: 'P@ssw0rd!', attributes: {} });
      expect(sdk.commandCalls(SignUpCommand)[0].args[0].input).toMatchObject({
        ClientId: CLIENT_ID,
        Username: 'a@example.com',
        SecretHash: computeSecretHash('a@example.com', CLIENT_ID, SECRET),
      });
    });

    it('sends no hash when the client has no secret', async () => {
      sdk.on(InitiateAuthCommand).resolves({
        AuthenticationResult: { AccessToken: 'a', IdToken: 'i', RefreshToken: 'r' },
      });
      await withoutSecret.initiatePasswordAuth('a@example.com', 'pw');
      const input = sdk.commandCalls(InitiateAuthCommand)[0].args[0].input;
      expect(input.AuthParameters).toEqual({ USERNAME: 'a@example.com', PASSWORD: 'pw' });
      expect(withoutSecret.requiresSecretHash).toBe(false);
    });

    it('hashes the Cognito username, not the email, for REFRESH_TOKEN_AUTH', async () => {
      sdk
        .on(InitiateAuthCommand)
        .resolves({ AuthenticationResult: { AccessToken: 'a', IdToken: 'i' } });
      await withSecret.refreshTokens('refresh-1', 'uuid-username');
      expect(sdk.commandCalls(InitiateAuthCommand)[0].args[0].input).toMatchObject({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: 'refresh-1',
          SECRET_HASH: computeSecretHash('uuid-username', CLIENT_ID, SECRET),
        },
      });
    });

    it('answers a rejected SECRET_HASH (a wrong client secret) with a generic 500, not "wrong password"', async () => {
      sdk.on(InitiateAuthCommand).rejects(secretHashRefused());
      const error = await rejectionOf(withSecret.initiatePasswordAuth('a@example.com', 'pw'));
      expect(error.getStatus()).toBe(500);
      expect(error.code).toBe('INTERNAL_ERROR');
      expect(error.message).not.toMatch(/secret|hash|client/i);
    });

    it('answers a refresh whose SECRET_HASH is refused (a username the client got wrong) with 401, not 500', async () => {
      sdk.on(InitiateAuthCommand).rejects(secretHashRefused());
      const error = await rejectionOf(withSecret.refreshTokens('refresh-1', 'another-username'));
      expect([error.getStatus(), error.code]).toEqual([401, 'INVALID_REFRESH_TOKEN']);
    });

    it('revokes a refresh token with the client secret', async () => {
      sdk.on(RevokeTokenCommand).resolves({});
      await withSecret.revokeRefreshToken('refresh-1');
      expect(sdk.commandCalls(RevokeTokenCommand)[0].args[0].input).toEqual({
        ClientId: CLIENT_ID,
        ClientSecret: SECRET,
        Token: 'refresh-1',
      });
    });
  });

  describe('login', () => {
    it.each([
      ['a wrong password', 'NotAuthorizedException', 'Incorrect username or password.'],
      ['a disabled user', 'NotAuthorizedException', 'User is disabled.'],
      ['an unknown user (emulators)', 'UserNotFoundException', 'User does not exist.'],
      ['a wrong password (emulators)', 'InvalidPasswordException', 'Invalid password'],
    ])('answers %s with the same 401 INVALID_CREDENTIALS', async (_, name, message) => {
      sdk.on(InitiateAuthCommand).rejects(cognitoError(name, message));
      const error = await rejectionOf(withSecret.initiatePasswordAuth('a@example.com', 'pw'));
      expect(error.getStatus()).toBe(401);
      expect(error.code).toBe('INVALID_CREDENTIALS');
      expect(error.message).toBe('Incorrect email or password.');
    });

    it('derives expiresIn from the access token, and the type, where the endpoint omits them (cognito-local)', async () => {
      const exp = Math.floor(Date.now() / 1000) + 600;
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const accessToken = `${part({ alg: 'RS256', kid: 'k' })}.${part({ exp })}.c2ln`;
      sdk.on(InitiateAuthCommand).resolves({
        AuthenticationResult: { AccessToken: accessToken, IdToken: 'i', RefreshToken: 'r' },
      });
      const outcome = await withSecret.initiatePasswordAuth('a@example.com', 'pw');
      expect(outcome.kind).toBe('tokens');
      if (outcome.kind !== 'tokens') return;
      expect(outcome.tokens.expiresIn).toBeGreaterThanOrEqual(599);
      expect(outcome.tokens.expiresIn).toBeLessThanOrEqual(600);
      expect(outcome.tokens.tokenType).toBe('Bearer');
    });

    it('keeps the ExpiresIn and TokenType Cognito sends, and answers an hour for an unreadable token', async () => {
      sdk.on(InitiateAuthCommand).resolves({
        AuthenticationResult: {
          AccessToken: 'a',
          IdToken: 'i',
          ExpiresIn: 300,
          TokenType: 'Bearer',
        },
      });
      await expect(withSecret.initiatePasswordAuth('a@example.com', 'pw')).resolves.toEqual({
        kind: 'tokens',
        tokens: { accessToken: 'a', idToken: 'i', expiresIn: 300, tokenType: 'Bearer' },
      });
      sdk
        .on(InitiateAuthCommand)
        .resolves({ AuthenticationResult: { AccessToken: 'a', IdToken: 'i' } });
      await expect(withSecret.refreshTokens('r', 'uuid')).resolves.toMatchObject({
        tokens: { expiresIn: 3600, tokenType: 'Bearer' },
      });
      // An `exp` that is not a number counts as unreadable, never as NaN seconds.
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const oddExp = `${part({ alg: 'RS256' })}.${part({ exp: '9999999999' })}.c2ln`;
      sdk
        .on(InitiateAuthCommand)
        .resolves({ AuthenticationResult: { AccessToken: oddExp, IdToken: 'i' } });
      await expect(withSecret.refreshTokens('r', 'uuid')).resolves.toMatchObject({
        tokens: { expiresIn: 3600 },
      });
    });

    it('returns a challenge with its session and parameters', async () => {
      sdk.on(InitiateAuthCommand).resolves({
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: 'session-1',
        ChallengeParameters: { USER_ID_FOR_SRP: 'uuid' },
      });
      await expect(withSecret.initiatePasswordAuth('a@example.com', 'pw')).resolves.toEqual({
        kind: 'challenge',
        challengeName: 'SOFTWARE_TOKEN_MFA',
        session: 'session-1',
        parameters: { USER_ID_FOR_SRP: 'uuid' },
      });
    });

    it.each([
      ['TooManyRequestsException', 'TOO_MANY_REQUESTS'],
      ['LimitExceededException', 'TOO_MANY_REQUESTS'],
      ['TooManyFailedAttemptsException', 'TOO_MANY_FAILED_ATTEMPTS'],
    ])('answers %s with 429 %s and Retry-After', async (name, code) => {
      sdk.on(InitiateAuthCommand).rejects(cognitoError(name, 'Rate exceeded'));
      const error = await rejectionOf(withSecret.initiatePasswordAuth('a@example.com', 'pw'));
      expect(error.getStatus()).toBe(429);
      expect(error.code).toBe(code);
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
    });
  });

  describe('refresh', () => {
    it('answers a revoked refresh token with 401 INVALID_REFRESH_TOKEN', async () => {
      sdk
        .on(InitiateAuthCommand)
        .rejects(cognitoError('NotAuthorizedException', 'Refresh Token has been revoked'));
      const error = await rejectionOf(withSecret.refreshTokens('refresh-1', 'uuid'));
      expect(error.getStatus()).toBe(401);
      expect(error.code).toBe('INVALID_REFRESH_TOKEN');
    });
  });

  describe('global sign-out', () => {
    it('signs out with the access token', async () => {
      sdk.on(GlobalSignOutCommand).resolves({});
      await withSecret.globalSignOut('access-1');
      expect(sdk.commandCalls(GlobalSignOutCommand)[0].args[0].input).toEqual({
        AccessToken: 'access-1',
      });
    });

    it('answers a revoked access token with 401 UNAUTHORIZED', async () => {
      sdk
        .on(GlobalSignOutCommand)
        .rejects(cognitoError('NotAuthorizedException', 'Access Token has been revoked'));
      const error = await rejectionOf(withSecret.globalSignOut('access-1'));
      expect(error.getStatus()).toBe(401);
      expect(error.code).toBe('UNAUTHORIZED');
    });
  });

  describe('codes', () => {
    it('resends the confirmation code with SECRET_HASH and reports the delivery', async () => {
      sdk.on(ResendConfirmationCodeCommand).resolves({
        CodeDeliveryDetails: {
          Destination: 'a***@e***',
          DeliveryMedium: 'EMAIL',
          AttributeName: 'email',
        },
      });
      await expect(withSecret.resendConfirmationCode('a@example.com')).resolves.toEqual({
        destination: 'a***@e***',
        medium: 'EMAIL',
        attribute: 'email',
      });
      expect(sdk.commandCalls(ResendConfirmationCodeCommand)[0].args[0].input).toEqual({
        ClientId: CLIENT_ID,
        SecretHash: computeSecretHash('a@example.com', CLIENT_ID, SECRET),
        Username: 'a@example.com',
      });
    });

    it('answers a confirmation for an unknown user like a wrong code', async () => {
      sdk
        .on(ConfirmSignUpCommand)
        .rejects(
          cognitoError('UserNotFoundException', 'Username/client id combination not found.'),
        );
      const error = await rejectionOf(withSecret.confirmSignUp('x@example.com', '123456'));
      expect(error.code).toBe('CODE_MISMATCH');
    });

    it.each([
      ['NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED'],
      ['ExpiredCodeException', 'Invalid code provided, please request a code again.'],
      ['CodeMismatchException', 'Invalid verification code provided, please try again.'],
      ['UserNotFoundException', 'Username/client id combination not found.'],
    ])(
      'answers a confirmation Cognito refuses with %s in the one shape that tells no account state',
      async (name, message) => {
        sdk.on(ConfirmSignUpCommand).rejects(cognitoError(name, message));
        const error = await rejectionOf(withSecret.confirmSignUp('x@example.com', '123456'));
        expect([error.getStatus(), error.code, error.message]).toEqual([
          400,
          'CODE_MISMATCH',
          'The code is incorrect or has expired. Request a new one, or sign in if the account is confirmed already.',
        ]);
      },
    );

    it('reports forgot-password failures with the mapped code for the service to judge', async () => {
      sdk
        .on(ForgotPasswordCommand)
        .rejects(cognitoError('UserNotFoundException', 'User does not exist.'));
      const error = await rejectionOf(withSecret.forgotPassword('x@example.com'));
      expect(error.code).toBe('USER_NOT_FOUND');
    });
  });

  describe('signed-in calls', () => {
    it('answers a wrong current password on change-password with 400 INCORRECT_PASSWORD', async () => {
      sdk
        .on(ChangePasswordCommand)
        .rejects(cognitoError('NotAuthorizedException', 'Incorrect username or password.'));
      const error = await rejectionOf(withSecret.changePassword('access', 'old', 'New-Passw0rd!'));
      expect(error.getStatus()).toBe(400);
      expect(error.code).toBe('INCORRECT_PASSWORD');
    });

    it('turns GetUser into a plain profile', async () => {
      sdk.on(GetUserCommand).resolves({
        Username: 'uuid',
        UserAttributes: [
          { Name: 'email', Value: 'a@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
        UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
        PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
      });
      await expect(withSecret.getUser('access')).resolves.toEqual({
        username: 'uuid',
        attributes: { email: 'a@example.com', email_verified: 'true' },
        preferredMfa: 'SOFTWARE_TOKEN_MFA',
        mfaOptions: ['SOFTWARE_TOKEN_MFA'],
      });
    });
  });
});
