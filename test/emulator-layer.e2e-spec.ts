import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { authenticator } from 'otplib';
import { computeSecretHash } from '../src/cognito/secret-hash';
import { STRONG_PASSWORD, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';
import { rememberSecret } from './support/suite-log';

/**
 * The layer the embedded emulator runs behind (src/cognito/local/emulator-layer), called with the
 * AWS SDK directly, without the app: each test fails if its part of the layer is lost. The pool
 * is the one the global setup made with the embedded mode's own ensureLocalPool.
 */
const pool = new TestPool();
const describeEmulated = pool.emulated ? describe : describe.skip;

describeEmulated('The embedded emulator behind its layer (AWS SDK)', () => {
  const userPoolId = process.env.COGNITO_USER_POOL_ID ?? '';
  const clientId = process.env.COGNITO_CLIENT_ID ?? '';
  const clientSecret = process.env.COGNITO_CLIENT_SECRET ?? '';
  const sdk = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: process.env.COGNITO_ENDPOINT,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  afterAll(() => sdk.destroy());

  const secretHash = (username: string) => computeSecretHash(username, clientId, clientSecret);

  function passwordAuth(email: string, password: string) {
    return sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password, SECRET_HASH: secretHash(email) },
      }),
    );
  }

  /** REFRESH_TOKEN_AUTH with the tokens of a sign-in; the hash is made from the Cognito username. */
  async function refresh(tokens: AuthenticationResultType | undefined) {
    const username = (await sdk.send(new GetUserCommand({ AccessToken: tokens?.AccessToken })))
      .Username;
    return sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: tokens?.RefreshToken ?? '',
          SECRET_HASH: secretHash(username ?? ''),
        },
      }),
    );
  }

  async function confirmedUser(email: string): Promise<void> {
    await sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: STRONG_PASSWORD,
        SecretHash: secretHash(email),
      }),
    );
    await sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
  }

  it('keeps the refresh token RespondToAuthChallenge issues after NEW_PASSWORD_REQUIRED', async () => {
    const email = uniqueEmail('layer-invited');
    await sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        TemporaryPassword: 'Temp-Passw0rd!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    const step = await passwordAuth(email, 'Temp-Passw0rd!');
    expect(step.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: step.Session,
        ChallengeResponses: {
          USERNAME: email,
          NEW_PASSWORD: STRONG_PASSWORD,
          SECRET_HASH: secretHash(email),
        },
      }),
    );
    expect(answered.AuthenticationResult?.RefreshToken).toEqual(expect.any(String));
    rememberSecret(answered.AuthenticationResult?.RefreshToken);

    const refreshed = await refresh(answered.AuthenticationResult);
    expect(refreshed.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    // The new password the step set is still the account's (the refresh token was stored on the
    // user as the step saved it, not on the user as it was before).
    expect((await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult).toBeDefined();
  });

  it('keeps the refresh token RespondToAuthChallenge issues after SOFTWARE_TOKEN_MFA', async () => {
    const email = uniqueEmail('layer-totp');
    await confirmedUser(email);
    const first = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    const { SecretCode } = await sdk.send(
      new AssociateSoftwareTokenCommand({ AccessToken: first?.AccessToken }),
    );
    const secret = SecretCode ?? '';
    await sdk.send(
      new VerifySoftwareTokenCommand({
        AccessToken: first?.AccessToken,
        UserCode: authenticator.generate(secret),
      }),
    );
    await sdk.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: first?.AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );

    const step = await passwordAuth(email, STRONG_PASSWORD);
    expect(step.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const answered = await sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: step.Session,
        ChallengeResponses: {
          USERNAME: email,
          SOFTWARE_TOKEN_MFA_CODE: authenticator.generate(secret),
          SECRET_HASH: secretHash(email),
        },
      }),
    );
    rememberSecret(answered.AuthenticationResult?.RefreshToken);
    const refreshed = await refresh(answered.AuthenticationResult);
    expect(refreshed.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });
});
