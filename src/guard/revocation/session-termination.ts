import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code';
import { tolerate } from '../../common/errors/tolerate';
import { CognitoAdminPort } from '../../cognito/cognito-admin.port';
import { CognitoIdentityPort } from '../../cognito/cognito-identity.port';
import type { AuthUser } from '../auth-user';
import { globalSignOutWhereSupported } from './endpoint-gaps';
import { RevocationService } from './revocation.service';

/** An account whose sessions end: its `sub` (the guard's half) and Cognito username (Cognito's). */
export interface SessionOwner {
  sub: string;
  username: string;
}

/**
 * The one way to end every session of an account: after a password reset or change, a disabled
 * or deleted account, an administrator's password change or sign-out, a removal from a group.
 * Two halves, because each side keeps its own sessions:
 * - this service's guard refuses every access token the account signed in for until now (on
 *   every instance, and after a restart), refreshed ones included;
 * - Cognito revokes the account's refresh tokens and earlier access tokens (AdminUserGlobalSignOut,
 *   or GlobalSignOut with the user's own access token).
 * The guard's half always comes first, so a failing Cognito call never leaves the sessions alive
 * here (a refresh at Cognito then gets tokens the guard refuses: they keep the old sign-in time).
 */
@Injectable()
export class SessionTermination {
  private readonly logger = new Logger('SessionTermination');
  private readonly deletionListeners: ((sub: string) => Promise<void>)[] = [];

  constructor(
    private readonly admin: CognitoAdminPort,
    private readonly revocations: RevocationService,
    private readonly cognito: CognitoIdentityPort,
  ) {}

  /**
   * By name: ends the sessions of the account known to Cognito as `user` (username, email or
   * sub), and answers whose they were.
   */
  async endSessionsOf(user: string): Promise<SessionOwner> {
    const owner = await this.account(user);
    await this.endSessions(owner.sub, owner.username);
    return owner;
  }

  /**
   * By access token: ends every session of the signed-in user, this one included, with no
   * administrator's rights (after a password change). The guard's half first: should Cognito's
   * (GlobalSignOut) fail, its error is answered, and the sessions have ended here all the same.
   */
  async endSessionsByAccessToken(user: Pick<AuthUser, 'sub'>, accessToken: string): Promise<void> {
    await this.revocations.endSessions(user.sub);
    await this.signOutAtCognito(accessToken);
  }

  /**
   * Around a change of rights: takes rights away from the accounts known to Cognito as `users`
   * (disabling one, removing it from a group, deleting a group) and ends their sessions on both
   * sides of the change: the guard's cutoff first, so their tokens can no longer undo the change
   * while it is being made (a demoted administrator adding itself back), then the change, then
   * everything again, which also ends a session that signed in meanwhile with the old rights.
   */
  async endSessionsAround<T>(users: readonly SessionOwner[], change: () => Promise<T>): Promise<T> {
    await Promise.all(users.map(({ sub }) => this.revocations.endSessions(sub)));
    const result = await change();
    await Promise.all(users.map(({ sub, username }) => this.endSessions(sub, username)));
    return result;
  }

  /**
   * Calls `listener` with the `sub` of every account deleted here (by its user or an
   * administrator), once Cognito has deleted it: for what the app keeps per user elsewhere, such
   * as synced datasets.
   */
  onAccountDeleted(listener: (sub: string) => Promise<void>): void {
    this.deletionListeners.push(listener);
  }

  /**
   * After Cognito deleted the account with this `sub`: its sessions end here, then what the app
   * keeps for it elsewhere is deleted (each listener's failure is logged, and the others run).
   */
  async accountDeleted(sub: string): Promise<void> {
    await this.endSessions(sub);
    const failures = await Promise.allSettled(
      this.deletionListeners.map((listener) => listener(sub)),
    );
    for (const failure of failures) {
      if (failure.status === 'rejected') {
        this.logger.error(
          `Data of the deleted account ${sub} could not be deleted: ${(failure.reason as Error).message}`,
        );
      }
    }
  }

  /** The `sub` and Cognito username of the account known to Cognito as `user`. */
  async account(user: string): Promise<SessionOwner> {
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

  /**
   * Cognito's half alone, with the user's own access token: every device is signed out at
   * Cognito (their refresh tokens stop working, and so do the access tokens issued before). A
   * logout needs only this: the guard revokes the logged-out session itself. A token Cognito no
   * longer accepts is signed out already.
   */
  async signOutAtCognito(accessToken: string): Promise<void> {
    await tolerate([ErrorCode.UNAUTHORIZED], () =>
      globalSignOutWhereSupported(this.logger, () => this.cognito.globalSignOut(accessToken)),
    );
  }
}
