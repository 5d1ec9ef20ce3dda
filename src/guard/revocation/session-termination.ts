import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code';
import { tolerate } from '../../common/errors/tolerate';
import { CognitoAdminPort } from '../../cognito/cognito-admin.port';
import { globalSignOutWhereSupported } from './endpoint-gaps';
import { RevocationService } from './revocation.service';

/**
 * Ends every session of an account: after a password reset, a disabled or deleted account, an
 * administrator's password change or sign-out, a removal from a group. Two halves, because each
 * side keeps its own sessions:
 * - this service's guard refuses every access token the account signed in for until now (on
 *   every instance, and after a restart), refreshed ones included;
 * - Cognito revokes the account's refresh tokens and earlier access tokens (AdminUserGlobalSignOut).
 * The guard's half comes first, so a failing Cognito call never leaves the sessions alive here.
 */
@Injectable()
export class SessionTermination {
  private readonly logger = new Logger('SessionTermination');

  constructor(
    private readonly admin: CognitoAdminPort,
    private readonly revocations: RevocationService,
  ) {}

  /** Ends the sessions of the account known to Cognito as `user` (username, email or sub). */
  async endSessionsOf(user: string): Promise<void> {
    const account = await this.admin.getUser(user);
    await this.endSessions(account.attributes.sub ?? account.username, account.username);
  }

  /**
   * Takes rights away from the accounts known to Cognito as `users` (disabling one, removing it
   * from a group, deleting a group) and ends their sessions on both sides of the change: the
   * guard's cutoff first, so their tokens can no longer undo the change while it is being made (a
   * demoted administrator adding itself back), then the change, then everything again, which also
   * ends a session that signed in meanwhile with the old rights.
   */
  async endSessionsAround<T>(
    users: readonly { sub: string; username: string }[],
    change: () => Promise<T>,
  ): Promise<T> {
    await Promise.all(users.map(({ sub }) => this.revocations.endSessions(sub)));
    const result = await change();
    await Promise.all(users.map(({ sub, username }) => this.endSessions(sub, username)));
    return result;
  }

  /** The `sub` and Cognito username of the account known to Cognito as `user`. */
  async account(user: string): Promise<{ sub: string; username: string }> {
    const account = await this.admin.getUser(user);
    return { sub: account.attributes.sub ?? account.username, username: account.username };
  }

  /**
   * Ends the sessions of the account with this `sub` and Cognito username. Without a username
   * (the account was deleted: Cognito has ended its refresh tokens with it) only the guard's half
   * is left to do.
   */
  async endSessions(sub: string, username?: string): Promise<void> {
    await this.revocations.endSessions(sub);
    if (username === undefined) return;
    // An account deleted meanwhile has no refresh tokens left to revoke.
    await tolerate([ErrorCode.USER_NOT_FOUND], () =>
      globalSignOutWhereSupported(this.logger, () => this.admin.globalSignOut(username)),
    );
  }
}
