import {
  AssociateSoftwareTokenCommand,
  AuthFlowType,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DeleteUserCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
  type ChallengeNameType,
  type CodeDeliveryDetailsType,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable } from '@nestjs/common';
import { unverifiedClaims } from '../common/jwt/unverified-claims';
import { COGNITO_SDK_CLIENT } from './cognito.tokens';
import { RESOLVED_POOL, type ResolvedPool } from './cognito-connection';
import { toAttributeList, toAttributeMap } from './cognito-attributes';
import { sendMapped, toAppException, type CognitoOperation } from './cognito-errors';
import {
  CognitoIdentityPort,
  type AuthOutcome,
  type ChallengeAnswer,
  type CodeDelivery,
  type CognitoUser,
  type SignUpInput,
  type SignUpResult,
  type TotpAuthorisation,
} from './cognito-identity.port';
import { computeSecretHash } from './secret-hash';

function totpAuth(auth: TotpAuthorisation): { AccessToken?: string; Session?: string } {
  return 'accessToken' in auth ? { AccessToken: auth.accessToken } : { Session: auth.session };
}

/** Enrolling an authenticator is a login step with a session, a signed-in call with a token. */
function totpOperation(auth: TotpAuthorisation): CognitoOperation {
  return 'session' in auth ? 'signInStep' : 'authenticator';
}

function toCodeDelivery(details: CodeDeliveryDetailsType | undefined): CodeDelivery | undefined {
  if (!details) return undefined;
  return {
    destination: details.Destination,
    medium: details.DeliveryMedium,
    attribute: details.AttributeName,
  };
}

/**
 * cognito-local (the embedded emulator, or one at COGNITO_ENDPOINT) answers tokens without
 * ExpiresIn and TokenType, which Amazon Cognito always sends; the access token's own `exp` is
 * authoritative anyway (one hour, Cognito's default, when not even that can be read).
 */
function secondsUntilExpiry(accessToken: string): number {
  const exp = unverifiedClaims(accessToken)?.exp;
  return typeof exp === 'number' ? Math.max(0, exp - Math.floor(Date.now() / 1000)) : 3600;
}

function toAuthOutcome(
  output: Pick<
    InitiateAuthCommandOutput,
    'AuthenticationResult' | 'ChallengeName' | 'Session' | 'ChallengeParameters'
  >,
): AuthOutcome {
  const result = output.AuthenticationResult;
  if (result?.AccessToken && result.IdToken) {
    return {
      kind: 'tokens',
      tokens: {
        accessToken: result.AccessToken,
        idToken: result.IdToken,
        refreshToken: result.RefreshToken,
        expiresIn: result.ExpiresIn ?? secondsUntilExpiry(result.AccessToken),
        tokenType: result.TokenType ?? 'Bearer',
      },
    };
  }
  if (output.ChallengeName) {
    return {
      kind: 'challenge',
      challengeName: output.ChallengeName,
      session: output.Session,
      parameters: { ...(output.ChallengeParameters ?? {}) },
    };
  }
  throw toAppException(new Error('InitiateAuth returned neither tokens nor a challenge'));
}

/**
 * The SDK implementation of the port: Cognito calls and SECRET_HASH. Each call names its row of
 * OPERATION_OVERRIDES (cognito-errors.ts), which says how its failures answer.
 */
@Injectable()
export class CognitoIdentityAdapter extends CognitoIdentityPort {
  private readonly clientId: string;
  private readonly clientSecret?: string;

  constructor(
    @Inject(COGNITO_SDK_CLIENT) private readonly client: CognitoIdentityProviderClient,
    @Inject(RESOLVED_POOL) pool: ResolvedPool,
  ) {
    super();
    this.clientId = pool.connection.clientId;
    this.clientSecret = pool.clientSecret;
  }

  get requiresSecretHash(): boolean {
    return this.clientSecret !== undefined;
  }

  /** SECRET_HASH for `username`, or nothing when the app client has no secret. */
  private secretHash(username: string): string | undefined {
    return this.clientSecret === undefined
      ? undefined
      : computeSecretHash(username, this.clientId, this.clientSecret);
  }

  async signUp(input: SignUpInput): Promise<SignUpResult> {
    const output = await sendMapped(
      this.client,
      new SignUpCommand({
        ClientId: this.clientId,
        SecretHash: this.secretHash(input.email),
        Username: input.email,
        Password: input.password,
        UserAttributes: toAttributeList({ email: input.email, ...input.attributes }),
      }),
    );
    return {
      userSub: output.UserSub ?? '',
      userConfirmed: output.UserConfirmed ?? false,
      codeDelivery: toCodeDelivery(output.CodeDeliveryDetails),
    };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await sendMapped(
      this.client,
      new ConfirmSignUpCommand({
        ClientId: this.clientId,
        SecretHash: this.secretHash(email),
        Username: email,
        ConfirmationCode: code,
      }),
      'confirmSignUp',
    );
  }

  async resendConfirmationCode(email: string): Promise<CodeDelivery | undefined> {
    const output = await sendMapped(
      this.client,
      new ResendConfirmationCodeCommand({
        ClientId: this.clientId,
        SecretHash: this.secretHash(email),
        Username: email,
      }),
    );
    return toCodeDelivery(output.CodeDeliveryDetails);
  }

  async initiatePasswordAuth(email: string, password: string): Promise<AuthOutcome> {
    const secretHash = this.secretHash(email);
    const output = await sendMapped(
      this.client,
      new InitiateAuthCommand({
        ClientId: this.clientId,
        AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
        AuthParameters: {
          USERNAME: email,
          PASSWORD: password,
          ...(secretHash ? { SECRET_HASH: secretHash } : {}),
        },
      }),
      'signIn',
    );
    return toAuthOutcome(output);
  }

