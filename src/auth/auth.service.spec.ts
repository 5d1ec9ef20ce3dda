import { Logger } from '@nestjs/common';
import { qrCodeDataUrl } from '../common/user/totp';
import { AfterReply } from '../common/tasks/after-reply';
import { AppException } from '../common/errors/app.exception';
import type { CognitoAdminPort } from '../cognito/cognito-admin.port';
import type { CognitoIdentityPort } from '../cognito/cognito-identity.port';
import type { Configuration } from '../config';
import {
  AccessTokenVerifier,
  type AuthUser,
  InvalidAccessTokenError,
  type PasswordFailures,
  type RevocationService,
  SessionTermination,
} from '../guard';
import { usernameOfToken } from '../common/jwt/unverified-claims';
import { AuthService, CODE_SENT_MESSAGE } from './auth.service';
import { ChallengeSessions } from './challenge/challenge-sessions';

/** Runs every password check and records whose it was: the budget has its own spec. */
const passwordBudget = {
  attempt: jest.fn(<T>(_account: string, _address: string | undefined, check: () => Promise<T>) =>
    check(),
  ),
};

const policy = {
  minimumLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumbers: true,
  requireSymbols: true,
};
const authSettings: Configuration['auth'] = {
  tokenDelivery: 'both',
  cookieSecure: true,
  passwordPolicy: policy,
  tokenCache: { enabled: true, maxEntries: 100 },
  customAttributes: [],
  totpIssuer: 'Test Service',
  challengeSessions: { ttlSeconds: 180 },
};

/** The expiry and type the port answers with all tokens (its adapter fills them in where Cognito does not). */
const ISSUED = { expiresIn: 3600, tokenType: 'Bearer' };

