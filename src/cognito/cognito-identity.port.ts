/** Where Cognito sent a code, as Cognito reports it (the destination is masked by the caller). */
export interface CodeDelivery {
  destination?: string;
  medium?: string;
  attribute?: string;
}

export interface SignUpInput {
  email: string;
  password: string;
  /** Standard attributes besides email, e.g. `name`. */
  attributes: Record<string, string>;
}

export interface SignUpResult {
  userSub: string;
  userConfirmed: boolean;
  codeDelivery?: CodeDelivery;
}

export interface IssuedTokens {
  accessToken: string;
  idToken: string;
  /** Absent on refresh unless the pool rotates refresh tokens. */
  refreshToken?: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** `Bearer`. */
  tokenType: string;
}

/** Cognito either signs the user in or asks for another step (MFA, a new password...). */
export type AuthOutcome =
  | { kind: 'tokens'; tokens: IssuedTokens }
  | {
      kind: 'challenge';
      challengeName: string;
      session?: string;
      parameters: Record<string, string>;
    };

/** How a TOTP call is authorised: a signed-in user's access token, or a login's MFA_SETUP session. */
export type TotpAuthorisation = { accessToken: string } | { session: string };

export interface ChallengeAnswer {
  challengeName: string;
  session: string;
  /** The name the user signed in with (the email); SECRET_HASH is computed from it. */
  username: string;
  /** Cognito's ChallengeResponses besides USERNAME and SECRET_HASH. */
  responses: Record<string, string>;
}

export interface CognitoUser {
  /** The Cognito username: with email sign-in, a UUID equal to `sub`. */
  username: string;
  attributes: Record<string, string>;
  preferredMfa?: string;
  mfaOptions: string[];
}

/**
 * Everything the application asks of a Cognito user pool. The SDK stays behind this port: services
 * depend on the abstract class (the injection token) and tests substitute it. Implementations
 * throw AppException with the mapped code, never an SDK error.
 */
export abstract class CognitoIdentityPort {
  abstract signUp(input: SignUpInput): Promise<SignUpResult>;
  abstract confirmSignUp(email: string, code: string): Promise<void>;
  abstract resendConfirmationCode(email: string): Promise<CodeDelivery | undefined>;
  abstract initiatePasswordAuth(email: string, password: string): Promise<AuthOutcome>;
  /**
   * REFRESH_TOKEN_AUTH. `username` is the Cognito username (the token's `username` claim), which
   * the SECRET_HASH must be computed from: the email the user typed would not match.
   */
  abstract refreshTokens(refreshToken: string, username: string | undefined): Promise<AuthOutcome>;
  abstract revokeRefreshToken(refreshToken: string): Promise<void>;
  abstract globalSignOut(accessToken: string): Promise<void>;
  abstract forgotPassword(email: string): Promise<CodeDelivery | undefined>;
  abstract confirmForgotPassword(email: string, code: string, newPassword: string): Promise<void>;
  abstract changePassword(
    accessToken: string,
    previousPassword: string,
    proposedPassword: string,
  ): Promise<void>;
  abstract getUser(accessToken: string): Promise<CognitoUser>;
  abstract respondToChallenge(answer: ChallengeAnswer): Promise<AuthOutcome>;
  /** Starts TOTP enrolment: the shared secret, and a new session when enrolling during login. */
  abstract associateSoftwareToken(
    auth: TotpAuthorisation,
  ): Promise<{ secretCode: string; session?: string }>;
  /** Proves the authenticator works; during login, returns the session for the MFA_SETUP answer. */
  abstract verifySoftwareToken(
    auth: TotpAuthorisation,
    code: string,
    deviceName?: string,
  ): Promise<{ session?: string }>;
  abstract setSoftwareTokenMfa(accessToken: string, enabled: boolean): Promise<void>;
  /** Changes attributes; a changed email or phone number gets a verification code. */
  abstract updateUserAttributes(
    accessToken: string,
    attributes: Record<string, string>,
  ): Promise<CodeDelivery[]>;
  abstract sendAttributeVerificationCode(
    accessToken: string,
    attribute: string,
  ): Promise<CodeDelivery | undefined>;
  abstract verifyUserAttribute(accessToken: string, attribute: string, code: string): Promise<void>;
  abstract deleteUser(accessToken: string): Promise<void>;
  /** Whether the app client has a secret, so callers know a username is needed to refresh. */
  abstract get requiresSecretHash(): boolean;
}
