import { unverifiedClaims } from '../../../common/jwt/unverified-claims';
import { computeSecretHash } from '../../secret-hash';

/** The tokens of one sign-in (no refresh token when a refresh issued them, as Cognito). */
export interface LoginTokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  /** Seconds the access token has left. */
  expiresIn: number;
}

/** A sign-in step that asks for a code (authenticator app, email or SMS). */
export interface CodeStep {
  name: 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP' | 'SMS_MFA';
  session: string;
  /** The Cognito username the step names (USER_ID_FOR_SRP). */
  username: string;
}

/** How a password sign-in (or its code step) ended. */
export type PasswordOutcome =
  | { kind: 'signed-in'; tokens: LoginTokens }
  | { kind: 'code'; step: CodeStep }
  /** Refused: `message` is for the person at the page (Cognito's words). */
  | { kind: 'refused'; message: string };

/** The identity a provider asserts: the provider's name, the subject there, an email. */
export interface ProviderIdentity {
  providerName: string;
  providerUserId: string;
  email: string;
}

/** What the authorization request asks of the tokens: the ID token's nonce, the access token's scopes. */
export interface TokenRequest {
  nonce?: string;
  scope?: string;
}

/** Thrown when the pool refuses a federated sign-in (a disabled user): `message` is Cognito's. */
export class SignInRefused extends Error {}

/**
 * What the managed login stand-in needs from the user pool. The stand-in's routes depend on this
 * only, so their specs run without an emulator.
 */
export interface LoginBackend {
  federatedSignIn(identity: ProviderIdentity, request: TokenRequest): Promise<LoginTokens>;
  passwordSignIn(email: string, password: string, request: TokenRequest): Promise<PasswordOutcome>;
  answerCode(step: CodeStep, code: string, request: TokenRequest): Promise<PasswordOutcome>;
  /** New access and ID tokens, or undefined for a refresh token the pool refuses. */
  refresh(refreshToken: string): Promise<LoginTokens | undefined>;
  /**
   * The user's attributes (and username), or undefined for an access token the pool refuses or
   * that lacks the `openid` scope.
   */
  userInfo(accessToken: string): Promise<Record<string, string> | undefined>;
  revoke(refreshToken: string): Promise<void>;
}

/** Where the embedded pool is, and its app client. */
export interface EmulatorPool {
  endpoint: string;
  userPoolId: string;
  clientId: string;
  clientSecret: string;
}

/** An error answer of the emulator: Cognito's exception name and message. */
class EmulatorError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const CODE_STEPS = new Set(['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP', 'SMS_MFA']);
/** The ChallengeResponses key each code step is answered with. */
const CODE_ANSWER: Readonly<Record<CodeStep['name'], string>> = {
  SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE',
  EMAIL_OTP: 'EMAIL_OTP_CODE',
  SMS_MFA: 'SMS_MFA_CODE',
};

const INCORRECT = 'Incorrect username or password.';

interface AuthenticationResult {
  AccessToken?: string;
  IdToken?: string;
  RefreshToken?: string;
}

interface AuthAnswer {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

function tokensOf(result: AuthenticationResult | undefined): LoginTokens {
  if (!result?.AccessToken || !result.IdToken) {
    throw new Error('The emulator answered a sign-in without tokens');
  }
  const exp = unverifiedClaims(result.AccessToken)?.exp;
  const expiresIn =
    typeof exp === 'number' ? Math.max(0, exp - Math.floor(Date.now() / 1000)) : 3600;
  return {
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken,
    expiresIn,
  };
}

/**
 * The stand-in's backend: the embedded emulator, called over its endpoint with the operations
 * Amazon Cognito has plus the layer's private ones (LocalFederatedSignIn,
 * LocalManagedLoginInitiateAuth, LocalManagedLoginRespondToAuthChallenge, LocalUserInfo: see
 * ../emulator-layer/managed-login.layer.ts), which the AWS SDK has no commands for.
 */
export class EmulatorLoginBackend implements LoginBackend {
  constructor(private readonly pool: EmulatorPool) {}

  private secretHash(username: string): string {
    return computeSecretHash(username, this.pool.clientId, this.pool.clientSecret);
  }

