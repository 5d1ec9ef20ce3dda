import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { cognitoError, TEST_CLIENT_ID, testConnection } from './cognito.spec-fixtures';
import { CognitoIdentityAdapter } from './cognito-identity.adapter';
import { computeSecretHash } from './secret-hash';

const CLIENT_ID = TEST_CLIENT_ID;
const SECRET = 'secret-xyz';

/** Login steps the emulator cannot produce: SMS, email OTP, choosing, MFA setup, expired sessions. */
describe('CognitoIdentityAdapter challenges', () => {
  const client = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
  const sdk = mockClient(client);
  const adapter = new CognitoIdentityAdapter(client, {
    connection: testConnection,
    clientSecret: SECRET,
  });
  const tokens = { AuthenticationResult: { AccessToken: 'a', IdToken: 'i', RefreshToken: 'r' } };

  beforeEach(() => sdk.reset());

  it.each([
    ['SMS_MFA', { SMS_MFA_CODE: '123456' }],
    ['EMAIL_OTP', { EMAIL_OTP_CODE: '12345678' }],
    ['SELECT_MFA_TYPE', { ANSWER: 'SOFTWARE_TOKEN_MFA' }],
    ['SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: '123456' }],
    ['NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: 'New-Passw0rd!', 'userAttributes.name': 'Al' }],
  ])('answers %s with USERNAME, SECRET_HASH and the session', async (challengeName, responses) => {
    sdk.on(RespondToAuthChallengeCommand).resolves(tokens);
    const outcome = await adapter.respondToChallenge({
      challengeName,
      session: 'session-1',
      username: 'a@example.com',
      responses,
    });
    expect(outcome).toMatchObject({
      kind: 'tokens',
      tokens: { accessToken: 'a', refreshToken: 'r' },
    });
    expect(sdk.commandCalls(RespondToAuthChallengeCommand)[0].args[0].input).toEqual({
      ClientId: CLIENT_ID,
      ChallengeName: challengeName,
      Session: 'session-1',
      ChallengeResponses: {
        ...responses,
        USERNAME: 'a@example.com',
        SECRET_HASH: computeSecretHash('a@example.com', CLIENT_ID, SECRET),
      },
    });
  });

  it('passes on the next step when an answer leads to another one', async () => {
    sdk.on(RespondToAuthChallengeCommand).resolves({
      ChallengeName: 'SMS_MFA',
      Session: 'session-2',
      ChallengeParameters: {
        CODE_DELIVERY_DESTINATION: '+*******0100',
        CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS',
      },
    });
    await expect(
      adapter.respondToChallenge({
        challengeName: 'SELECT_MFA_TYPE',
        session: 's',
        username: 'a@example.com',
        responses: { ANSWER: 'SMS_MFA' },
      }),
    ).resolves.toEqual({
      kind: 'challenge',
      challengeName: 'SMS_MFA',
      session: 'session-2',
      parameters: {
        CODE_DELIVERY_DESTINATION: '+*******0100',
        CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS',
      },
    });
  });

  it.each([
    ['NotAuthorizedException', 'Invalid session for the user, session is expired.'],
    ['ExpiredCodeException', 'Invalid session provided'],
  ])('answers an expired or wrong session (%s) with 401 INVALID_SESSION', async (name, message) => {
    sdk.on(RespondToAuthChallengeCommand).rejects(cognitoError(name, message));
    await expect(
      adapter.respondToChallenge({
        challengeName: 'SMS_MFA',
        session: 'old',
        username: 'a@example.com',
        responses: {},
      }),
    ).rejects.toMatchObject({ code: 'INVALID_SESSION', status: 401 });
  });

  it('answers a wrong MFA code with 400 CODE_MISMATCH', async () => {
    sdk
      .on(RespondToAuthChallengeCommand)
      .rejects(cognitoError('CodeMismatchException', 'Invalid code received for user'));
    await expect(
      adapter.respondToChallenge({
        challengeName: 'SMS_MFA',
        session: 's',
        username: 'a@example.com',
        responses: {},
      }),
    ).rejects.toMatchObject({ code: 'CODE_MISMATCH', status: 400 });
  });

  it('enrols an authenticator during MFA_SETUP with the session, and returns the next session', async () => {
    sdk.on(AssociateSoftwareTokenCommand).resolves({ SecretCode: 'SECRET', Session: 'session-2' });
    sdk.on(VerifySoftwareTokenCommand).resolves({ Status: 'SUCCESS', Session: 'session-3' });
    await expect(adapter.associateSoftwareToken({ session: 'session-1' })).resolves.toEqual({
      secretCode: 'SECRET',
      session: 'session-2',
    });
    await expect(
      adapter.verifySoftwareToken({ session: 'session-2' }, '123456', 'Phone'),
    ).resolves.toEqual({
      session: 'session-3',
    });
    expect(sdk.commandCalls(AssociateSoftwareTokenCommand)[0].args[0].input).toEqual({
      Session: 'session-1',
    });
    expect(sdk.commandCalls(VerifySoftwareTokenCommand)[0].args[0].input).toEqual({
      Session: 'session-2',
      UserCode: '123456',
      FriendlyDeviceName: 'Phone',
    });
  });

  it('answers a failed authenticator check with 400 CODE_MISMATCH', async () => {
    sdk.on(VerifySoftwareTokenCommand).resolves({ Status: 'ERROR' });
    await expect(adapter.verifySoftwareToken({ accessToken: 't' }, '000000')).rejects.toMatchObject(
      {
        code: 'CODE_MISMATCH',
      },
    );
    sdk
      .on(VerifySoftwareTokenCommand)
      .rejects(cognitoError('EnableSoftwareTokenMFAException', 'Code mismatch'));
    await expect(adapter.verifySoftwareToken({ accessToken: 't' }, '000000')).rejects.toMatchObject(
      {
        code: 'CODE_MISMATCH',
        status: 400,
      },
    );
  });

  it('answers an MFA_SETUP session that expired with 401 INVALID_SESSION', async () => {
    sdk
      .on(AssociateSoftwareTokenCommand)
      .rejects(cognitoError('NotAuthorizedException', 'Invalid session'));
    await expect(adapter.associateSoftwareToken({ session: 'old' })).rejects.toMatchObject({
      code: 'INVALID_SESSION',
    });
  });
});
