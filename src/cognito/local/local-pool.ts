import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  ResourceNotFoundException,
  UpdateUserPoolCommand,
  UserNotFoundException,
  type UserAttributeUpdateSettingsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_GROUP_NAME } from '../../common/admin-group';
import type { PasswordPolicy } from '../../config';

/** What the embedded mode remembers between starts, in `<dataDir>/state.json`. */
export interface LocalPoolState {
  userPoolId: string;
  clientId: string;
  clientSecret: string;
  port?: number;
  /** The port of the managed login's stand-in (./managed-login) at the last start. */
  managedLoginPort?: number;
  /** The port of the identity pool's stand-in (./identity-pool) at the last start. */
  identityPoolPort?: number;
  /** The port of the embedded DynamoDB (dynalite, ./dynalite-process) at the last start. */
  dynalitePort?: number;
}

export function stateFile(dataDir: string): string {
  return join(dataDir, 'state.json');
}

export function readLocalState(dataDir: string): LocalPoolState | undefined {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalPoolState>;
    if (state.userPoolId && state.clientId && state.clientSecret) return state as LocalPoolState;
  } catch {
    // A damaged state file is treated as absent: a new pool is created.
  }
  return undefined;
}

export function writeLocalState(dataDir: string, state: LocalPoolState): void {
  writeFileSync(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

async function existingPool(
  client: CognitoIdentityProviderClient,
  state: LocalPoolState | undefined,
): Promise<LocalPoolState | undefined> {
  if (!state) return undefined;
  try {
    const output = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: state.userPoolId, ClientId: state.clientId }),
    );
    const secret = output.UserPoolClient?.ClientSecret;
    return secret ? { ...state, clientSecret: secret } : undefined;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function ensureGroup(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  groupName: string,
): Promise<void> {
  // ListGroups rather than GetGroup: the emulator answers GetGroup for a missing group with a
  // generic 500 instead of ResourceNotFoundException.
  const { Groups = [] } = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId }));
  if (!Groups.some((group) => group.GroupName === groupName)) {
    await client.send(
      new CreateGroupCommand({
        UserPoolId: userPoolId,
        GroupName: groupName,
        Description: 'Administrators of this service',
      }),
    );
  }
}

/**
 * A new email becomes the account's only once verified: until the code sent to it is confirmed,
 * the old address stays in use (it signs in, and the new one does not) and nobody is kept from
 * signing up with the new one. Amazon Cognito's "keep original attribute value active when an
 * update is pending":
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-email-phone-verification.html#user-pool-settings-verifications-verify-attribute-updates
 */
const KEEP_ORIGINAL_EMAIL: UserAttributeUpdateSettingsType = {
  AttributesRequireVerificationBeforeUpdate: ['email'],
};

/** Gives a pool created before the setting existed here the keep-original-email setting. */
async function ensureKeepOriginalEmail(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<void> {
  const { UserPool: pool } = await client.send(
    new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
  );
  if (!pool) throw new Error(`The emulator did not describe the user pool ${userPoolId}`);
  const settings = pool.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate;
  if (settings?.includes('email')) return;
  // UpdateUserPool resets every setting it is not given: the pool's own are passed back.
  await client.send(
    new UpdateUserPoolCommand({
      UserPoolId: userPoolId,
      AccountRecoverySetting: pool.AccountRecoverySetting,
      AdminCreateUserConfig: pool.AdminCreateUserConfig,
      AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
      DeviceConfiguration: pool.DeviceConfiguration,
      EmailConfiguration: pool.EmailConfiguration,
      EmailVerificationMessage: pool.EmailVerificationMessage,
      EmailVerificationSubject: pool.EmailVerificationSubject,
      LambdaConfig: pool.LambdaConfig,
      MfaConfiguration: pool.MfaConfiguration,
      Policies: pool.Policies,
      SmsAuthenticationMessage: pool.SmsAuthenticationMessage,
      SmsConfiguration: pool.SmsConfiguration,
      SmsVerificationMessage: pool.SmsVerificationMessage,
      UserPoolAddOns: pool.UserPoolAddOns,
      UserPoolTags: pool.UserPoolTags,
      VerificationMessageTemplate: pool.VerificationMessageTemplate,
      UserAttributeUpdateSettings: KEEP_ORIGINAL_EMAIL,
    }),
  );
}

/**
 * Makes sure the embedded emulator has the pool this service expects and returns it: email as the
 * username, the configured password policy, email changes kept pending until verified, an app
 * client with a secret limited to USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH whose access and ID
 * tokens live one hour, and an `admin` group. A pool remembered from an earlier start is reused, with its users.
 */
export async function ensureLocalPool(
  client: CognitoIdentityProviderClient,
  dataDir: string,
  policy: PasswordPolicy,
): Promise<LocalPoolState> {
  const remembered = await existingPool(client, readLocalState(dataDir));
  if (remembered) {
    await ensureKeepOriginalEmail(client, remembered.userPoolId);
    await ensureGroup(client, remembered.userPoolId, ADMIN_GROUP_NAME);
    return remembered;
  }

  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: 'nest-cognito-local',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: KEEP_ORIGINAL_EMAIL,
      // Users may turn on an authenticator app (TOTP) for their own account.
      MfaConfiguration: 'OPTIONAL',
      Policies: {
        PasswordPolicy: {
          MinimumLength: policy.minimumLength,
          RequireUppercase: policy.requireUppercase,
          RequireLowercase: policy.requireLowercase,
          RequireNumbers: policy.requireNumbers,
          RequireSymbols: policy.requireSymbols,
        },
      },
    }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new Error('The emulator did not return a user pool id');

  const appClient = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'nest-cognito-api',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      // Amazon Cognito then answers unknown users like wrong passwords; set it on real pools too.
      PreventUserExistenceErrors: 'ENABLED',
      // Amazon Cognito's defaults, said explicitly: access and ID tokens of one hour, refresh
      // tokens of 30 days.
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 30,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    }),
  );
  const clientId = appClient.UserPoolClient?.ClientId;
  const clientSecret = appClient.UserPoolClient?.ClientSecret;
  if (!clientId || !clientSecret) throw new Error('The emulator did not return an app client');

  await ensureGroup(client, userPoolId, ADMIN_GROUP_NAME);
  return { userPoolId, clientId, clientSecret };
}

/** A password that meets any policy this service accepts: length 24, all four character kinds. */
function generatedPassword(): string {
  return `Aa1!${randomBytes(15).toString('base64url')}`;
}

export function adminPasswordFile(dataDir: string): string {
  return join(dataDir, 'admin-password');
}

/**
 * Creates the local administrator (COGNITO_LOCAL_ADMIN_EMAIL) if it does not exist: confirmed,
 * with a permanent password, in the admin group. Without COGNITO_LOCAL_ADMIN_PASSWORD the
 * password is generated and written to `<dataDir>/admin-password` (mode 0600), never logged.
 * Returns whether the account was created now.
 */
export async function ensureLocalAdmin(
  client: CognitoIdentityProviderClient,
  dataDir: string,
  userPoolId: string,
  email: string,
  password: string | undefined,
): Promise<boolean> {
  const existing = await client
    .send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))
    .catch((error: unknown) => {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    });
  if (!existing) {
    const finalPassword = password ?? generatedPassword();
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: finalPassword,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: email,
        Password: finalPassword,
        Permanent: true,
      }),
    );
    if (!password) writeFileSync(adminPasswordFile(dataDir), `${finalPassword}\n`, { mode: 0o600 });
  }
  await client.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: userPoolId,
      Username: email,
      GroupName: ADMIN_GROUP_NAME,
    }),
  );
  return !existing;
}
