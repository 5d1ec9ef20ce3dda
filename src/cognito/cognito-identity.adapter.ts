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
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code';
import { COGNITO_SDK_CLIENT } from './cognito.tokens';
import { RESOLVED_POOL, type ResolvedPool } from './cognito-connection';
import { toAttributeList, toAttributeMap } from './cognito-attributes';
import { toAppException, type MappedError, type Overrides } from './cognito-errors';
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

const INVALID_CREDENTIALS: MappedError = {
  status: HttpStatus.UNAUTHORIZED,
  code: ErrorCode.INVALID_CREDENTIALS,
  message: 'Incorrect email or password.',
};

/**
 * Login failures look the same whatever the cause, so an answer never tells whether an account
 * exists. Amazon Cognito says NotAuthorized for a wrong password; emulators may say
 * InvalidPassword or UserNotFound instead.
 */
const LOGIN_OVERRIDES: Overrides = {
  NotAuthorizedException: INVALID_CREDENTIALS,
  InvalidPasswordException: INVALID_CREDENTIALS,
  UserNotFoundException: INVALID_CREDENTIALS,
};

const INVALID_REFRESH_TOKEN: MappedError = {
  status: HttpStatus.UNAUTHORIZED,
  code: ErrorCode.INVALID_REFRESH_TOKEN,
  message: 'The refresh token is invalid, expired or revoked. Sign in again.',
};

const REFRESH_OVERRIDES: Overrides = {
  NotAuthorizedException: INVALID_REFRESH_TOKEN,
  UserNotFoundException: INVALID_REFRESH_TOKEN,
  UnsupportedTokenTypeException: INVALID_REFRESH_TOKEN,
};

const INVALID_ACCESS_TOKEN: MappedError = {
  status: HttpStatus.UNAUTHORIZED,
  code: ErrorCode.UNAUTHORIZED,
  message: 'The access token is invalid or has been revoked. Sign in again.',
};

const ACCESS_TOKEN_OVERRIDES: Overrides = {
  NotAuthorizedException: INVALID_ACCESS_TOKEN,
  UserNotFoundException: INVALID_ACCESS_TOKEN,
};

/** A code sent for an unknown account must look like a wrong code, not like "no such user". */
const CONFIRM_FORGOT_PASSWORD_OVERRIDES: Overrides = {
  UserNotFoundException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.CODE_MISMATCH,
    message: 'The code is incorrect.',
  },
};

/**
 * One answer for a wrong code, an expired one, an account confirmed already and no account at
 * all: Cognito tells them apart (NotAuthorized for a confirmed account, CodeMismatch or
 * ExpiredCode for an unknown one with PreventUserExistenceErrors; the emulator answers an unknown
 * one with NotAuthorized and a confirmed one with ExpiredCode), which would tell anyone which
 * emails have accounts and which are confirmed. The message says what a real user may need.
 */
const CODE_NOT_ACCEPTED: MappedError = {
  status: HttpStatus.BAD_REQUEST,
  code: ErrorCode.CODE_MISMATCH,
  message:
    'The code is incorrect or has expired. Request a new one, or sign in if the account is confirmed already.',
};
const CONFIRM_SIGN_UP_OVERRIDES: Overrides = {
  NotAuthorizedException: CODE_NOT_ACCEPTED,
  UserNotFoundException: CODE_NOT_ACCEPTED,
  CodeMismatchException: CODE_NOT_ACCEPTED,
  ExpiredCodeException: CODE_NOT_ACCEPTED,
};

/**
 * Amazon Cognito answers a wrong current password with NotAuthorized; the emulator with
 * InvalidPassword. The new password has already passed the local policy check, so an
 * InvalidPassword here means a wrong current password or a reused one.
 */
const CHANGE_PASSWORD_OVERRIDES: Overrides = {
  ...ACCESS_TOKEN_OVERRIDES,
  NotAuthorizedException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.INCORRECT_PASSWORD,
    message: 'The current password is incorrect.',
  },
  InvalidPasswordException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.PASSWORD_CHANGE_REJECTED,
    message:
      'The password change was refused: check the current password, and do not reuse a recent one.',
  },
};

const MISCONFIGURED: MappedError = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  code: ErrorCode.INTERNAL_ERROR,
  message: 'Something went wrong on our side. Try again later.',
};

/** Cognito's answer when the SECRET_HASH does not match: the app client secret is wrong. */
function isSecretHashRejection(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'NotAuthorizedException' &&
    /secret hash/i.test(error.message)
  );
}

