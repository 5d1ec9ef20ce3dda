import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { unverifiedClaims, usernameOfToken } from '../common/jwt/unverified-claims';
import { tolerate } from '../common/errors/tolerate';
import { AfterReply } from '../common/tasks/after-reply';
import { CognitoIdentityPort, type AuthOutcome } from '../cognito/cognito-identity.port';
import { authConfig } from '../config';
import {
  AccessTokenVerifier,
  type AuthUser,
  InvalidAccessTokenError,
  PasswordFailures,
  RevocationService,
  SessionTermination,
  type SessionTokens,
  toAuthUser,
} from '../guard';
import { allowedAttributes, SELF_WRITABLE_ATTRIBUTES } from '../common/user/attributes';
import {
  isChallengeStep,
  type ChallengeAnswerDto,
  type ChangePasswordDto,
  type ConfirmForgotPasswordDto,
  type ConfirmSignUpDto,
  type LoginDto,
  type SignUpDto,
} from './dto/requests.dto';
import type { ChallengeResponseDto, MeResponseDto, SignUpResponseDto } from './dto/responses.dto';
import { maskDelivery, maskDestination } from '../common/user/mask';
import { toProfile } from '../common/user/profile';
import { assertPasswordPolicy } from '../common/validation/password-policy';
import { otpauthUri, qrCodeDataUrl } from '../common/user/totp';
import { ChallengeSessions, invalidSession } from './challenge/challenge-sessions';

/** What a logout did; it never throws for Cognito's half. */
export interface LogoutResult {
  /** The user of a still-valid access token, for the security log. */
  user?: AuthUser;
  /** The error codes of what Cognito could not do; this service's half is done all the same. */
  upstreamFailures: ErrorCode[];
}

export type LoginResult =
  | { kind: 'tokens'; tokens: SessionTokens }
  | { kind: 'challenge'; challenge: ChallengeResponseDto };

/** One answer for known and unknown accounts alike, so it reveals nothing about either. */
export const CODE_SENT_MESSAGE = 'If an account exists for this email, a code has been sent to it.';

/** Failures that would tell an unknown or ineligible account apart from a known one. */
const SILENT_CODES: ErrorCode[] = [
  ErrorCode.USER_NOT_FOUND,
  ErrorCode.INVALID_PARAMETER,
  ErrorCode.USER_NOT_CONFIRMED,
  ErrorCode.ALREADY_CONFIRMED,
];

