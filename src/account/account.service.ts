import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ADMIN_GROUP_NAME } from '../common/admin-group';
import {
  allowedAttributes,
  SELF_WRITABLE_ATTRIBUTES,
  VERIFIABLE_ATTRIBUTES,
} from '../common/user/attributes';
import { type AuthUser, PasswordFailures, SessionTermination } from '../guard';
import { maskDelivery } from '../common/user/mask';
import { toProfile } from '../common/user/profile';
import { otpauthUri, qrCodeDataUrl } from '../common/user/totp';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { CognitoIdentityPort } from '../cognito/cognito-identity.port';
import { authConfig } from '../config';
import type {
  AccountResponseDto,
  AttributesUpdatedDto,
  CodeSentDto,
  MfaPreferenceDto,
  MfaSettingsDto,
  ReauthenticationDto,
  TotpSetupDto,
} from './dto/account.dto';

/** Where codes and password resets go: changing one needs the owner's proof. */
const CONTACT_ATTRIBUTES = ['email', 'phone_number'];

/**
 * The signed-in user's own account. Identity always comes from the verified access token: a user
 * can read and change only their own account.
 */
@Injectable()
export class AccountService {
  private readonly logger = new Logger('AccountService');

  constructor(
    private readonly cognito: CognitoIdentityPort,
    private readonly sessions: SessionTermination,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly passwords: PasswordFailures,
  ) {}

  async get(user: AuthUser, accessToken: string): Promise<AccountResponseDto> {
    const account = await this.cognito.getUser(accessToken);
    // This answer has never had the top-level `name` of GET /auth/me's: it is in `attributes`.
    const { name, ...profile } = toProfile(account, user);
    return { ...profile, mfa: this.mfaSettings(account.mfaOptions, account.preferredMfa) };
  }

  /**
   * Changes profile attributes. The email and the phone number decide where codes (a password
   * reset's included) go, so changing them needs the same proof as the second factor: a stolen
   * access token alone could otherwise move the account to the thief's address and reset its
   * password from there.
   */
  async update(
    accessToken: string,
    attributes: Record<string, unknown>,
    proof: ReauthenticationDto = {},
    address?: string,
  ): Promise<AttributesUpdatedDto> {
    const allowed = allowedAttributes(attributes, [
      ...SELF_WRITABLE_ATTRIBUTES,
      ...this.config.customAttributes,
    ]);
    if (CONTACT_ATTRIBUTES.some((name) => name in allowed)) {
      await this.reauthenticate(accessToken, proof, 'change your email or phone number', address);
    }
    const deliveries = await this.cognito.updateUserAttributes(accessToken, allowed);
    return { codeDelivery: deliveries.map(maskDelivery) };
  }

  async sendVerificationCode(accessToken: string, attribute: string): Promise<CodeSentDto> {
    this.assertVerifiable(attribute);
    const delivery = await this.cognito.sendAttributeVerificationCode(accessToken, attribute);
    return { codeDelivery: delivery && maskDelivery(delivery) };
  }

  async verifyAttribute(accessToken: string, attribute: string, code: string): Promise<void> {
    this.assertVerifiable(attribute);
    await this.cognito.verifyUserAttribute(accessToken, attribute, code);
  }

  /**
   * Starts setting up an authenticator app. The owner proves themselves first, as for turning MFA
   * off: with MFA on, a new authenticator replaces the one that guards sign-in (the embedded
   * emulator replaces it at once); with MFA off, a thief's authenticator followed by turning MFA
   * on would lock the owner out of their own account.
   */
  async startTotp(
    user: AuthUser,
    accessToken: string,
    proof: ReauthenticationDto,
    address?: string,
  ): Promise<TotpSetupDto> {
    await this.reauthenticate(accessToken, proof, 'set up an authenticator app', address);
    const profile = await this.cognito.getUser(accessToken);
    const { secretCode } = await this.cognito.associateSoftwareToken({ accessToken });
    const uri = otpauthUri(
      this.config.totpIssuer,
      profile.attributes.email ?? user.username,
      secretCode,
    );
    return { secretCode, otpauthUri: uri, qrCode: await qrCodeDataUrl(uri) };
  }

