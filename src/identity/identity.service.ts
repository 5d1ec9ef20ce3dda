import { HttpStatus, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { IdentityPoolPort, identityPoolNotConfigured } from '../cognito/identity-pool.port';
import type { AwsCredentials } from '../cognito/identity-pool.port';
import { identityConfig } from '../config';
import { IdTokenVerifier, RevocationService, type AuthUser } from '../guard';
import { CredentialsCache } from './credentials-cache';
import { IdentityDirectory } from './identity-directory';

const userOwner = (sub: string) => `user:${sub}`;

function idTokenRequired(where: string): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    ErrorCode.ID_TOKEN_REQUIRED,
    `Send the ID token of this sign-in ${where}, or sign in again.`,
  );
}
const guestOwner = (identityId: string) => `guest:${identityId}`;

/**
 * Temporary AWS credentials from the identity pool: for a signed-in user, from the ID token of
 * their session, after checking it is that session's and not revoked (the identity pool itself
 * checks no revocation unless ServerSideTokenCheck is on); for guests, when offered. Credentials
 * are cached per identity and forgotten when a session of the user ends.
 */
@Injectable()
export class IdentityService implements OnModuleInit {
  constructor(
    private readonly pool: IdentityPoolPort,
    private readonly idTokens: IdTokenVerifier,
    private readonly cache: CredentialsCache,
    private readonly revocations: RevocationService,
    private readonly directory: IdentityDirectory,
    @Inject(identityConfig.KEY) private readonly config: ConfigType<typeof identityConfig>,
  ) {}

  onModuleInit(): void {
    // A logout or any session cutoff (password change, disabled, deleted, signed out, demoted).
    this.revocations.onSessionEnd((sub) => this.cache.purge(userOwner(sub)));
  }

  /**
   * The credentials of the signed-in `user` for `idToken` (the session's), in `roleArn` when
   * given. 401 `ID_TOKEN_REQUIRED` / `ID_TOKEN_INVALID`, 403 `ROLE_NOT_ALLOWED` for a role the
   * token does not offer.
   */
  async forUser(
    user: AuthUser,
    idToken: string | undefined,
    roleArn?: string,
  ): Promise<AwsCredentials> {
    if (!this.pool.configured) throw identityPoolNotConfigured();
    if (!idToken) throw idTokenRequired('in the body');
    const claims = await this.idTokens.verify(idToken, user);
    if (roleArn !== undefined && !claims.roles.includes(roleArn)) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        ErrorCode.ROLE_NOT_ALLOWED,
        'roleArn must be one of the roles in the ID token (cognito:roles).',
      );
    }
    // The pool's own choice depends on the token's roles: a change of them is a new variant.
    const variant =
      roleArn ?? `default:${claims.preferredRole ?? ''}:${[...claims.roles].sort().join(',')}`;
    const owner = userOwner(user.sub);
    const cached = await this.cache.get(owner, variant);
    if (cached) return cached;
    const credentials = await this.pool.credentialsForUser({ idToken, roleArn });
    await this.cache.set(owner, variant, credentials);
    await this.directory.remember(user.sub, credentials.identityId);
    return credentials;
  }

  /**
   * The identity-pool identity id of the signed-in `user`, for `idToken` (the session's, checked
   * as for credentials; `where` tells a client that sent none where it goes): GetId once, then
   * remembered (IdentityDirectory).
   */
  async identityIdOf(user: AuthUser, idToken: string | undefined, where: string): Promise<string> {
    if (!this.pool.configured) throw identityPoolNotConfigured();
    if (!idToken) throw idTokenRequired(where);
    await this.idTokens.verify(idToken, user);
    const known = await this.directory.get(user.sub);
    if (known) return known;
    const identityId = await this.pool.identityIdOf(idToken);
    await this.directory.remember(user.sub, identityId);
    return identityId;
  }

  /** The identity id a user was last seen with, without their ID token (e.g. deleted since). */
  knownIdentityId(sub: string): Promise<string | undefined> {
    return this.directory.get(sub);
  }

  /** Forgets the user's identity id (their account is deleted). */
  forgetIdentity(sub: string): Promise<void> {
    return this.directory.forget(sub);
  }

  /** Guest credentials, when COGNITO_IDENTITY_ALLOW_GUESTS is on: 403 `GUESTS_NOT_ALLOWED` else. */
  async forGuest(identityId: string | undefined): Promise<AwsCredentials> {
    if (!this.pool.configured) throw identityPoolNotConfigured();
    if (!this.config.allowGuests) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        ErrorCode.GUESTS_NOT_ALLOWED,
        'Guest credentials are not offered.',
      );
    }
    if (identityId) {
      const cached = await this.cache.get(guestOwner(identityId), '');
      if (cached) return cached;
    }
    const credentials = await this.pool.credentialsForGuest(identityId);
    await this.cache.set(guestOwner(credentials.identityId), '', credentials);
    return credentials;
  }
}