/** A login step's session is short-lived (3 minutes) and single-use. */
const CHALLENGE_OVERRIDES: Overrides = {
  NotAuthorizedException: {
    status: HttpStatus.UNAUTHORIZED,
    code: ErrorCode.INVALID_SESSION,
    message: 'The sign-in session is invalid or has expired. Sign in again.',
  },
  ExpiredCodeException: {
    status: HttpStatus.UNAUTHORIZED,
    code: ErrorCode.INVALID_SESSION,
    message: 'The sign-in session is invalid or has expired. Sign in again.',
  },
  EnableSoftwareTokenMFAException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.CODE_MISMATCH,
    message: 'The code is incorrect.',
  },
};

/** A wrong TOTP code while enrolling is a wrong code, not a server problem. */
const TOTP_OVERRIDES: Overrides = {
  ...ACCESS_TOKEN_OVERRIDES,
  EnableSoftwareTokenMFAException: CHALLENGE_OVERRIDES.EnableSoftwareTokenMFAException,
};

function totpAuth(auth: TotpAuthorisation): { AccessToken?: string; Session?: string } {
  return 'accessToken' in auth ? { AccessToken: auth.accessToken } : { Session: auth.session };
}

function toCodeDelivery(details: CodeDeliveryDetailsType | undefined): CodeDelivery | undefined {
  if (!details) return undefined;
  return {
    destination: details.Destination,
    medium: details.DeliveryMedium,
    attribute: details.AttributeName,
  };
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
        expiresIn: result.ExpiresIn,
        tokenType: result.TokenType,
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

/** The SDK implementation of the port: Cognito calls, SECRET_HASH, and error mapping. */
@Injectable()
export class CognitoIdentityAdapter extends CognitoIdentityPort {
  private readonly logger = new Logger('CognitoIdentityAdapter');
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

  private async call<T>(send: () => Promise<T>, overrides?: Overrides): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (isSecretHashRejection(error)) {
        // A wrong COGNITO_CLIENT_SECRET would otherwise look like a wrong password to every user.
        this.logger.error('Cognito rejected the SECRET_HASH: check COGNITO_CLIENT_SECRET');
        throw toAppException(error, { NotAuthorizedException: MISCONFIGURED });
      }
      throw toAppException(error, overrides);
    }
  }

  async signUp(input: SignUpInput): Promise<SignUpResult> {
    const output = await this.call(() =>
      this.client.send(
        new SignUpCommand({
          ClientId: this.clientId,
          SecretHash: this.secretHash(input.email),
          Username: input.email,
          Password: input.password,
          UserAttributes: toAttributeList({ email: input.email, ...input.attributes }),
        }),
      ),
    );
    return {
      userSub: output.UserSub ?? '',
      userConfirmed: output.UserConfirmed ?? false,
      codeDelivery: toCodeDelivery(output.CodeDeliveryDetails),
    };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await this.call(
      () =>
        this.client.send(
          new ConfirmSignUpCommand({
            ClientId: this.clientId,
            SecretHash: this.secretHash(email),
            Username: email,
            ConfirmationCode: code,
          }),
        ),
      CONFIRM_SIGN_UP_OVERRIDES,
    );
  }

  async resendConfirmationCode(email: string): Promise<CodeDelivery | undefined> {
    const output = await this.call(() =>
      this.client.send(
        new ResendConfirmationCodeCommand({
          ClientId: this.clientId,
          SecretHash: this.secretHash(email),
          Username: email,
        }),
      ),
    );
    return toCodeDelivery(output.CodeDeliveryDetails);
  }

  async initiatePasswordAuth(email: string, password: string): Promise<AuthOutcome> {
    const secretHash = this.secretHash(email);
    const output = await this.call(
      () =>
        this.client.send(
          new InitiateAuthCommand({
            ClientId: this.clientId,
            AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
            AuthParameters: {
              USERNAME: email,
              PASSWORD: password,
              ...(secretHash ? { SECRET_HASH: secretHash } : {}),
            },
          }),
        ),
      LOGIN_OVERRIDES,
    );
    return toAuthOutcome(output);
  }

  async refreshTokens(refreshToken: string, username: string | undefined): Promise<AuthOutcome> {
    const secretHash = username === undefined ? undefined : this.secretHash(username);
    const output = await this.call(
      () =>
        this.client.send(
          new InitiateAuthCommand({
            ClientId: this.clientId,
            AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
            AuthParameters: {
              REFRESH_TOKEN: refreshToken,
              ...(secretHash ? { SECRET_HASH: secretHash } : {}),
            },
          }),
        ),
      REFRESH_OVERRIDES,
    );
    return toAuthOutcome(output);
  }

  async revokeRefreshToken(refreshToken: string): Promise<void> {
    await this.call(
      () =>
        this.client.send(
          new RevokeTokenCommand({
            ClientId: this.clientId,
            ClientSecret: this.clientSecret,
            Token: refreshToken,
          }),
        ),
      REFRESH_OVERRIDES,
    );
  }

  async globalSignOut(accessToken: string): Promise<void> {
    await this.call(
      () => this.client.send(new GlobalSignOutCommand({ AccessToken: accessToken })),
      ACCESS_TOKEN_OVERRIDES,
    );
  }

  async forgotPassword(email: string): Promise<CodeDelivery | undefined> {
    const output = await this.call(() =>
      this.client.send(
        new ForgotPasswordCommand({
          ClientId: this.clientId,
          SecretHash: this.secretHash(email),
          Username: email,
        }),
      ),
    );
    return toCodeDelivery(output.CodeDeliveryDetails);
  }

  async confirmForgotPassword(email: string, code: string, newPassword: string): Promise<void> {
    await this.call(
      () =>
        this.client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: this.clientId,
            SecretHash: this.secretHash(email),
            Username: email,
            ConfirmationCode: code,
            Password: newPassword,
          }),
        ),
      CONFIRM_FORGOT_PASSWORD_OVERRIDES,
    );
  }

  async changePassword(
    accessToken: string,
    previousPassword: string,
    proposedPassword: string,
  ): Promise<void> {
    await this.call(
      () =>
        this.client.send(
          new ChangePasswordCommand({
            AccessToken: accessToken,
            PreviousPassword: previousPassword,
            ProposedPassword: proposedPassword,
          }),
        ),
      CHANGE_PASSWORD_OVERRIDES,
    );
  }

  async getUser(accessToken: string): Promise<CognitoUser> {
    const output = await this.call(
      () => this.client.send(new GetUserCommand({ AccessToken: accessToken })),
      ACCESS_TOKEN_OVERRIDES,
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
    const output = await this.call(
      () =>
        this.client.send(
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
        ),
      CHALLENGE_OVERRIDES,
    );
    return toAuthOutcome(output);
  }

  async associateSoftwareToken(
    auth: TotpAuthorisation,
  ): Promise<{ secretCode: string; session?: string }> {
    const output = await this.call(
      () => this.client.send(new AssociateSoftwareTokenCommand(totpAuth(auth))),
      'session' in auth ? CHALLENGE_OVERRIDES : TOTP_OVERRIDES,
    );
    if (!output.SecretCode) throw toAppException(new Error('No secret in AssociateSoftwareToken'));
    return { secretCode: output.SecretCode, session: output.Session };
  }

  async verifySoftwareToken(
    auth: TotpAuthorisation,
    code: string,
    deviceName?: string,
  ): Promise<{ session?: string }> {
    const output = await this.call(
      () =>
        this.client.send(
          new VerifySoftwareTokenCommand({
            ...totpAuth(auth),
            UserCode: code,
            FriendlyDeviceName: deviceName,
          }),
        ),
      'session' in auth ? CHALLENGE_OVERRIDES : TOTP_OVERRIDES,
    );
    if (output.Status !== 'SUCCESS') {
      throw toAppException(
        Object.assign(new Error('TOTP verification failed'), { name: 'CodeMismatchException' }),
      );
    }
    return { session: output.Session };
  }

  async setSoftwareTokenMfa(accessToken: string, enabled: boolean): Promise<void> {
    await this.call(
      () =>
        this.client.send(
          new SetUserMFAPreferenceCommand({
            AccessToken: accessToken,
            SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
          }),
        ),
      TOTP_OVERRIDES,
    );
  }

  async updateUserAttributes(
    accessToken: string,
    attributes: Record<string, string>,
  ): Promise<CodeDelivery[]> {
    const output = await this.call(
      () =>
        this.client.send(
          new UpdateUserAttributesCommand({
            AccessToken: accessToken,
            UserAttributes: toAttributeList(attributes),
          }),
        ),
      ACCESS_TOKEN_OVERRIDES,
    );
    return (output.CodeDeliveryDetailsList ?? []).flatMap((d) => toCodeDelivery(d) ?? []);
  }

  async sendAttributeVerificationCode(
    accessToken: string,
    attribute: string,
  ): Promise<CodeDelivery | undefined> {
    const output = await this.call(
      () =>
        this.client.send(
          new GetUserAttributeVerificationCodeCommand({
            AccessToken: accessToken,
            AttributeName: attribute,
          }),
        ),
      ACCESS_TOKEN_OVERRIDES,
    );
    return toCodeDelivery(output.CodeDeliveryDetails);
  }

  async verifyUserAttribute(accessToken: string, attribute: string, code: string): Promise<void> {
    await this.call(
      () =>
        this.client.send(
          new VerifyUserAttributeCommand({
            AccessToken: accessToken,
            AttributeName: attribute,
            Code: code,
          }),
        ),
      ACCESS_TOKEN_OVERRIDES,
    );
  }

  async deleteUser(accessToken: string): Promise<void> {
    await this.call(
      () => this.client.send(new DeleteUserCommand({ AccessToken: accessToken })),
      ACCESS_TOKEN_OVERRIDES,
    );
  }
}
