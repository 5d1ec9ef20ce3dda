import { createPrivateKey } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDisableProviderForUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminLinkProviderForUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteGroupCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  UpdateGroupCommand,
  UpdateUserAttributesCommand,
  UpdateUserPoolCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
  type AuthenticationResultType,
  type CreateUserPoolClientCommandInput,
  type UserAttributeUpdateSettingsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import emulatorKey from 'cognito-local/lib/keys/cognitoLocal.private.json';
import { authenticator } from 'otplib';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityPoolStandIn } from '../src/cognito/local/identity-pool/identity-pool.server';
import { SESSIONS_FILE } from '../src/cognito/local/emulator-layer/challenge-sessions-file';
import { computeSecretHash } from '../src/cognito/secret-hash';
import { findLocalCodes } from '../src/cognito/local/local-codes';
import { STRONG_PASSWORD, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';
import { rememberSecret } from './support/suite-log';
import { signRs256 } from './support/token-forge';

/**
 * The layer the embedded emulator runs behind (src/cognito/local/emulator-layer), called with the
 * AWS SDK directly, without the app: each test fails if its part of the layer is lost. The pool
 * is the one the global setup made with the embedded mode's own ensureLocalPool.
 */
const pool = new TestPool();

/** The claims of a token the emulator issued. */
function claims(token: string | undefined): Record<string, unknown> {
  return decomposeUnverifiedJwt(token ?? '').payload;
}

/** How long a token lives, in seconds. */
function lifetime(token: string | undefined): number {
  const { iat, exp } = claims(token);
  return Number(exp) - Number(iat);
}

const describeEmulated = pool.emulated ? describe : describe.skip;

const TEMPORARY_PASSWORD = 'Temp-Passw0rd!';

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

  /** An invited user (FORCE_CHANGE_PASSWORD), as an administrator makes one. */
  async function invitedUser(email: string, temporaryPassword = TEMPORARY_PASSWORD) {
    return sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        TemporaryPassword: temporaryPassword,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }],
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

  it('answers only a session it issued, to that user, for that step, once', async () => {
    const stepOf = async (label: string) => {
      const email = uniqueEmail(label);
      await invitedUser(email);
      return { email, session: (await passwordAuth(email, 'Temp-Passw0rd!')).Session ?? '' };
    };
    const respond = (email: string, session: string, challengeName = 'NEW_PASSWORD_REQUIRED') =>
      sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: challengeName as 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeResponses: {
            USERNAME: email,
            NEW_PASSWORD: STRONG_PASSWORD,
            SOFTWARE_TOKEN_MFA_CODE: '123456',
            SECRET_HASH: secretHash(email),
          },
        }),
      );
    const victim = await stepOf('layer-session-victim');
    const attacker = await stepOf('layer-session-attacker');
    const refused = { name: 'NotAuthorizedException' };
    await expect(respond(victim.email, 'anything')).rejects.toMatchObject(refused);
    await expect(respond(victim.email, attacker.session)).rejects.toMatchObject(refused);
    await expect(respond(victim.email, victim.session, 'SOFTWARE_TOKEN_MFA')).rejects.toMatchObject(
      refused,
    );
    const answered = await respond(victim.email, victim.session);
    expect(answered.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    rememberSecret(answered.AuthenticationResult?.RefreshToken, 'refresh token');
    await expect(respond(victim.email, victim.session)).rejects.toMatchObject(refused);

    // An expired one: its lifetime (3 minutes) is moved into the past where the emulator keeps it.
    const late = await stepOf('layer-session-late');
    const file = join(process.env.E2E_EMULATOR_DATA_DIR ?? '', SESSIONS_FILE);
    const sessions = JSON.parse(readFileSync(file, 'utf8')) as [string, { expiresAt: number }][];
    for (const [, entry] of sessions) entry.expiresAt = Date.now() - 1;
    writeFileSync(file, JSON.stringify(sessions));
    await expect(respond(late.email, late.session)).rejects.toMatchObject(refused);
  });

  it('asks an invited user for a new password only after the temporary one', async () => {
    const email = uniqueEmail('layer-temporary');
    await invitedUser(email);
    await expect(passwordAuth(email, 'Not-The-Temp-1!')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    expect((await passwordAuth(email, 'Temp-Passw0rd!')).ChallengeName).toBe(
      'NEW_PASSWORD_REQUIRED',
    );
  });

  it('keeps the refresh token RespondToAuthChallenge issues after NEW_PASSWORD_REQUIRED', async () => {
    const email = uniqueEmail('layer-invited');
    await invitedUser(email);
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
    rememberSecret(answered.AuthenticationResult?.RefreshToken, 'refresh token');

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
    rememberSecret(answered.AuthenticationResult?.RefreshToken, 'refresh token');
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

  it('gives the access and ID tokens of a sign-in a jti each and one origin_jti', async () => {
    const email = uniqueEmail('layer-jti');
    await confirmedUser(email);
    const first = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    const access = claims(first?.AccessToken);
    const id = claims(first?.IdToken);
    expect(access.jti).toEqual(expect.any(String));
    expect(id.jti).toEqual(expect.any(String));
    expect(access.jti).not.toBe(id.jti);
    expect(access.origin_jti).toEqual(expect.any(String));
    expect(id.origin_jti).toBe(access.origin_jti);
    expect([access.auth_time, id.auth_time]).toEqual([access.iat, id.iat]);

    // Another sign-in is another session.
    const second = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    expect(claims(second?.AccessToken).origin_jti).not.toBe(access.origin_jti);
  });

  it("keeps the sign-in's origin_jti and auth_time in the tokens a refresh issues", async () => {
    const email = uniqueEmail('layer-auth-time');
    await confirmedUser(email);
    const signedIn = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    rememberSecret(signedIn?.RefreshToken, 'refresh token');
    const before = claims(signedIn?.AccessToken);
    // A refresh in a later second than the sign-in, so the two times can differ.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const refreshed = (await refresh(signedIn)).AuthenticationResult;
    for (const token of [refreshed?.AccessToken, refreshed?.IdToken]) {
      const after = claims(token);
      expect(after).toMatchObject({ origin_jti: before.origin_jti, auth_time: before.auth_time });
      expect(after.iat).toBeGreaterThan(Number(before.auth_time));
      expect(after.jti).not.toBe(before.jti);
    }
  });

  describe("the IAM roles of the user's groups in the ID token", () => {
    const run = randomUUID().slice(0, 8);
    const role = (name: string) => `arn:aws:iam::000000000000:role/${name}-${run}`;
    const made: string[] = [];
    afterAll(async () => {
      for (const GroupName of made) {
        await sdk.send(new DeleteGroupCommand({ UserPoolId: userPoolId, GroupName }));
      }
    });

    /** A group of the pool, and the user in it. */
    async function inGroup(email: string, name: string, RoleArn?: string, Precedence?: number) {
      const GroupName = `${name}-${run}`;
      if (!made.includes(GroupName)) {
        await sdk.send(
          new CreateGroupCommand({ UserPoolId: userPoolId, GroupName, RoleArn, Precedence }),
        );
        made.push(GroupName);
      }
      await sdk.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName }),
      );
    }

    it('holds every role, and the preferred one of the lowest precedence; refresh keeps them', async () => {
      const email = uniqueEmail('layer-roles');
      await confirmedUser(email);
      await inGroup(email, 'readers', role('readers'), 5);
      await inGroup(email, 'writers', role('writers'), 1);
      await inGroup(email, 'no-role', undefined, 0);
      await inGroup(email, 'no-precedence', role('no-precedence'));
      const tokens = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
      rememberSecret(tokens?.RefreshToken, 'refresh token');
      const expected = {
        'cognito:roles': [role('writers'), role('readers'), role('no-precedence')],
        'cognito:preferred_role': role('writers'),
      };
      expect(claims(tokens?.IdToken)).toMatchObject(expected);
      // The access token has the groups, not the roles.
      expect(claims(tokens?.AccessToken)).not.toHaveProperty('cognito:roles');

      expect(claims((await refresh(tokens)).AuthenticationResult?.IdToken)).toMatchObject(expected);
      // A refresh issues the roles of the groups of that time.
      await sdk.send(
        new UpdateGroupCommand({
          UserPoolId: userPoolId,
          GroupName: `writers-${run}`,
          RoleArn: role('writers'),
          Precedence: 9,
        }),
      );
      const later = claims((await refresh(tokens)).AuthenticationResult?.IdToken);
      expect(later['cognito:preferred_role']).toBe(role('readers'));
      await sdk.send(
        new DeleteGroupCommand({ UserPoolId: userPoolId, GroupName: `readers-${run}` }),
      );
      made.splice(made.indexOf(`readers-${run}`), 1);
      const last = claims((await refresh(tokens)).AuthenticationResult?.IdToken);
      expect(last['cognito:roles']).toEqual([role('writers'), role('no-precedence')]);
      expect(last['cognito:preferred_role']).toBe(role('writers'));
    });

    it("are what the embedded identity pool stand-in chooses from, the removed group's role gone after a refresh", async () => {
      const email = uniqueEmail('layer-roles-pool');
      await confirmedUser(email);
      await inGroup(email, 'pool-low', role('pool-low'), 4);
      await inGroup(email, 'pool-high', role('pool-high'), 2);
      const issuer = `${process.env.COGNITO_ENDPOINT}/${userPoolId}`;
      const dataDir = mkdtempSync(join(tmpdir(), 'identity-pool-e2e-'));
      const standIn = await IdentityPoolStandIn.start({
        dataDir,
        region: 'us-east-1',
        issuer,
        jwksUri: `${issuer}/.well-known/jwks.json`,
        clientId,
        allowGuests: false,
        port: 0,
        nodeEnv: 'test',
      });
      const identity = new CognitoIdentityClient({
        region: 'us-east-1',
        endpoint: standIn.endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      try {
        const roleOf = async (idToken: string | undefined, CustomRoleArn?: string) => {
          const Logins = { [standIn.providerName]: idToken ?? '' };
          const { IdentityId } = await identity.send(
            new GetIdCommand({ IdentityPoolId: standIn.identityPoolId, Logins }),
          );
          const { Credentials } = await identity.send(
            new GetCredentialsForIdentityCommand({ IdentityId, Logins, CustomRoleArn }),
          );
          const readable = (Credentials?.SessionToken ?? '').split('.')[1];
          return (JSON.parse(Buffer.from(readable, 'base64url').toString()) as { role: string })
            .role;
        };
        const tokens = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
        rememberSecret(tokens?.RefreshToken, 'refresh token');
        expect(await roleOf(tokens?.IdToken)).toBe(role('pool-high'));
        expect(await roleOf(tokens?.IdToken, role('pool-low'))).toBe(role('pool-low'));

        await sdk.send(
          new DeleteGroupCommand({ UserPoolId: userPoolId, GroupName: `pool-low-${run}` }),
        );
        made.splice(made.indexOf(`pool-low-${run}`), 1);
        const refreshed = (await refresh(tokens)).AuthenticationResult?.IdToken;
        await expect(roleOf(refreshed, role('pool-low'))).rejects.toMatchObject({
          name: 'NotAuthorizedException',
        });
        expect(await roleOf(refreshed)).toBe(role('pool-high'));
      } finally {
        identity.destroy();
        await standIn.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('names no preferred role when two groups of the best precedence have different roles', async () => {
      const email = uniqueEmail('layer-roles-tie');
      await confirmedUser(email);
      await inGroup(email, 'tie-a', role('tie-a'), 2);
      await inGroup(email, 'tie-b', role('tie-b'), 2);
      await inGroup(email, 'tie-later', role('tie-later'), 3);
      const id = claims((await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult?.IdToken);
      expect(id['cognito:roles']).toEqual([role('tie-a'), role('tie-b'), role('tie-later')]);
      expect(id).not.toHaveProperty('cognito:preferred_role');
    });

    it('puts no role claim in the token of a user whose groups have no role', async () => {
      const email = uniqueEmail('layer-roles-none');
      await confirmedUser(email);
      await inGroup(email, 'plain', undefined, 1);
      const id = claims((await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult?.IdToken);
      expect(id['cognito:groups']).toEqual([`plain-${run}`]);
      expect(id).not.toHaveProperty('cognito:roles');
      expect(id).not.toHaveProperty('cognito:preferred_role');
    });
  });

  it("gives the embedded pool's access and ID tokens one hour, its app client's setting", async () => {
    const { UserPoolClient: client } = await sdk.send(
      new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
    );
    expect(client).toMatchObject({
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' },
    });
    const email = uniqueEmail('layer-hour');
    await confirmedUser(email);
    const tokens = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    expect([lifetime(tokens?.AccessToken), lifetime(tokens?.IdToken)]).toEqual([3600, 3600]);
    const refreshed = (await refresh(tokens)).AuthenticationResult;
    expect([lifetime(refreshed?.AccessToken), lifetime(refreshed?.IdToken)]).toEqual([3600, 3600]);
  });

  it.each<[string, Partial<CreateUserPoolClientCommandInput>, [number, number]]>([
    ['one hour when it sets nothing', {}, [3600, 3600]],
    [
      'what it sets, in its units',
      {
        AccessTokenValidity: 5,
        IdTokenValidity: 2,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'hours' },
      },
      [300, 7200],
    ],
  ])('gives the tokens of another app client %s', async (_, settings, expected) => {
    const created = await sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'layer-validity',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        ...settings,
      }),
    );
    const otherClientId = created.UserPoolClient?.ClientId ?? '';
    try {
      const email = uniqueEmail('layer-validity');
      await confirmedUser(email);
      const { AuthenticationResult: tokens } = await sdk.send(
        new InitiateAuthCommand({
          ClientId: otherClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: STRONG_PASSWORD },
        }),
      );
      expect([lifetime(tokens?.AccessToken), lifetime(tokens?.IdToken)]).toEqual(expected);
    } finally {
      await sdk.send(
        new DeleteUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: otherClientId }),
      );
    }
  });

  it('gives the tokens RespondToAuthChallenge answers an origin_jti that their refresh keeps', async () => {
    const email = uniqueEmail('layer-step-origin');
    await invitedUser(email);
    const step = await passwordAuth(email, 'Temp-Passw0rd!');
    const answered = (
      await sdk.send(
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
      )
    ).AuthenticationResult;
    rememberSecret(answered?.RefreshToken, 'refresh token');
    const origin = claims(answered?.AccessToken).origin_jti;
    expect(origin).toEqual(expect.any(String));
    expect(claims(answered?.IdToken).origin_jti).toBe(origin);
    const refreshed = (await refresh(answered)).AuthenticationResult;
    expect(claims(refreshed?.AccessToken).origin_jti).toBe(origin);
  });

  it("refuses a password the pool's policy forbids in every operation that sets one", async () => {
    // The embedded pool's policy: 8 characters with an uppercase and a lowercase letter, a number
    // and a symbol. This one has no number.
    const weak = 'No-Number-Here';
    const refused = {
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password must have numeric characters',
    };
    const email = uniqueEmail('layer-policy');
    await expect(
      sdk.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: email,
          Password: weak,
          SecretHash: secretHash(email),
        }),
      ),
    ).rejects.toMatchObject(refused);
    await expect(invitedUser(email, weak)).rejects.toMatchObject(refused);

    await confirmedUser(email);
    await expect(
      sdk.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: email,
          Password: weak,
          Permanent: true,
        }),
      ),
    ).rejects.toMatchObject(refused);
    const tokens = (await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult;
    await expect(
      sdk.send(
        new ChangePasswordCommand({
          AccessToken: tokens?.AccessToken,
          PreviousPassword: STRONG_PASSWORD,
          ProposedPassword: weak,
        }),
      ),
    ).rejects.toMatchObject(refused);
    await sdk.send(
      new ForgotPasswordCommand({
        ClientId: clientId,
        Username: email,
        SecretHash: secretHash(email),
      }),
    );
    const code = await pool.code(email);
    await expect(
      sdk.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: email,
          ConfirmationCode: code,
          Password: weak,
          SecretHash: secretHash(email),
        }),
      ),
    ).rejects.toMatchObject(refused);
    // None of them changed the password.
    expect((await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult).toBeDefined();

    const invited = uniqueEmail('layer-policy-invited');
    await invitedUser(invited, 'Temp-Passw0rd!');
    const step = await passwordAuth(invited, 'Temp-Passw0rd!');
    const answer = (NEW_PASSWORD: string) =>
      sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: step.Session,
          ChallengeResponses: { USERNAME: invited, NEW_PASSWORD, SECRET_HASH: secretHash(invited) },
        }),
      );
    await expect(answer(weak)).rejects.toMatchObject(refused);
    const answered = (await answer(STRONG_PASSWORD)).AuthenticationResult;
    expect(answered?.AccessToken).toEqual(expect.any(String));
    rememberSecret(answered?.RefreshToken, 'refresh token');
  });

  it('reads the password policy from the pool: its minimum length and the rules it turns on', async () => {
    const created = await sdk.send(
      new CreateUserPoolCommand({
        PoolName: 'layer-policy',
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireUppercase: false,
            RequireLowercase: true,
            RequireNumbers: false,
            RequireSymbols: false,
          },
        },
      }),
    );
    const id = created.UserPool?.Id ?? '';
    try {
      const { UserPoolClient } = await sdk.send(
        new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'layer-policy' }),
      );
      const signUp = (Password: string) =>
        sdk.send(
          new SignUpCommand({
            ClientId: UserPoolClient?.ClientId,
            Username: uniqueEmail('layer-own-policy'),
            Password,
          }),
        );
      await expect(signUp('only-eleven')).rejects.toMatchObject({
        name: 'InvalidPasswordException',
        message: 'Password did not conform with policy: Password not long enough',
      });
      await expect(signUp('UPPERCASE ONLY')).rejects.toMatchObject({
        name: 'InvalidPasswordException',
        message: 'Password did not conform with policy: Password must have lowercase characters',
      });
      expect((await signUp('twelve lower')).UserSub).toEqual(expect.any(String));
    } finally {
      await sdk.send(new DeleteUserPoolCommand({ UserPoolId: id }));
    }
  });

  /** REFRESH_TOKEN_AUTH with the hash made from `username` (the Cognito username, a UUID). */
  function refreshAs(refreshToken: string | undefined, username: string | undefined) {
    return sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: refreshToken ?? '',
          SECRET_HASH: secretHash(username ?? ''),
        },
      }),
    );
  }

  const getUser = (tokens: AuthenticationResultType | undefined) =>
    sdk.send(new GetUserCommand({ AccessToken: tokens?.AccessToken }));

  /** A confirmed user's sign-in, with its Cognito username (the hash of a refresh needs it). */
  async function signedIn(email: string, password = STRONG_PASSWORD) {
    const tokens = (await passwordAuth(email, password)).AuthenticationResult;
    rememberSecret(tokens?.RefreshToken, 'refresh token');
    const { Username } = await getUser(tokens);
    return { tokens, username: Username ?? '' };
  }

  /** A NotAuthorizedException whose message matches. */
  const refused = (message: string | RegExp): unknown =>
    expect.objectContaining({
      name: 'NotAuthorizedException',
      message: expect.stringMatching(message) as unknown,
    }) as unknown;

  const codeOf = (email: string) =>
    findLocalCodes(process.env.E2E_EMULATOR_DATA_DIR ?? '', userPoolId, email)?.confirmationCode;

  it('resends the sign-up code: a new one, the old one refused, a confirmed user refused', async () => {
    const email = uniqueEmail('layer-resend');
    await sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: STRONG_PASSWORD,
        SecretHash: secretHash(email),
      }),
    );
    const first = codeOf(email);
    expect(first).toMatch(/^\d{6}$/);
    const resend = () =>
      sdk.send(
        new ResendConfirmationCodeCommand({
          ClientId: clientId,
          Username: email,
          SecretHash: secretHash(email),
        }),
      );
    expect((await resend()).CodeDeliveryDetails).toEqual({
      AttributeName: 'email',
      DeliveryMedium: 'EMAIL',
      Destination: email,
    });
    const second = codeOf(email);
    expect(second).toMatch(/^\d{6}$/);
    expect(second).not.toBe(first);
    const confirm = (code: string | undefined) =>
      sdk.send(
        new ConfirmSignUpCommand({
          ClientId: clientId,
          Username: email,
          ConfirmationCode: code,
          SecretHash: secretHash(email),
        }),
      );
    await expect(confirm(first)).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await confirm(second);
    expect((await passwordAuth(email, STRONG_PASSWORD)).AuthenticationResult).toBeDefined();
    await expect(resend()).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'User is already confirmed.',
    });
  });

  it('GlobalSignOut revokes every refresh token of the user and the access tokens issued before', async () => {
    const email = uniqueEmail('layer-signout');
    await confirmedUser(email);
    const one = await signedIn(email);
    const two = await signedIn(email);
    expect(
      (await refreshAs(two.tokens?.RefreshToken, two.username)).AuthenticationResult,
    ).toBeDefined();

    await sdk.send(new GlobalSignOutCommand({ AccessToken: one.tokens?.AccessToken }));

    for (const session of [one, two]) {
      await expect(refreshAs(session.tokens?.RefreshToken, session.username)).rejects.toEqual(
        refused(/./),
      );
      await expect(getUser(session.tokens)).rejects.toEqual(
        refused('Access Token has been revoked'),
      );
    }
    await expect(
      sdk.send(
        new ChangePasswordCommand({
          AccessToken: two.tokens?.AccessToken,
          PreviousPassword: STRONG_PASSWORD,
          ProposedPassword: 'Another-Passw0rd!',
        }),
      ),
    ).rejects.toEqual(refused('Access Token has been revoked'));
    await expect(
      sdk.send(new GlobalSignOutCommand({ AccessToken: one.tokens?.AccessToken })),
    ).rejects.toEqual(refused('Access Token has been revoked'));
    // A sign-in right after is a new session, whose tokens work.
    const again = await signedIn(email);
    expect(again.username).toBe(one.username);
    expect(
      (await refreshAs(again.tokens?.RefreshToken, again.username)).AuthenticationResult,
    ).toBeDefined();
  });

  it('AdminUserGlobalSignOut revokes the user’s refresh tokens and earlier access tokens', async () => {
    const email = uniqueEmail('layer-admin-signout');
    await confirmedUser(email);
    const session = await signedIn(email);
    await sdk.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: email }));
    await expect(refreshAs(session.tokens?.RefreshToken, session.username)).rejects.toEqual(
      refused(/./),
    );
    await expect(getUser(session.tokens)).rejects.toEqual(refused('Access Token has been revoked'));
    expect((await getUser((await signedIn(email)).tokens)).Username).toBe(session.username);
    await expect(
      sdk.send(
        new AdminUserGlobalSignOutCommand({
          UserPoolId: userPoolId,
          Username: uniqueEmail('nobody'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'UserNotFoundException' });
  });

  it('refuses forged, expired and ID tokens where an access token is needed', async () => {
    const email = uniqueEmail('layer-token');
    await confirmedUser(email);
    const { tokens } = await signedIn(email);
    const [header, payload] = (tokens?.AccessToken ?? '').split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 3600 })).toString('base64url')}.${tokens?.AccessToken?.split('.')[2]}`;
    const now = Math.floor(Date.now() / 1000);
    const expired = signRs256(
      { alg: 'RS256', kid: 'CognitoLocal' },
      { ...claims, iat: now - 7200, exp: now - 3600 },
      createPrivateKey(emulatorKey.pem),
    );
    const withToken = (AccessToken: string | undefined) => getUser({ AccessToken });
    await expect(withToken(tampered)).rejects.toEqual(refused('Invalid Access Token'));
    await expect(withToken(tokens?.IdToken)).rejects.toEqual(refused('Invalid Access Token'));
    await expect(withToken(expired)).rejects.toEqual(refused('Access Token has expired'));
    expect((await withToken(tokens?.AccessToken)).UserAttributes).toBeDefined();
  });

  it('AdminResetUserPassword sends a code and requires a new password before the next sign-in', async () => {
    const email = uniqueEmail('layer-reset');
    await confirmedUser(email);
    await sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: userPoolId, Username: email }));
    expect(
      (await sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))
        .UserStatus,
    ).toBe('RESET_REQUIRED');
    await expect(passwordAuth(email, STRONG_PASSWORD)).rejects.toMatchObject({
      name: 'PasswordResetRequiredException',
    });
    await expect(
      sdk.send(
        new AdminInitiateAuthCommand({
          UserPoolId: userPoolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: {
            USERNAME: email,
            PASSWORD: STRONG_PASSWORD,
            SECRET_HASH: secretHash(email),
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'PasswordResetRequiredException' });

    const code = codeOf(email);
    expect(code).toMatch(/^\d{6}$/);
    rememberSecret(code, 'code');
    await sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: email,
        ConfirmationCode: code,
        Password: 'Reset-Passw0rd!',
        SecretHash: secretHash(email),
      }),
    );
    expect((await passwordAuth(email, 'Reset-Passw0rd!')).AuthenticationResult).toBeDefined();
    await expect(
      sdk.send(
        new AdminResetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: uniqueEmail('nobody'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'UserNotFoundException' });
  });

  it('refuses a disabled user at sign-in, refresh and GetUser, and revokes their access tokens', async () => {
    const email = uniqueEmail('layer-disabled');
    await confirmedUser(email);
    const session = await signedIn(email);
    await sdk.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: email }));

    await expect(passwordAuth(email, STRONG_PASSWORD)).rejects.toEqual(
      refused('User is disabled.'),
    );
    // Only the account's password learns that it is disabled.
    await expect(passwordAuth(email, 'Wrong-Passw0rd!')).rejects.not.toEqual(
      refused('User is disabled.'),
    );
    await expect(
      sdk.send(
        new AdminInitiateAuthCommand({
          UserPoolId: userPoolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: {
            USERNAME: email,
            PASSWORD: STRONG_PASSWORD,
            SECRET_HASH: secretHash(email),
          },
        }),
      ),
    ).rejects.toEqual(refused('User is disabled.'));
    await expect(refreshAs(session.tokens?.RefreshToken, session.username)).rejects.toEqual(
      refused('User is disabled.'),
    );
    await expect(getUser(session.tokens)).rejects.toEqual(refused('User is disabled.'));

    await sdk.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: email }));
    // Enabled again: a new sign-in works, and the access tokens of before stay revoked.
    await expect(getUser(session.tokens)).rejects.toEqual(refused('Access Token has been revoked'));
    expect((await getUser((await signedIn(email)).tokens)).Username).toBe(session.username);
  });

  describe('AdminLinkProviderForUser and AdminDisableProviderForUser', () => {
    const identity = (providerName: string, id: string) => ({
      ProviderName: providerName,
      ProviderAttributeName: 'Cognito_Subject',
      ProviderAttributeValue: id,
    });
    const link = (username: string, providerName: string, id: string) =>
      sdk.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: userPoolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: username },
          SourceUser: identity(providerName, id),
        }),
      );
    const unlink = (providerName: string, id: string) =>
      sdk.send(
        new AdminDisableProviderForUserCommand({
          UserPoolId: userPoolId,
          User: identity(providerName, id),
        }),
      );
    async function userOf(email: string) {
      return sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    }
    async function identitiesOf(email: string): Promise<unknown> {
      const value = (await userOf(email)).UserAttributes?.find(
        (a) => a.Name === 'identities',
      )?.Value;
      return value === undefined ? undefined : JSON.parse(value);
    }

    it('records a link in the user’s identities attribute, in Cognito’s shape, and removes it', async () => {
      const email = uniqueEmail('layer-link');
      await confirmedUser(email);
      const { Username: username } = await userOf(email);
      const id = `google-${Date.now()}`;
      const before = Date.now();
      await link(username ?? '', 'Google', id);
      await link(username ?? '', 'Corp-OIDC', id);
      expect(await identitiesOf(email)).toEqual([
        {
          userId: id,
          providerName: 'Google',
          providerType: 'Google',
          issuer: null,
          primary: false,
          dateCreated: expect.any(Number),
        },
        expect.objectContaining({ userId: id, providerName: 'Corp-OIDC', providerType: 'OIDC' }),
      ]);
      const [first] = (await identitiesOf(email)) as { dateCreated: number }[];
      expect(first.dateCreated).toBeGreaterThanOrEqual(before - 1000);

      // Linking it again to the same user changes nothing.
      await link(username ?? '', 'Google', id);
      expect(await identitiesOf(email)).toHaveLength(2);

      await unlink('Google', id);
      expect(await identitiesOf(email)).toEqual([
        expect.objectContaining({ userId: id, providerName: 'Corp-OIDC' }),
      ]);
      // Other attributes stay as they were.
      expect((await userOf(email)).UserAttributes).toEqual(
        expect.arrayContaining([{ Name: 'email', Value: email }]),
      );
    });

    it('refuses an identity linked to another user, a sixth link, Cognito itself and an unknown user', async () => {
      const owner = uniqueEmail('layer-link-owner');
      const other = uniqueEmail('layer-link-other');
      await confirmedUser(owner);
      await confirmedUser(other);
      const ownerName = (await userOf(owner)).Username ?? '';
      const otherName = (await userOf(other)).Username ?? '';
      const id = `taken-${Date.now()}`;
      await link(ownerName, 'Google', id);
      await expect(link(otherName, 'Google', id)).rejects.toMatchObject({
        name: 'AliasExistsException',
      });
      expect(await identitiesOf(other)).toBeUndefined();

      for (let i = 2; i <= 5; i += 1) await link(ownerName, `Provider${i}`, id);
      await expect(link(ownerName, 'Provider6', id)).rejects.toMatchObject({
        name: 'LimitExceededException',
      });
      expect(await identitiesOf(owner)).toHaveLength(5);

      await expect(link(otherName, 'Cognito', id)).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
      await expect(
        link(uniqueEmail('layer-link-nobody'), 'Google', `${id}-2`),
      ).rejects.toMatchObject({ name: 'UserNotFoundException' });

      // Unlinked, the identity is free for another user.
      await unlink('Google', id);
      await link(otherName, 'Google', id);
      expect(await identitiesOf(other)).toEqual([
        expect.objectContaining({ userId: id, providerName: 'Google' }),
      ]);
    });
  });

  describe('SECRET_HASH, checked because the app client has a secret', () => {
    const missing = `Client ${clientId} is configured with secret but SECRET_HASH was not received`;
    const wrong = `Unable to verify secret hash for client ${clientId}`;

    /** Each operation that takes the hash, called with `hash` for `email`. */
    const operations: [string, (email: string, hash: string | undefined) => Promise<unknown>][] = [
      [
        'SignUp',
        (email, hash) =>
          sdk.send(
            new SignUpCommand({
              ClientId: clientId,
              Username: email,
              Password: STRONG_PASSWORD,
              SecretHash: hash,
            }),
          ),
      ],
      [
        'ConfirmSignUp',
        (email, hash) =>
          sdk.send(
            new ConfirmSignUpCommand({
              ClientId: clientId,
              Username: email,
              ConfirmationCode: '123456',
              SecretHash: hash,
            }),
          ),
      ],
      [
        'ResendConfirmationCode',
        (email, hash) =>
          sdk.send(
            new ResendConfirmationCodeCommand({
              ClientId: clientId,
              Username: email,
              SecretHash: hash,
            }),
          ),
      ],
      [
        'ForgotPassword',
        (email, hash) =>
          sdk.send(
            new ForgotPasswordCommand({ ClientId: clientId, Username: email, SecretHash: hash }),
          ),
      ],
      [
        'ConfirmForgotPassword',
        (email, hash) =>
          sdk.send(
            new ConfirmForgotPasswordCommand({
              ClientId: clientId,
              Username: email,
              ConfirmationCode: '123456',
              Password: 'Reset-Passw0rd!',
              SecretHash: hash,
            }),
          ),
      ],
      [
        'InitiateAuth USER_PASSWORD_AUTH',
        (email, hash) =>
          sdk.send(
            new InitiateAuthCommand({
              ClientId: clientId,
              AuthFlow: 'USER_PASSWORD_AUTH',
              AuthParameters: {
                USERNAME: email,
                PASSWORD: STRONG_PASSWORD,
                ...(hash ? { SECRET_HASH: hash } : {}),
              },
            }),
          ),
      ],
      [
        'RespondToAuthChallenge',
        (email, hash) =>
          sdk.send(
            new RespondToAuthChallengeCommand({
              ClientId: clientId,
              ChallengeName: 'NEW_PASSWORD_REQUIRED',
              Session: 'session',
              ChallengeResponses: {
                USERNAME: email,
                NEW_PASSWORD: STRONG_PASSWORD,
                ...(hash ? { SECRET_HASH: hash } : {}),
              },
            }),
          ),
      ],
    ];

    it.each(operations)('%s: refused without it and with a wrong one', async (_name, call) => {
      const email = uniqueEmail('layer-hash');
      await confirmedUser(email);
      await expect(call(email, undefined)).rejects.toEqual(refused(missing));
      await expect(call(email, secretHash(`other-${email}`))).rejects.toEqual(refused(wrong));
    });

    it('REFRESH_TOKEN_AUTH takes the hash of the Cognito username (a UUID), not of the email', async () => {
      const email = uniqueEmail('layer-hash-refresh');
      await confirmedUser(email);
      const { tokens, username } = await signedIn(email);
      expect(username).toMatch(/^[0-9a-f-]{36}$/);
      const refresh = (AuthParameters: Record<string, string>) =>
        sdk.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: tokens?.RefreshToken ?? '', ...AuthParameters },
          }),
        );
      await expect(refresh({})).rejects.toEqual(refused(missing));
      await expect(refresh({ SECRET_HASH: secretHash(email) })).rejects.toEqual(refused(wrong));
      expect(
        (await refresh({ SECRET_HASH: secretHash(username) })).AuthenticationResult?.AccessToken,
      ).toEqual(expect.any(String));
    });
  });
});