  async refreshTokens(refreshToken: string, username: string | undefined): Promise<AuthOutcome> {
    const secretHash = username === undefined ? undefined : this.secretHash(username);
    const output = await sendMapped(
      this.client,
      new InitiateAuthCommand({
        ClientId: this.clientId,
        AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
        AuthParameters: {
          REFRESH_TOKEN: refreshToken,
          ...(secretHash ? { SECRET_HASH: secretHash } : {}),
        },
      }),
      'refreshToken',
    );
    return toAuthOutcome(output);
  }

  async revokeRefreshToken(refreshToken: string): Promise<void> {
    await sendMapped(
      this.client,
      new RevokeTokenCommand({
        ClientId: this.clientId,
        ClientSecret: this.clientSecret,
        Token: refreshToken,
      }),
      'refreshToken',
    );
  }

  async globalSignOut(accessToken: string): Promise<void> {
    await sendMapped(
      this.client,
      new GlobalSignOutCommand({ AccessToken: accessToken }),
      'accessToken',
    );
  }

  async forgotPassword(email: string): Promise<CodeDelivery | undefined> {
    const output = await sendMapped(
      this.client,
      new ForgotPasswordCommand({
        ClientId: this.clientId,
        SecretHash: this.secretHash(email),
        Username: email,
      }),
    );
    return toCodeDelivery(output.CodeDeliveryDetails);
  }

  async confirmForgotPassword(email: string, code: string, newPassword: string): Promise<void> {
    await sendMapped(
      this.client,
      new ConfirmForgotPasswordCommand({
        ClientId: this.clientId,
        SecretHash: this.secretHash(email),
        Username: email,
        ConfirmationCode: code,
        Password: newPassword,
      }),
      'confirmForgotPassword',
    );
  }

  async changePassword(
    accessToken: string,
    previousPassword: string,
    proposedPassword: string,
  ): Promise<void> {
    await sendMapped(
      this.client,
      new ChangePasswordCommand({
        AccessToken: accessToken,
        PreviousPassword: previousPassword,
        ProposedPassword: proposedPassword,
      }),
      'changePassword',
    );
  }

  async getUser(accessToken: string): Promise<CognitoUser> {
    const output = await sendMapped(
      this.client,
      new GetUserCommand({ AccessToken: accessToken }),
      'accessToken',
    );
    return {
      username: output.Username ?? '',
      attributes: toAttributeMap(output.UserAttributes),
      preferredMfa: output.PreferredMfaSetting,
      mfaOptions: output.UserMFASettingList ?? [],
    };
  }

  async respondToChallenge(answer: ChallengeAnswer): Promise<AuthOutcome> {
    const secretHash = this.secretHash(answer.username);
    const output = await sendMapped(
      this.client,
      new RespondToAuthChallengeCommand({
        ClientId: this.clientId,
        ChallengeName: answer.challengeName as ChallengeNameType,
        Session: answer.session,
        ChallengeResponses: {
          ...answer.responses,
          USERNAME: answer.username,
          ...(secretHash ? { SECRET_HASH: secretHash } : {}),
        },
      }),
      'signInStep',
    );
    return toAuthOutcome(output);
  }

  async associateSoftwareToken(
    auth: TotpAuthorisation,
  ): Promise<{ secretCode: string; session?: string }> {
    const output = await sendMapped(
      this.client,
      new AssociateSoftwareTokenCommand(totpAuth(auth)),
      totpOperation(auth),
    );
    if (!output.SecretCode) throw toAppException(new Error('No secret in AssociateSoftwareToken'));
    return { secretCode: output.SecretCode, session: output.Session };
  }

  async verifySoftwareToken(
    auth: TotpAuthorisation,
    code: string,
    deviceName?: string,
  ): Promise<{ session?: string }> {
    const output = await sendMapped(
      this.client,
      new VerifySoftwareTokenCommand({
        ...totpAuth(auth),
        UserCode: code,
        FriendlyDeviceName: deviceName,
      }),
      totpOperation(auth),
    );
    if (output.Status !== 'SUCCESS') {
      throw toAppException(
        Object.assign(new Error('TOTP verification failed'), { name: 'CodeMismatchException' }),
      );
    }
    return { session: output.Session };
  }

  async setSoftwareTokenMfa(accessToken: string, enabled: boolean): Promise<void> {
    await sendMapped(
      this.client,
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
      }),
      'authenticator',
    );
  }

  async updateUserAttributes(
    accessToken: string,
    attributes: Record<string, string>,
  ): Promise<CodeDelivery[]> {
    const output = await sendMapped(
      this.client,
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: toAttributeList(attributes),
      }),
      'accessToken',
    );
    return (output.CodeDeliveryDetailsList ?? []).flatMap((d) => toCodeDelivery(d) ?? []);
  }

  async sendAttributeVerificationCode(
    accessToken: string,
    attribute: string,
  ): Promise<CodeDelivery | undefined> {
    const output = await sendMapped(
      this.client,
      new GetUserAttributeVerificationCodeCommand({
        AccessToken: accessToken,
        AttributeName: attribute,
      }),
      'accessToken',
    );
    return toCodeDelivery(output.CodeDeliveryDetails);
  }

  async verifyUserAttribute(accessToken: string, attribute: string, code: string): Promise<void> {
    await sendMapped(
      this.client,
      new VerifyUserAttributeCommand({
        AccessToken: accessToken,
        AttributeName: attribute,
        Code: code,
      }),
      'accessToken',
    );
  }

  async deleteUser(accessToken: string): Promise<void> {
    await sendMapped(
      this.client,
      new DeleteUserCommand({ AccessToken: accessToken }),
      'accessToken',
    );
  }
}