/** An unsigned JWT-shaped token with the given claims (the service only reads, never trusts, it). */
function tokenWith(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2ln`;
}

function portMock(requiresSecretHash = true): jest.Mocked<CognitoIdentityPort> {
  return {
    requiresSecretHash,
    signUp: jest.fn(),
    confirmSignUp: jest.fn(),
    resendConfirmationCode: jest.fn(),
    initiatePasswordAuth: jest.fn(),
    refreshTokens: jest.fn(),
    revokeRefreshToken: jest.fn(),
    globalSignOut: jest.fn(),
    forgotPassword: jest.fn(),
    confirmForgotPassword: jest.fn(),
    changePassword: jest.fn(),
    getUser: jest.fn(),
    respondToChallenge: jest.fn(),
    associateSoftwareToken: jest.fn(),
    verifySoftwareToken: jest.fn(),
    setSoftwareTokenMfa: jest.fn(),
    updateUserAttributes: jest.fn(),
    sendAttributeVerificationCode: jest.fn(),
    verifyUserAttribute: jest.fn(),
    deleteUser: jest.fn(),
  };
}

const appError = (status: number, code: string) =>
  new AppException(status, code as never, 'mapped message');

const signedIn: AuthUser = {
  sub: 'uuid-1',
  username: 'uuid-1',
  groups: [],
  scopes: [],
  clientId: 'c',
  tokenId: 'jti-1',
  tokenExpiresAt: 9999999999,
};

describe(AuthService.name, () => {
  let cognito: jest.Mocked<CognitoIdentityPort>;
  let verifier: { verify: jest.Mock };
  let revocations: {
    revoke: jest.Mock;
    endSessions: jest.Mock;
    isRevoked: jest.Mock;
    revokeRefreshToken: jest.Mock;
    isRefreshTokenRevoked: jest.Mock;
    challengeAnswered: jest.Mock;
    isChallengeAnswered: jest.Mock;
  };
  let admin: { getUser: jest.Mock };
  let sessions: SessionTermination;
  let challenges: ChallengeSessions;
  let service: AuthService;
  let afterReply: AfterReply;

  function build(port: jest.Mocked<CognitoIdentityPort>): AuthService {
    // The one way to end sessions, over the same mocked ports and revocations.
    sessions = new SessionTermination(
      admin as unknown as CognitoAdminPort,
      revocations as unknown as RevocationService,
      port,
    );
    jest.spyOn(sessions, 'endSessions').mockResolvedValue(undefined);
    return new AuthService(
      port,
      authSettings,
      verifier as unknown as AccessTokenVerifier,
      revocations as unknown as RevocationService,
      sessions,
      challenges,
      passwordBudget as unknown as PasswordFailures,
      afterReply,
    );
  }

  beforeEach(() => {
    cognito = portMock();
    verifier = { verify: jest.fn().mockResolvedValue(signedIn) };
    revocations = {
      revoke: jest.fn().mockResolvedValue(undefined),
      endSessions: jest.fn().mockResolvedValue(undefined),
      isRevoked: jest.fn().mockReturnValue(false),
      revokeRefreshToken: jest.fn().mockResolvedValue(undefined),
      isRefreshTokenRevoked: jest.fn().mockReturnValue(false),
      challengeAnswered: jest.fn().mockResolvedValue(undefined),
      isChallengeAnswered: jest.fn().mockReturnValue(false),
    };
    admin = {
      getUser: jest.fn().mockResolvedValue({ username: 'uuid-1', attributes: { sub: 'uuid-1' } }),
    };
    challenges = new ChallengeSessions(Buffer.alloc(32, 7), 180);
    cognito.getUser.mockResolvedValue({
      username: 'uuid-1',
      attributes: { sub: 'uuid-1', email: 'a@example.com' },
      mfaOptions: [],
    });
    passwordBudget.attempt.mockClear();
    afterReply = new AfterReply();
    service = build(cognito);
  });
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  describe('signUp', () => {
    it('refuses a password that misses the policy before calling Cognito', async () => {
      await expect(
        service.signUp({ email: 'a@example.com', password: 'password' }),
      ).rejects.toMatchObject({
        code: 'PASSWORD_POLICY',
        message: 'The password must have an uppercase letter, a number, a symbol.',
      });
      expect(cognito.signUp).not.toHaveBeenCalled();
    });

    it('passes the password exactly as typed and masks the code destination', async () => {
      cognito.signUp.mockResolvedValue({
        userSub: 'sub-1',
        userConfirmed: false,
        codeDelivery: { destination: 'alice@example.com', medium: 'EMAIL', attribute: 'email' },
      });
      const password = 'Pässwörd 1!é';
      const result = await service.signUp({ email: 'alice@example.com', password, name: 'Alice' });
      expect(cognito.signUp).toHaveBeenCalledWith({
        email: 'alice@example.com',
        password,
        attributes: { name: 'Alice' },
      });
      expect(result).toEqual({
        userSub: 'sub-1',
        userConfirmed: false,
        codeDelivery: { destination: 'a***@e***.com', medium: 'EMAIL', attribute: 'email' },
      });
    });
  });

  describe('codes that must not reveal accounts', () => {
    /** What was logged once the work started after the answer has run. */
    async function afterTheAnswer(): Promise<jest.SpyInstance> {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      warn.mockClear();
      await afterReply.beforeApplicationShutdown();
      return warn;
    }

    it('answers forgot-password and resend before asking Cognito anything', async () => {
      cognito.forgotPassword.mockResolvedValue({ destination: 'x***@e***', medium: 'EMAIL' });
      cognito.resendConfirmationCode.mockResolvedValue(undefined);
      expect(service.forgotPassword('x@example.com')).toBe(CODE_SENT_MESSAGE);
      expect(service.resendConfirmationCode('y@example.com')).toBe(CODE_SENT_MESSAGE);
      // The answer exists before the calls do, so its timing cannot depend on theirs.
      expect(cognito.forgotPassword).not.toHaveBeenCalled();
      expect(cognito.resendConfirmationCode).not.toHaveBeenCalled();
      expect((await afterTheAnswer()).mock.calls).toEqual([]);
      expect(cognito.forgotPassword).toHaveBeenCalledWith('x@example.com');
      expect(cognito.resendConfirmationCode).toHaveBeenCalledWith('y@example.com');
    });

    it.each(['USER_NOT_FOUND', 'INVALID_PARAMETER', 'USER_NOT_CONFIRMED', 'ALREADY_CONFIRMED'])(
      'treats %s from Cognito as nothing to report',
      async (code) => {
        cognito.forgotPassword.mockRejectedValue(appError(404, code));
        cognito.resendConfirmationCode.mockRejectedValue(appError(400, code));
        expect(service.forgotPassword('x@example.com')).toBe(CODE_SENT_MESSAGE);
        expect(service.resendConfirmationCode('x@example.com')).toBe(CODE_SENT_MESSAGE);
        expect((await afterTheAnswer()).mock.calls).toEqual([]);
      },
    );

    it('logs throttling and outages, which the answer could no longer carry', async () => {
      cognito.forgotPassword.mockRejectedValue(appError(429, 'TOO_MANY_REQUESTS'));
      cognito.resendConfirmationCode.mockRejectedValue(appError(503, 'UPSTREAM_UNAVAILABLE'));
      service.forgotPassword('x@example.com');
      service.resendConfirmationCode('x@example.com');
      expect((await afterTheAnswer()).mock.calls).toEqual([
        [expect.objectContaining({ error: 'TOO_MANY_REQUESTS' })],
        [expect.objectContaining({ error: 'UPSTREAM_UNAVAILABLE' })],
      ]);
    });
  });

  describe('login', () => {
    it('passes on the expiry and type of the tokens, and reads the username claim', async () => {
      const exp = Math.floor(Date.now() / 1000) + 600;
      const accessToken = tokenWith({ exp, username: 'uuid-1' });
      cognito.initiatePasswordAuth.mockResolvedValue({
        kind: 'tokens',
        tokens: { accessToken, idToken: 'id', refreshToken: 'refresh', ...ISSUED },
      });
      const result = await service.login({ email: 'a@example.com', password: 'x' });
      expect(result.kind).toBe('tokens');
      if (result.kind !== 'tokens') return;
      expect(result.tokens.expiresIn).toBe(3600);
      expect(result.tokens.tokenType).toBe('Bearer');
      expect(result.tokens.username).toBe('uuid-1');
    });

    it('keeps the ExpiresIn Cognito sends', async () => {
      cognito.initiatePasswordAuth.mockResolvedValue({
        kind: 'tokens',
        tokens: {
          accessToken: tokenWith({ exp: 1 }),
          idToken: 'id',
          expiresIn: 3600,
          tokenType: 'Bearer',
        },
      });
      const result = await service.login({ email: 'a@example.com', password: 'x' });
      expect(result.kind === 'tokens' && result.tokens.expiresIn).toBe(3600);
    });

    it('turns a challenge into nextStep, session and parameters', async () => {
      cognito.initiatePasswordAuth.mockResolvedValue({
        kind: 'challenge',
        challengeName: 'NEW_PASSWORD_REQUIRED',
        session: 's-1',
        parameters: { requiredAttributes: '[]' },
      });
      const result = await service.login({ email: 'a@example.com', password: 'x' });
      expect(result).toEqual({
        kind: 'challenge',
        challenge: {
          nextStep: 'NEW_PASSWORD_REQUIRED',
          session: expect.any(String),
          parameters: { requiredAttributes: '[]' },
        },
      });
      // The client gets Cognito's session sealed for this account and step, never as it is.
      const { session } = (result as { challenge: { session: string } }).challenge;
      expect(session).not.toContain('s-1');
      expect(challenges.open(session, 'a@example.com', 'NEW_PASSWORD_REQUIRED').session).toBe(
        's-1',
      );
    });

    it('refuses a step no client could answer here (501), handing out no session', async () => {
      cognito.initiatePasswordAuth.mockResolvedValue({
        kind: 'challenge',
        challengeName: 'CUSTOM_CHALLENGE',
        session: 's-1',
        parameters: {},
      });
      await expect(service.login({ email: 'a@example.com', password: 'x' })).rejects.toMatchObject({
        code: 'NOT_SUPPORTED_UPSTREAM',
      });
    });
  });

  describe('refresh', () => {
    it('needs the username when the app client has a secret', async () => {
      await expect(service.refresh('refresh', undefined)).rejects.toMatchObject({
        code: 'USERNAME_REQUIRED',
      });
      expect(cognito.refreshTokens).not.toHaveBeenCalled();
    });

    it('does without a username when the app client has no secret', async () => {
      cognito = portMock(false);
      service = build(cognito);
      cognito.refreshTokens.mockResolvedValue({
        kind: 'tokens',
        tokens: { accessToken: tokenWith({ exp: 9999999999 }), idToken: 'id', ...ISSUED },
      });
      await expect(service.refresh('refresh', undefined)).resolves.toMatchObject({
        kind: 'tokens',
      });
      expect(cognito.refreshTokens).toHaveBeenCalledWith('refresh', undefined);
    });

    it('refuses a refresh token this service revoked, without asking Cognito', async () => {
      revocations.isRefreshTokenRevoked.mockReturnValue(true);
      await expect(service.refresh('refresh', 'uuid-1')).rejects.toMatchObject({
        code: 'INVALID_REFRESH_TOKEN',
      });
      expect(cognito.refreshTokens).not.toHaveBeenCalled();
    });

    it('refuses tokens refreshed from a session that has been ended', async () => {
      cognito.refreshTokens.mockResolvedValue({
        kind: 'tokens',
        tokens: {
          accessToken: tokenWith({ exp: 9999999999, sub: 'uuid-1' }),
          idToken: 'id',
          ...ISSUED,
        },
      });
      revocations.isRevoked.mockReturnValue(true);
      await expect(service.refresh('refresh', 'uuid-1')).rejects.toMatchObject({
        code: 'INVALID_REFRESH_TOKEN',
      });
    });

    it('judges the refreshed session by the sign-in its new access token names, never the refresh token', async () => {
      cognito.refreshTokens.mockResolvedValue({
        kind: 'tokens',
        tokens: {
          accessToken: tokenWith({
            exp: 9999999999,
            sub: 'uuid-1',
            jti: 'jti-2',
            origin_jti: 'sign-in-1',
            auth_time: 1_700_000_000,
            iat: 1_700_000_900,
          }),
          idToken: 'id',
          ...ISSUED,
        },
      });
      // A readable refresh token (an emulator's) says something else; Cognito's are opaque.
      const refreshToken = tokenWith({ iat: 1_600_000_000, jti: 'other' });
      await service.refresh(refreshToken, 'uuid-1');
      expect(revocations.isRevoked).toHaveBeenCalledWith(
        expect.objectContaining({
          sub: 'uuid-1',
          tokenId: 'jti-2',
          originTokenId: 'sign-in-1',
          authTime: 1_700_000_000,
        }),
      );
    });
  });

  describe('logout', () => {
    it('revokes the access token for the guard, the refresh token, and signs out globally', async () => {
      await expect(service.logout(['refresh'], 'access')).resolves.toEqual({
        user: signedIn,
        upstreamFailures: [],
      });
      expect(verifier.verify).toHaveBeenCalledWith('access');
      expect(revocations.revoke).toHaveBeenCalledWith(signedIn);
      expect(cognito.revokeRefreshToken).toHaveBeenCalledWith('refresh');
      expect(cognito.globalSignOut).toHaveBeenCalledWith('access');
    });

    it('revokes every refresh token it is given, even when one of them is junk', async () => {
      cognito.revokeRefreshToken.mockImplementation((token: string) =>
        token === 'junk'
          ? Promise.reject(appError(401, 'INVALID_REFRESH_TOKEN'))
          : Promise.resolve(),
      );
      await service.logout(['junk', 'cookie-refresh', 'junk'], undefined);
      expect(cognito.revokeRefreshToken.mock.calls).toEqual([['junk'], ['cookie-refresh']]);
      expect(revocations.revokeRefreshToken).not.toHaveBeenCalled();
    });

    it('still revokes the refresh token when the access token is invalid or expired', async () => {
      verifier.verify.mockRejectedValue(new InvalidAccessTokenError('expired'));
      await service.logout(['refresh'], 'stale');
      expect(revocations.revoke).not.toHaveBeenCalled();
      expect(cognito.globalSignOut).not.toHaveBeenCalled();
      expect(cognito.revokeRefreshToken).toHaveBeenCalledWith('refresh');
    });

    it('treats an access token Cognito no longer accepts as signed out already', async () => {
      cognito.globalSignOut.mockRejectedValue(appError(401, 'UNAUTHORIZED'));
      await expect(service.logout(['refresh'], 'expired-access')).resolves.toEqual({
        user: signedIn,
        upstreamFailures: [],
      });
      expect(cognito.revokeRefreshToken).toHaveBeenCalledWith('refresh');
    });

    it('treats an already revoked refresh token, and an endpoint without GlobalSignOut, as done', async () => {
      cognito.revokeRefreshToken.mockRejectedValue(appError(401, 'INVALID_REFRESH_TOKEN'));
      cognito.globalSignOut.mockRejectedValue(appError(501, 'NOT_SUPPORTED_UPSTREAM'));
      await expect(service.logout(['refresh'], 'access')).resolves.toEqual({
        user: signedIn,
        upstreamFailures: [],
      });
    });

    it('ends the session here when Cognito cannot, and reports what failed', async () => {
      cognito.revokeRefreshToken.mockRejectedValue(appError(503, 'UPSTREAM_UNAVAILABLE'));
      cognito.globalSignOut.mockRejectedValue(appError(502, 'UPSTREAM_ERROR'));
      await expect(service.logout(['refresh'], 'access')).resolves.toEqual({
        user: signedIn,
        upstreamFailures: ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR'],
      });
      expect(revocations.revoke).toHaveBeenCalledWith(signedIn);
      expect(revocations.revokeRefreshToken).toHaveBeenCalledWith('refresh');
    });
  });

  describe('answerChallenge', () => {
    const email = 'a@example.com';
    const sealed = (step: string, session = 'session-1', account = email) =>
      challenges.seal(session, account, step);
    const tokens = {
      kind: 'tokens' as const,
      tokens: { accessToken: tokenWith({ exp: 9999999999 }), idToken: 'i', ...ISSUED },
    };

    it.each([
      ['SOFTWARE_TOKEN_MFA', { code: '123456' }, { SOFTWARE_TOKEN_MFA_CODE: '123456' }],
      ['SMS_MFA', { code: '123456' }, { SMS_MFA_CODE: '123456' }],
      ['EMAIL_OTP', { code: '12345678' }, { EMAIL_OTP_CODE: '12345678' }],
      ['SELECT_MFA_TYPE', { mfaType: 'EMAIL_OTP' }, { ANSWER: 'EMAIL_OTP' }],
      [
        'NEW_PASSWORD_REQUIRED',
        { newPassword: 'New-Passw0rd!', attributes: { name: 'Al' } },
        { NEW_PASSWORD: 'New-Passw0rd!', 'userAttributes.name': 'Al' },
      ],
    ])('answers %s with the responses Cognito expects', async (nextStep, fields, responses) => {
      cognito.respondToChallenge.mockResolvedValue(tokens);
      const result = await service.answerChallenge({
        email,
        session: sealed(nextStep),
        nextStep,
        ...fields,
      } as never);
      expect(result.kind).toBe('tokens');
      expect(cognito.respondToChallenge).toHaveBeenCalledWith({
        challengeName: nextStep,
        session: 'session-1',
        username: email,
        responses,
      });
    });

    it('records an answered session with the revocations, and refuses one recorded there', async () => {
      cognito.respondToChallenge.mockResolvedValue(tokens);
      const session = sealed('SOFTWARE_TOKEN_MFA');
      const answer = { email, session, nextStep: 'SOFTWARE_TOKEN_MFA', code: '123456' } as never;
      await service.answerChallenge(answer);
      expect(revocations.challengeAnswered).toHaveBeenCalledWith(
        expect.any(String),
        expect.any(Number),
      );
      // Answered before a restart, or on another instance: known only to the revocations.
      const other = sealed('SOFTWARE_TOKEN_MFA');
      revocations.isChallengeAnswered.mockReturnValue(true);
      await expect(
        service.answerChallenge({ ...(answer as object), session: other } as never),
      ).rejects.toMatchObject({ code: 'INVALID_SESSION' });
      expect(cognito.respondToChallenge).toHaveBeenCalledTimes(1);
    });

    it('refuses a session it did not issue for this user and step before any Cognito call', async () => {
      const attempts = [
        // The black-box attack: any session string for the victim's email.
        { email: 'admin@example.com', session: 'anything' },
        { email: 'admin@example.com', session: sealed('NEW_PASSWORD_REQUIRED') },
        { email, session: sealed('SOFTWARE_TOKEN_MFA') },
        {
          email,
          session: new ChallengeSessions(Buffer.alloc(32, 8), 180).seal(
            'session-1',
            email,
            'NEW_PASSWORD_REQUIRED',
          ),
        },
      ];
      for (const attempt of attempts) {
        await expect(
          service.answerChallenge({
            ...attempt,
            nextStep: 'NEW_PASSWORD_REQUIRED',
            newPassword: 'New-Passw0rd!',
          }),
        ).rejects.toMatchObject({ status: 401, code: 'INVALID_SESSION' });
      }
      expect(cognito.respondToChallenge).not.toHaveBeenCalled();
      expect(cognito.verifySoftwareToken).not.toHaveBeenCalled();
    });

    it('refuses an expired session', async () => {
      let now = Date.now();
      challenges = new ChallengeSessions(Buffer.alloc(32, 7), 180, () => now);
      service = build(cognito);
      const session = sealed('SOFTWARE_TOKEN_MFA');
      now += 181_000;
      await expect(
        service.answerChallenge({ email, session, nextStep: 'SOFTWARE_TOKEN_MFA', code: '123456' }),
      ).rejects.toMatchObject({ status: 401, code: 'INVALID_SESSION' });
      expect(cognito.respondToChallenge).not.toHaveBeenCalled();
    });

    it('answers a session once, but lets a wrong code be corrected', async () => {
      const session = sealed('SOFTWARE_TOKEN_MFA');
      const answer = (code: string) =>
        service.answerChallenge({ email, session, nextStep: 'SOFTWARE_TOKEN_MFA', code });
      cognito.respondToChallenge.mockRejectedValueOnce(appError(400, 'CODE_MISMATCH'));
      await expect(answer('000000')).rejects.toMatchObject({ code: 'CODE_MISMATCH' });
      cognito.respondToChallenge.mockResolvedValueOnce(tokens);
      await expect(answer('123456')).resolves.toMatchObject({ kind: 'tokens' });
      await expect(answer('123456')).rejects.toMatchObject({ code: 'INVALID_SESSION' });
      expect(cognito.respondToChallenge).toHaveBeenCalledTimes(2);
    });

    it('seals the next step for the same account', async () => {
      cognito.respondToChallenge.mockResolvedValue({
        kind: 'challenge',
        challengeName: 'SOFTWARE_TOKEN_MFA',
        session: 'session-2',
        parameters: {},
      });
      const result = await service.answerChallenge({
        email,
        session: sealed('SELECT_MFA_TYPE'),
        nextStep: 'SELECT_MFA_TYPE',
        mfaType: 'SOFTWARE_TOKEN_MFA',
      });
      const next = (result as { challenge: { session: string } }).challenge.session;
      expect(challenges.open(next, email, 'SOFTWARE_TOKEN_MFA').session).toBe('session-2');
    });

    it('names the missing field of a step', async () => {
      await expect(
        service.answerChallenge({ email, session: sealed('SMS_MFA'), nextStep: 'SMS_MFA' }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'code', messages: ['code is required to answer SMS_MFA'] }],
      });
      expect(cognito.respondToChallenge).not.toHaveBeenCalled();
    });

    it('refuses attributes a user may not set when answering NEW_PASSWORD_REQUIRED', async () => {
      await expect(
        service.answerChallenge({
          email,
          session: sealed('NEW_PASSWORD_REQUIRED'),
          nextStep: 'NEW_PASSWORD_REQUIRED',
          newPassword: 'New-Passw0rd!',
          attributes: { email_verified: 'true' },
        }),
      ).rejects.toMatchObject({ code: 'ATTRIBUTE_NOT_ALLOWED' });
    });

    it('verifies the authenticator, then answers MFA_SETUP with the session verification returned', async () => {
      cognito.verifySoftwareToken.mockResolvedValue({ session: 'session-2' });
      cognito.respondToChallenge.mockResolvedValue(tokens);
      await service.answerChallenge({
        email,
        session: sealed('MFA_SETUP'),
        nextStep: 'MFA_SETUP',
        code: '654321',
        deviceName: 'Phone',
      });
      expect(cognito.verifySoftwareToken).toHaveBeenCalledWith(
        { session: 'session-1' },
        '654321',
        'Phone',
      );
      expect(cognito.respondToChallenge).toHaveBeenCalledWith(
        expect.objectContaining({
          challengeName: 'MFA_SETUP',
          session: 'session-2',
          responses: {},
        }),
      );
    });

    it('hands over the authenticator secret, otpauth URI and QR code when login asks for MFA_SETUP', async () => {
      cognito.initiatePasswordAuth.mockResolvedValue({
        kind: 'challenge',
        challengeName: 'MFA_SETUP',
        session: 'session-1',
        parameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
      });
      cognito.associateSoftwareToken.mockResolvedValue({
        secretCode: 'JBSWY3DP',
        session: 'session-2',
      });
      const result = await service.login({ email: 'a@example.com', password: 'x' });
      expect(cognito.associateSoftwareToken).toHaveBeenCalledWith({ session: 'session-1' });
      expect(result).toEqual({
        kind: 'challenge',
        challenge: {
          nextStep: 'MFA_SETUP',
          session: expect.any(String),
          parameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
          secretCode: 'JBSWY3DP',
          otpauthUri:
            'otpauth://totp/Test%20Service:a%40example.com?secret=JBSWY3DP&issuer=Test+Service&algorithm=SHA1&digits=6&period=30',
          // The same URI as a QR code to show as an image.
          qrCode: await qrCodeDataUrl(
            'otpauth://totp/Test%20Service:a%40example.com?secret=JBSWY3DP&issuer=Test+Service&algorithm=SHA1&digits=6&period=30',
          ),
        },
      });
      expect((result as { challenge: { qrCode: string } }).challenge.qrCode).toMatch(
        /^data:image\/png;base64,/,
      );
      // The session handed out is the one AssociateSoftwareToken returned, sealed for the step.
      const { session } = (result as { challenge: { session: string } }).challenge;
      expect(challenges.open(session, 'a@example.com', 'MFA_SETUP').session).toBe('session-2');
    });

    it('masks a code destination Cognito reports for SMS or email steps', async () => {
      cognito.initiatePasswordAuth.mockResolvedValue({
        kind: 'challenge',
        challengeName: 'EMAIL_OTP',
        session: 's',
        parameters: { CODE_DELIVERY_DESTINATION: 'alice@example.com' },
      });
      const result = await service.login({ email: 'alice@example.com', password: 'x' });
      expect(
        result.kind === 'challenge' && result.challenge.parameters.CODE_DELIVERY_DESTINATION,
      ).toBe('a***@e***.com');
    });
  });

  it('checks the password of a login and of a change within the account’s one budget', async () => {
    cognito.initiatePasswordAuth.mockResolvedValue({
      kind: 'tokens',
      tokens: { accessToken: tokenWith({ exp: 1 }), idToken: 'id', ...ISSUED },
    });
    await service.login({ email: 'a@example.com', password: 'x' }, '192.0.2.1');
    await service.changePassword(
      signedIn,
      'access',
      { previousPassword: 'Old-Passw0rd!', proposedPassword: 'New-Passw0rd!' },
      '192.0.2.2',
    );
    expect(
      passwordBudget.attempt.mock.calls.map(([account, address]) => [account, address]),
    ).toEqual([
      ['a@example.com', '192.0.2.1'],
      ['a@example.com', '192.0.2.2'],
    ]);
    expect(cognito.initiatePasswordAuth).toHaveBeenCalledTimes(1);
    expect(cognito.changePassword).toHaveBeenCalledTimes(1);
  });

  describe('ending sessions', () => {
    it('ends every session of the user after a password change, also on an endpoint without GlobalSignOut', async () => {
      cognito.globalSignOut.mockRejectedValue(appError(501, 'NOT_SUPPORTED_UPSTREAM'));
      await service.changePassword(signedIn, 'access', {
        previousPassword: 'Old-Passw0rd!',
        proposedPassword: 'New-Passw0rd!',
      });
      expect(cognito.globalSignOut).toHaveBeenCalledWith('access');
      expect(revocations.endSessions).toHaveBeenCalledWith('uuid-1');
    });

    it('ends every session of the account after a password reset and names its sub', async () => {
      await expect(
        service.confirmForgotPassword({
          email: 'a@example.com',
          code: '123456',
          newPassword: 'New-Passw0rd!',
        }),
      ).resolves.toBe('uuid-1');
      expect(admin.getUser).toHaveBeenCalledWith('a@example.com');
      expect(sessions.endSessions).toHaveBeenCalledWith('uuid-1', 'uuid-1');
    });

    it('still confirms a reset whose sessions cannot be ended, and says so in the log', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      admin.getUser.mockRejectedValue(new Error('AccessDenied'));
      await expect(
        service.confirmForgotPassword({
          email: 'a@example.com',
          code: '123456',
          newPassword: 'New-Passw0rd!',
        }),
      ).resolves.toBeUndefined();
      expect(error).toHaveBeenCalledWith(
        expect.objectContaining({ msg: 'Password reset, but the old sessions could not be ended' }),
      );
    });
  });

  it('checks the new password policy on change and reset', async () => {
    await expect(
      service.changePassword(signedIn, 'access', {
        previousPassword: 'Old-Passw0rd',
        proposedPassword: 'short',
      }),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    await expect(
      service.confirmForgotPassword({
        email: 'a@example.com',
        code: '123456',
        newPassword: ' Leading-1x',
      }),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    expect(cognito.changePassword).not.toHaveBeenCalled();
    expect(cognito.confirmForgotPassword).not.toHaveBeenCalled();
  });

  it('builds the profile from Cognito attributes and the token groups', async () => {
    cognito.getUser.mockResolvedValue({
      username: 'uuid-1',
      attributes: { sub: 'uuid-1', email: 'a@example.com', email_verified: 'true', name: 'A' },
      mfaOptions: [],
    });
    const user = {
      sub: 'uuid-1',
      username: 'uuid-1',
      groups: ['admin'],
      scopes: [],
      clientId: 'c',
      tokenExpiresAt: 1,
    };
    await expect(service.me(user, 'access')).resolves.toEqual({
      sub: 'uuid-1',
      username: 'uuid-1',
      email: 'a@example.com',
      emailVerified: true,
      name: 'A',
      groups: ['admin'],
      attributes: { sub: 'uuid-1', email: 'a@example.com', email_verified: 'true', name: 'A' },
    });
  });

  it('reads the username claim of a token without trusting it, and ignores garbage', () => {
    expect(usernameOfToken(tokenWith({ username: 'uuid-9' }))).toBe('uuid-9');
    expect(usernameOfToken('not-a-token')).toBeUndefined();
    expect(usernameOfToken(undefined)).toBeUndefined();
  });
});
