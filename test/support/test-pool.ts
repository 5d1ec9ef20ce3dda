import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { findLocalCodes } from '../../src/cognito/local/local-codes';
import { computeSecretHash } from '../../src/cognito/secret-hash';
import { rememberSecret } from './suite-log';

/**
 * What the tests need from the user pool besides the API: the codes Cognito "emails". Against the
 * emulator they are read from its data file; against a real pool they cannot be read, so accounts
 * are confirmed with AdminConfirmSignUp (operator credentials) and the reset-code test is skipped.
 */
export class TestPool {
  readonly emulated = Boolean(process.env.E2E_EMULATOR_DATA_DIR);
  private admin?: CognitoIdentityProviderClient;

  private get poolId(): string {
    return process.env.COGNITO_USER_POOL_ID ?? '';
  }

  /** The pending confirmation or reset code of `email`, waiting up to `withinMs` for it to appear. */
  async code(email: string, withinMs = 1000, previous?: string): Promise<string> {
    const dataDir = process.env.E2E_EMULATOR_DATA_DIR;
    if (!dataDir) throw new Error('Codes can only be read from the emulator');
    const deadline = Date.now() + withinMs;
    for (;;) {
      const code = this.readCode(dataDir, email);
      if (code && code !== previous) {
        rememberSecret(code, 'code');
        return code;
      }
      if (Date.now() > deadline) throw new Error(`No code for ${email} within ${withinMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * The code in the emulator's data file now, or nothing while the emulator is rewriting it: some
   * codes (a password reset's, a resent one) are requested after the API has answered, so a poll
   * can meet the file half-written; the next poll reads it whole.
   */
  private readCode(dataDir: string, email: string): string | undefined {
    try {
      return findLocalCodes(dataDir, this.poolId, email)?.confirmationCode;
    } catch (error) {
      if (error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  /** Operator calls: the emulator takes any credentials; a real pool uses the SDK's usual chain. */
  private adminClient(): CognitoIdentityProviderClient {
    this.admin ??= this.emulated
      ? new CognitoIdentityProviderClient({
          region: 'us-east-1',
          endpoint: process.env.COGNITO_ENDPOINT,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        })
      : new CognitoIdentityProviderClient({ region: process.env.AWS_REGION });
    return this.admin;
  }

  /** Invites a user as an administrator would: Cognito then asks for a new password at login. */
  async adminInvite(email: string, temporaryPassword: string): Promise<void> {
    await this.adminClient().send(
      new AdminCreateUserCommand({
        UserPoolId: this.poolId,
        Username: email,
        TemporaryPassword: temporaryPassword,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
  }

  /** Confirms a new account on a real pool, where the emailed code cannot be read. */
  async adminConfirm(email: string): Promise<void> {
    await this.adminClient().send(
      new AdminConfirmSignUpCommand({ UserPoolId: this.poolId, Username: email }),
    );
  }

  /** Puts an account in a group, as an operator would (the next sign-in's tokens name it). */
  async adminAddToGroup(email: string, group: string): Promise<void> {
    await this.adminClient().send(
      new AdminAddUserToGroupCommand({
        UserPoolId: this.poolId,
        Username: email,
        GroupName: group,
      }),
    );
  }

  /** Disables an account, as an administrator would. */
  async adminDisable(email: string): Promise<void> {
    await this.adminClient().send(
      new AdminDisableUserCommand({ UserPoolId: this.poolId, Username: email }),
    );
  }

  /**
   * REFRESH_TOKEN_AUTH straight at Cognito, past the app and its own revocation list: whether
   * Cognito itself still honours the refresh token. `username` is the Cognito username.
   */
  async refreshAtCognito(refreshToken: string, username: string): Promise<void> {
    const clientId = process.env.COGNITO_CLIENT_ID ?? '';
    const secret = process.env.COGNITO_CLIENT_SECRET;
    await this.adminClient().send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: refreshToken,
          ...(secret ? { SECRET_HASH: computeSecretHash(username, clientId, secret) } : {}),
        },
      }),
    );
  }

  /** Removes a test account from a real pool; the emulator's pool is thrown away anyway. */
  async cleanUp(emails: string[]): Promise<void> {
    if (this.emulated) {
      this.admin?.destroy();
      return;
    }
    for (const email of emails) {
      await this.adminClient()
        .send(new AdminDeleteUserCommand({ UserPoolId: this.poolId, Username: email }))
        .catch(() => undefined);
    }
    this.admin?.destroy();
  }
}