  async verifyTotp(accessToken: string, code: string, deviceName?: string): Promise<void> {
    await this.cognito.verifySoftwareToken({ accessToken }, code, deviceName);
  }

  /**
   * Turning MFA off weakens the account; turning it on with an authenticator a thief set up
   * (straight at Cognito, with the stolen token) locks the owner out. Either way the owner proves
   * themselves first.
   */
  async setMfa(
    accessToken: string,
    dto: MfaPreferenceDto,
    address?: string,
  ): Promise<MfaSettingsDto> {
    const action = dto.totpEnabled ? 'turn MFA on' : 'turn MFA off';
    await this.reauthenticate(accessToken, dto, action, address);
    await this.cognito.setSoftwareTokenMfa(accessToken, dto.totpEnabled);
    const profile = await this.cognito.getUser(accessToken);
    return this.mfaSettings(profile.mfaOptions, profile.preferredMfa);
  }

  /**
   * The one rule for what would let a thief keep the account (changing MFA, setting up an
   * authenticator, changing the email or phone number): an access token is not enough, however
   * fresh; the request also carries the current password. Only the password: an authenticator
   * code proves nothing here, since whoever holds the access token can put their own
   * authenticator on the account at Cognito directly (AssociateSoftwareToken and
   * VerifySoftwareToken take the access token alone). No password: 403
   * `REAUTHENTICATION_REQUIRED`. A wrong one counts against the account's budget from `address`
   * (the client's).
   */
  private async reauthenticate(
    accessToken: string,
    proof: ReauthenticationDto,
    action: string,
    address: string | undefined,
  ): Promise<void> {
    if (proof.password !== undefined) {
      return this.confirmPassword(accessToken, proof.password, address);
    }
    throw new AppException(
      HttpStatus.FORBIDDEN,
      ErrorCode.REAUTHENTICATION_REQUIRED,
      `Confirm with your current password to ${action}.`,
    );
  }

  /**
   * Deletes the account after checking the password, and ends every session it had: the access
   * tokens of its other sign-ins would otherwise pass the guard until they expire.
   */
  async delete(
    user: AuthUser,
    accessToken: string,
    password: string,
    address?: string,
  ): Promise<void> {
    await this.confirmPassword(accessToken, password, address);
    if (user.groups.includes(ADMIN_GROUP_NAME)) {
      this.logger.warn(`Administrator ${user.sub} deleted their own account`);
    }
    await this.cognito.deleteUser(accessToken);
    await this.sessions.accountDeleted(user.sub);
  }

  /**
   * Checks the current password by signing in with it. Any answer but a refusal proves it (an
   * MFA step included); a session the check opened is closed again at once. A refusal counts
   * against the account's wrong-password budget, which sign-in shares.
   */
  private async confirmPassword(
    accessToken: string,
    password: string,
    address: string | undefined,
  ): Promise<void> {
    const email = (await this.cognito.getUser(accessToken)).attributes.email;
    if (!email) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.INCORRECT_PASSWORD,
        'The password is incorrect.',
      );
    }
    let outcome;
    try {
      outcome = await this.passwords.attempt(email, address, () =>
        this.cognito.initiatePasswordAuth(email, password),
      );
    } catch (error) {
      if (error instanceof AppException && error.code === ErrorCode.INVALID_CREDENTIALS) {
        throw new AppException(
          HttpStatus.BAD_REQUEST,
          ErrorCode.INCORRECT_PASSWORD,
          'The password is incorrect.',
        );
      }
      throw error;
    }
    if (outcome.kind === 'tokens' && outcome.tokens.refreshToken) {
      await this.cognito.revokeRefreshToken(outcome.tokens.refreshToken).catch(() => undefined);
    }
  }

  private assertVerifiable(attribute: string): void {
    if (!(VERIFIABLE_ATTRIBUTES as readonly string[]).includes(attribute)) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ATTRIBUTE_NOT_ALLOWED,
        `Only ${VERIFIABLE_ATTRIBUTES.join(' and ')} can be verified.`,
      );
    }
  }

  private mfaSettings(options: string[], preferred: string | undefined): MfaSettingsDto {
    return { totpEnabled: options.includes('SOFTWARE_TOKEN_MFA'), preferred };
  }
}