/**
 * The authentication flows. It validates what Cognito might not (the password policy), calls the
 * Cognito port, and shapes the answers; it never sees the SDK or the client secret.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('AuthService');

  constructor(
    private readonly cognito: CognitoIdentityPort,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: RevocationService,
    private readonly sessions: SessionTermination,
    private readonly challenges: ChallengeSessions,
    private readonly passwords: PasswordFailures,
    private readonly afterReply: AfterReply,
  ) {}

  async signUp(dto: SignUpDto): Promise<SignUpResponseDto> {
    assertPasswordPolicy(dto.password, this.config.passwordPolicy);
    const result = await this.cognito.signUp({
      email: dto.email,
      password: dto.password,
      attributes: dto.name ? { name: dto.name } : {},
    });
    return {
      userSub: result.userSub,
      userConfirmed: result.userConfirmed,
      codeDelivery: result.codeDelivery && maskDelivery(result.codeDelivery),
    };
  }

  async confirmSignUp(dto: ConfirmSignUpDto): Promise<void> {
    await this.cognito.confirmSignUp(dto.email, dto.code);
  }

  /** Answers at once, like forgot-password (see there). */
  resendConfirmationCode(email: string): string {
    this.afterReply.run('Resending a confirmation code', () =>
      tolerate(SILENT_CODES, () => this.cognito.resendConfirmationCode(email)),
    );
    return CODE_SENT_MESSAGE;
  }

  /** Signs in; a wrong password counts against the account's budget (`address`: the client's). */
  async login(dto: LoginDto, address?: string): Promise<LoginResult> {
    const outcome = await this.passwords.attempt(dto.email, address, () =>
      this.cognito.initiatePasswordAuth(dto.email, dto.password),
    );
    return this.toLoginResult(outcome, dto.email);
  }

  /**
   * Answers the step a login asked for; the answer is tokens or the next step. The session must
   * be one this service issued for this email and this step, checked before anything else: the
   * app does not rely on the endpoint for it (a cognito-local at COGNITO_ENDPOINT checks no
   * session, so without this anyone could answer any user's step there).
   */
  async answerChallenge(dto: ChallengeAnswerDto): Promise<LoginResult> {
    const opened = this.challenges.open(dto.session, dto.email, dto.nextStep);
    // Answered on another instance, or before a restart: refused like a replay here.
    if (this.revocations.isChallengeAnswered(opened.id)) throw invalidSession();
    const responses = this.challengeResponses(dto);
    const outcome = await this.challenges.answer(opened, async (session) => {
      if (dto.nextStep === 'MFA_SETUP') {
        // The authenticator proves itself first; Cognito then accepts the MFA_SETUP answer with
        // the session that verification returned.
        const verified = await this.cognito.verifySoftwareToken(
          { session },
          responses.code,
          dto.deviceName,
        );
        return this.respond(dto, verified.session ?? session, {});
      }
      return this.respond(dto, session, responses);
    });
    await this.revocations.challengeAnswered(opened.id, opened.expiresAt);
    return this.toLoginResult(outcome, dto.email);
  }

  private respond(
    dto: ChallengeAnswerDto,
    session: string,
    responses: Record<string, string>,
  ): Promise<AuthOutcome> {
    return this.cognito.respondToChallenge({
      challengeName: dto.nextStep,
      session,
      username: dto.email,
      responses,
    });
  }

  /** Cognito's ChallengeResponses for the step (MFA_SETUP: the `code` to verify first). */
  private challengeResponses(dto: ChallengeAnswerDto): Record<string, string> {
    switch (dto.nextStep) {
      case 'NEW_PASSWORD_REQUIRED': {
        const newPassword = required(dto.newPassword, 'newPassword', dto.nextStep);
        assertPasswordPolicy(newPassword, this.config.passwordPolicy);
        const attributes = allowedAttributes(dto.attributes ?? {}, SELF_WRITABLE_ATTRIBUTES);
        return {
          NEW_PASSWORD: newPassword,
          ...Object.fromEntries(
            Object.entries(attributes).map(([name, value]) => [`userAttributes.${name}`, value]),
          ),
        };
      }
      case 'SOFTWARE_TOKEN_MFA':
        return { SOFTWARE_TOKEN_MFA_CODE: required(dto.code, 'code', dto.nextStep) };
      case 'SMS_MFA':
        return { SMS_MFA_CODE: required(dto.code, 'code', dto.nextStep) };
      case 'EMAIL_OTP':
        return { EMAIL_OTP_CODE: required(dto.code, 'code', dto.nextStep) };
      case 'SELECT_MFA_TYPE':
        return { ANSWER: required(dto.mfaType, 'mfaType', dto.nextStep) };
      case 'MFA_SETUP':
        return { code: required(dto.code, 'code', dto.nextStep) };
    }
  }

  /**
   * REFRESH_TOKEN_AUTH. With a client secret Cognito checks a SECRET_HASH made from the Cognito
   * username; `usernameHint` is that username (from the body, the cookie or the old access token).
   */
  async refresh(refreshToken: string, usernameHint: string | undefined): Promise<LoginResult> {
    if (this.revocations.isRefreshTokenRevoked(refreshToken)) throw invalidRefreshToken();
    if (this.cognito.requiresSecretHash && !usernameHint) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.USERNAME_REQUIRED,
        'Send the username claim of your access token with the refresh token.',
      );
    }
    const result = await this.toLoginResult(
      await this.cognito.refreshTokens(refreshToken, usernameHint),
    );
    if (result.kind === 'tokens') {
      result.tokens.username ??= usernameHint;
      // Cognito does not know of the sessions this service ended (a removal from a group, a
      // logout whose revocation it missed) and answers new tokens for them; those keep the
      // sign-in's `origin_jti` and `auth_time`, by which the session was revoked or cut off.
      const claims = unverifiedClaims(result.tokens.accessToken);
      if (claims && this.revocations.isRevoked(toAuthUser(claims))) {
        throw invalidRefreshToken();
      }
    }
    return result;
  }

  /**
   * Ends the session. This service's half always happens: the access token is refused by the
   * guard at once, on every instance (Cognito itself would accept it until it expires). Cognito's
   * half is tried for every refresh token given (the cookie's and the body's: a stray one never
   * spares the other) and, with a valid access token, a global sign-out. When Cognito cannot do
   * its half (down, timing out, token revocation turned off), each refresh token is refused here
   * instead until it would expire, and the failure is reported rather than thrown, so the browser
   * session still ends. Logging out twice, or with an expired access token, is not an error.
   */
  async logout(
    refreshTokens: readonly string[],
    accessToken: string | undefined,
  ): Promise<LogoutResult> {
    const upstreamFailures: ErrorCode[] = [];
    const attempt = async (call: () => Promise<unknown>): Promise<boolean> => {
      try {
        await call();
        return true;
      } catch (error) {
        upstreamFailures.push(
          error instanceof AppException ? error.code : ErrorCode.INTERNAL_ERROR,
        );
        return false;
      }
    };
    let user: AuthUser | undefined;
    if (accessToken) {
      await attempt(async () => {
        user = await this.verifiedOrNothing(accessToken);
      });
    }
    if (user) await this.revocations.revoke(user);
    for (const refreshToken of new Set(refreshTokens)) {
      const revoked = await attempt(() =>
        tolerate([ErrorCode.INVALID_REFRESH_TOKEN], () =>
          this.cognito.revokeRefreshToken(refreshToken),
        ),
      );
      if (!revoked) await this.revocations.revokeRefreshToken(refreshToken);
    }
    if (accessToken && user) await attempt(() => this.sessions.signOutAtCognito(accessToken));
    return { user, upstreamFailures };
  }

  private async verifiedOrNothing(accessToken: string): Promise<AuthUser | undefined> {
    try {
      return await this.verifier.verify(accessToken);
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) return undefined;
      throw error;
    }
  }

  /**
   * Answers at once, the same for every email, and asks Cognito for the code only after the
   * answer is sent: Cognito takes longer for an account that exists (it makes and sends a code)
   * than for one that does not, and an answer that waited for it would tell them apart by its
   * timing. Padding every answer to a fixed time would not: any call slower than the pad, or
   * retried, would show through. The price is that a client is not told of an outage here; the
   * failure is logged.
   */
  forgotPassword(email: string): string {
    this.afterReply.run('Requesting a password reset code', () =>
      tolerate(SILENT_CODES, () => this.cognito.forgotPassword(email)),
    );
    return CODE_SENT_MESSAGE;
  }

  /**
   * Sets the new password, then ends every session of the account: whoever knew the old password
   * is signed out everywhere. Answers the account's `sub` (for the security log).
   */
  async confirmForgotPassword(dto: ConfirmForgotPasswordDto): Promise<string | undefined> {
    assertPasswordPolicy(dto.newPassword, this.config.passwordPolicy);
    await this.cognito.confirmForgotPassword(dto.email, dto.code, dto.newPassword);
    try {
      return (await this.sessions.endSessionsOf(dto.email)).sub;
    } catch (error) {
      // The password is changed; answering an error now would only confuse the user. The
      // operator must know, though: the account's old sessions may still be alive.
      this.logger.error({
        msg: 'Password reset, but the old sessions could not be ended',
        err: error,
      });
      return undefined;
    }
  }

  /**
   * Changes the password and ends every session of the user, this one included. A wrong current
   * password counts against the same budget as a wrong one at sign-in.
   */
  async changePassword(
    user: AuthUser,
    accessToken: string,
    dto: ChangePasswordDto,
    address?: string,
  ): Promise<void> {
    assertPasswordPolicy(dto.proposedPassword, this.config.passwordPolicy);
    const account = (await this.cognito.getUser(accessToken)).attributes.email ?? user.username;
    await this.passwords.attempt(account, address, () =>
      this.cognito.changePassword(accessToken, dto.previousPassword, dto.proposedPassword),
    );
    await this.sessions.endSessionsByAccessToken(user, accessToken);
  }

  async me(user: AuthUser, accessToken: string): Promise<MeResponseDto> {
    return toProfile(await this.cognito.getUser(accessToken), user);
  }

  private async toLoginResult(outcome: AuthOutcome, account = ''): Promise<LoginResult> {
    if (outcome.kind === 'challenge') {
      const step = outcome.challengeName;
      if (!isChallengeStep(step)) {
        // CUSTOM_CHALLENGE, DEVICE_SRP_AUTH, ...: a client could not answer it here.
        throw new AppException(
          HttpStatus.NOT_IMPLEMENTED,
          ErrorCode.NOT_SUPPORTED_UPSTREAM,
          'The user pool asks for a sign-in step this service does not support.',
        );
      }
      const parameters = { ...outcome.parameters };
      if (parameters.CODE_DELIVERY_DESTINATION) {
        parameters.CODE_DELIVERY_DESTINATION = maskDestination(
          parameters.CODE_DELIVERY_DESTINATION,
        );
      }
      let session = outcome.session;
      let authenticator: Pick<ChallengeResponseDto, 'secretCode' | 'otpauthUri' | 'qrCode'> = {};
      if (outcome.challengeName === 'MFA_SETUP' && session) {
        // Hand over the authenticator secret with the step, so the client needs no extra call.
        const associated = await this.cognito.associateSoftwareToken({ session });
        session = associated.session ?? session;
        const uri = otpauthUri(this.config.totpIssuer, account, associated.secretCode);
        authenticator = {
          secretCode: associated.secretCode,
          otpauthUri: uri,
          qrCode: await qrCodeDataUrl(uri),
        };
      }
      const challenge: ChallengeResponseDto = {
        nextStep: step,
        // Clients only ever see Cognito's session sealed, bound to this account and this step.
        session: this.challenges.seal(session, account, step),
        parameters,
        ...authenticator,
      };
      return { kind: 'challenge', challenge };
    }
    const { tokens } = outcome;
    return {
      kind: 'tokens',
      tokens: {
        accessToken: tokens.accessToken,
        idToken: tokens.idToken,
        refreshToken: tokens.refreshToken,
        expiresIn: tokens.expiresIn,
        tokenType: tokens.tokenType,
        username: usernameOfToken(tokens.accessToken),
      },
    };
  }
}

function invalidRefreshToken(): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    ErrorCode.INVALID_REFRESH_TOKEN,
    'The refresh token is invalid, expired or revoked. Sign in again.',
  );
}

/** A field the answered step needs: 400 naming it when it is missing. */
function required<T>(value: T | undefined, field: string, step: string): T {
  if (value !== undefined && value !== '') return value;
  const message = `${field} is required to answer ${step}`;
  throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, message, {
    details: [{ field, messages: [message] }],
  });
}