  private async call<T>(target: string, body: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.pool.endpoint}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      throw new EmulatorError(
        typeof answer.__type === 'string' ? answer.__type : `HTTP ${response.status}`,
        typeof answer.message === 'string' ? answer.message : '',
      );
    }
    return answer as T;
  }

  async federatedSignIn(identity: ProviderIdentity, request: TokenRequest): Promise<LoginTokens> {
    try {
      const answer = await this.call<AuthAnswer>('LocalFederatedSignIn', {
        UserPoolId: this.pool.userPoolId,
        ClientId: this.pool.clientId,
        ProviderName: identity.providerName,
        ProviderUserId: identity.providerUserId,
        Email: identity.email,
        Nonce: request.nonce,
        Scope: request.scope,
      });
      return tokensOf(answer.AuthenticationResult);
    } catch (error) {
      if (error instanceof EmulatorError && error.type === 'NotAuthorizedException') {
        throw new SignInRefused(error.message || 'Not authorized.');
      }
      throw error;
    }
  }

  private outcome(answer: AuthAnswer): PasswordOutcome {
    if (answer.AuthenticationResult) {
      return { kind: 'signed-in', tokens: tokensOf(answer.AuthenticationResult) };
    }
    const name = answer.ChallengeName ?? '';
    if (CODE_STEPS.has(name) && answer.Session) {
      return {
        kind: 'code',
        step: {
          name: name as CodeStep['name'],
          session: answer.Session,
          username: answer.ChallengeParameters?.USER_ID_FOR_SRP ?? '',
        },
      };
    }
    return {
      kind: 'refused',
      message:
        `This account has a sign-in step (${name || 'unknown'}) that this page does not offer: ` +
        "finish it through the API's POST /auth/login, then sign in here again.",
    };
  }

  /** Cognito's refusals, in the words its managed login shows. */
  private refusal(error: unknown, fallback: string): PasswordOutcome {
    if (!(error instanceof EmulatorError)) throw error;
    switch (error.type) {
      case 'NotAuthorizedException':
        return {
          kind: 'refused',
          message: error.message === 'User is disabled.' ? error.message : fallback,
        };
      case 'InvalidPasswordException':
      case 'UserNotFoundException':
      case 'CodeMismatchException':
      case 'ExpiredCodeException':
        return { kind: 'refused', message: fallback };
      case 'UserNotConfirmedException':
        return { kind: 'refused', message: 'User is not confirmed.' };
      case 'PasswordResetRequiredException':
        return { kind: 'refused', message: 'Password reset required for the user.' };
      default:
        throw error;
    }
  }

  async passwordSignIn(
    email: string,
    password: string,
    request: TokenRequest,
  ): Promise<PasswordOutcome> {
    try {
      return this.outcome(
        await this.call<AuthAnswer>('LocalManagedLoginInitiateAuth', {
          ClientId: this.pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: {
            USERNAME: email,
            PASSWORD: password,
            SECRET_HASH: this.secretHash(email),
          },
          Nonce: request.nonce,
          Scope: request.scope,
        }),
      );
    } catch (error) {
      return this.refusal(error, INCORRECT);
    }
  }

  async answerCode(step: CodeStep, code: string, request: TokenRequest): Promise<PasswordOutcome> {
    try {
      return this.outcome(
        await this.call<AuthAnswer>('LocalManagedLoginRespondToAuthChallenge', {
          ClientId: this.pool.clientId,
          ChallengeName: step.name,
          Session: step.session,
          ChallengeResponses: {
            USERNAME: step.username,
            [CODE_ANSWER[step.name]]: code,
            SECRET_HASH: this.secretHash(step.username),
          },
          Nonce: request.nonce,
          Scope: request.scope,
        }),
      );
    } catch (error) {
      return this.refusal(error, 'Incorrect code: sign in again.');
    }
  }

  async refresh(refreshToken: string): Promise<LoginTokens | undefined> {
    // The emulator's refresh tokens are readable (Cognito's are not): they name their user, whose
    // Cognito username the SECRET_HASH is made from.
    const username = unverifiedClaims(refreshToken)?.['cognito:username'];
    if (typeof username !== 'string') return undefined;
    try {
      const answer = await this.call<AuthAnswer>('InitiateAuth', {
        ClientId: this.pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: this.secretHash(username) },
      });
      const tokens = tokensOf(answer.AuthenticationResult);
      return { ...tokens, refreshToken: undefined };
    } catch (error) {
      if (error instanceof EmulatorError && error.type === 'NotAuthorizedException') {
        return undefined;
      }
      throw error;
    }
  }

  async userInfo(accessToken: string): Promise<Record<string, string> | undefined> {
    try {
      const answer = await this.call<{
        Username?: string;
        UserAttributes?: { Name?: string; Value?: string }[];
      }>('LocalUserInfo', { AccessToken: accessToken });
      const info: Record<string, string> = {};
      for (const { Name, Value } of answer.UserAttributes ?? []) {
        if (Name && Value !== undefined) info[Name] = Value;
      }
      info.username = answer.Username ?? '';
      return info;
    } catch (error) {
      if (
        error instanceof EmulatorError &&
        (error.type === 'NotAuthorizedException' || error.type === 'UserNotFoundException')
      ) {
        return undefined;
      }
      throw error;
    }
  }

  async revoke(refreshToken: string): Promise<void> {
    await this.call('RevokeToken', {
      Token: refreshToken,
      ClientId: this.pool.clientId,
      ClientSecret: this.pool.clientSecret,
    }).catch((error: unknown) => {
      // RFC 7009: an invalid token is answered like a revoked one.
      if (!(error instanceof EmulatorError)) throw error;
    });
  }
}
