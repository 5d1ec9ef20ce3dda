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

function accountDeleted(): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    ErrorCode.UNAUTHORIZED,
    'The account was deleted.',
  );
}

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
   * remembered (IdentityDirectory). A deleted account's is refused (401), so a request still
   * under way when it was deleted keeps nothing for it.
   */
  async identityIdOf(user: AuthUser, idToken: string | undefined, where: string): Promise<string> {
    if (!this.pool.configured) throw identityPoolNotConfigured();
    if (!idToken) throw idTokenRequired(where);
    await this.idTokens.verify(idToken, user);
    const known = (await this.directory.get(user.sub)) ?? (await this.learn(user.sub, idToken));
    if (known?.state !== 'live' || !known.identityId) throw accountDeleted();
    return known.identityId;
  }

  /** Whether the user's account was deleted (its data kept per identity is, or is being, deleted). */
  async accountDeleted(sub: string): Promise<boolean> {
    const state = (await this.directory.get(sub))?.state;
    return state === 'deleting' || state === 'deleted';
  }

  /** The identity id the user is known by, without their ID token; none once deleted. */
  async knownIdentityId(sub: string): Promise<string | undefined> {
    const entry = await this.directory.get(sub);
    return entry?.state === 'live' ? entry.identityId : undefined;
  }

  /**
   * Marks the user's account deleted, first: answers the identity whose data must now be deleted
   * (then call endDeletion), or undefined when none was ever seen.
   */
  beginDeletion(sub: string): Promise<string | undefined> {
    return this.directory.beginDeletion(sub);
  }

  endDeletion(sub: string): Promise<void> {
    return this.directory.endDeletion(sub);
  }

  /** Deleted accounts whose data deletion did not finish, to try again. */
  pendingDeletions(): Promise<{ sub: string; identityId: string }[]> {
    return this.directory.pendingDeletions();
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

  private async learn(sub: string, idToken: string) {
    return this.directory.remember(sub, await this.pool.identityIdOf(idToken));
  }
}
