import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  UpdateUserPoolCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
  type AuthenticationResultType,
  type UserAttributeUpdateSettingsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { authenticator } from 'otplib';
import { computeSecretHash } from '../src/cognito/secret-hash';
import { findLocalCodes } from '../src/cognito/local/local-codes';
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

  it('asks an invited user for a new password only after the temporary one', async () => {
    const email = uniqueEmail('layer-temporary');
    await sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        TemporaryPassword: 'Temp-Passw0rd!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    await expect(passwordAuth(email, 'Not-The-Temp-1!')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    expect((await passwordAuth(email, 'Temp-Passw0rd!')).ChallengeName).toBe(
      'NEW_PASSWORD_REQUIRED',
    );
  });

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

  it('sets UserAttributeUpdateSettings with UpdateUserPool and answers it in DescribeUserPool', async () => {
    const keepEmail: UserAttributeUpdateSettingsType = {
      AttributesRequireVerificationBeforeUpdate: ['email'],
    };
    const created = await sdk.send(
      new CreateUserPoolCommand({
        PoolName: 'layer-settings',
        AutoVerifiedAttributes: ['email'],
        UserAttributeUpdateSettings: keepEmail,
      }),
    );
    const id = created.UserPool?.Id ?? '';
    const settings = async () =>
      (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool
        ?.UserAttributeUpdateSettings;
    try {
      expect(await settings()).toEqual(keepEmail);
      // Like Cognito, UpdateUserPool resets a setting it is not given...
      await sdk.send(
        new UpdateUserPoolCommand({ UserPoolId: id, AutoVerifiedAttributes: ['email'] }),
      );
      expect(await settings()).toBeUndefined();
      // ...and sets it when given.
      await sdk.send(
        new UpdateUserPoolCommand({
          UserPoolId: id,
          AutoVerifiedAttributes: ['email'],
          UserAttributeUpdateSettings: keepEmail,
        }),
      );
      expect(await settings()).toEqual(keepEmail);
    } finally {
      await sdk.send(new DeleteUserPoolCommand({ UserPoolId: id }));
    }
  });

  it('keeps the original email of the embedded pool until the new one is verified', async () => {
    expect(
      (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool
        ?.UserAttributeUpdateSettings,
    ).toEqual({ AttributesRequireVerificationBeforeUpdate: ['email'] });

    const email = uniqueEmail('layer-old');
    const newEmail = uniqueEmail('layer-new');
    await confirmedUser(email);
    const tokens = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    const updated = await sdk.send(
      new UpdateUserAttributesCommand({
        AccessToken: tokens?.AccessToken,
        UserAttributes: [{ Name: 'email', Value: newEmail }],
      }),
    );
    expect(updated.CodeDeliveryDetailsList).toEqual([
      { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: newEmail },
    ]);
    const attributes = async (): Promise<Record<string, string | undefined>> =>
      Object.fromEntries(
        (
          (await sdk.send(new GetUserCommand({ AccessToken: tokens?.AccessToken })))
            .UserAttributes ?? []
        ).map((a): [string, string | undefined] => [a.Name ?? '', a.Value]),
      );
    expect((await attributes()).email).toBe(email);
    await expect(passwordAuth(newEmail, STRONG_PASSWORD)).rejects.toThrow();
    expect((await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult).toBeDefined();

    const code = findLocalCodes(
      process.env.E2E_EMULATOR_DATA_DIR ?? '',
      userPoolId,
      newEmail,
    )?.attributeVerificationCode;
    expect(code).toMatch(/^\d{6}$/);
    await sdk.send(
      new VerifyUserAttributeCommand({
        AccessToken: tokens?.AccessToken,
        AttributeName: 'email',
        Code: code,
      }),
    );
    expect(await attributes()).toMatchObject({ email: newEmail, email_verified: 'true' });
    expect((await passwordAuth(newEmail, STRONG_PASSWORD)).AuthenticationResult).toBeDefined();
    await expect(passwordAuth(email, STRONG_PASSWORD)).rejects.toThrow();
  });

  it('refuses to verify a pending email that another confirmed account signs in with', async () => {
    const email = uniqueEmail('layer-mover');
    const wanted = uniqueEmail('layer-owned');
    await confirmedUser(email);
    const tokens = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    await sdk.send(
      new UpdateUserAttributesCommand({
        AccessToken: tokens?.AccessToken,
        UserAttributes: [{ Name: 'email', Value: wanted }],
      }),
    );
    // The address's owner signs up with it meanwhile.
    await confirmedUser(wanted);
    const code = findLocalCodes(
      process.env.E2E_EMULATOR_DATA_DIR ?? '',
      userPoolId,
      wanted,
    )?.attributeVerificationCode;
    const verify = (Code: string | undefined) =>
      sdk.send(
        new VerifyUserAttributeCommand({
          AccessToken: tokens?.AccessToken,
          AttributeName: 'email',
          Code,
        }),
      );
    // A wrong code is still a wrong code; the right one meets the owner.
    await expect(verify(code === '000000' ? '111111' : '000000')).rejects.toMatchObject({
      name: 'CodeMismatchException',
    });
    await expect(verify(code)).rejects.toMatchObject({ name: 'AliasExistsException' });
    const { UserAttributes = [] } = await sdk.send(
      new GetUserCommand({ AccessToken: tokens?.AccessToken }),
    );
    expect(UserAttributes.find((a) => a.Name === 'email')?.Value).toBe(email);
    expect((await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult).toBeDefined();
  });
});
