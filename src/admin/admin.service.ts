import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ADMIN_WRITABLE_ATTRIBUTES, allowedAttributes } from '../common/user/attributes';
import { SessionTermination, type SessionOwner } from '../guard';
import { assertPasswordPolicy } from '../common/validation/password-policy';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import {
  CognitoAdminPort,
  type AdminGroup,
  type AdminUser,
  type Page,
  type ProviderIdentity,
  type UserFilter,
} from '../cognito/cognito-admin.port';
import { authConfig } from '../config';
import type {
  AdminUserDto,
  AdminUserPageDto,
  CreateGroupDto,
  CreateUserDto,
  GroupDto,
  GroupPageDto,
  ListUsersQueryDto,
  PageQueryDto,
  UpdateGroupDto,
} from './dto/admin.dto';

const DEFAULT_PAGE_SIZE = 20;

function toUserDto(user: AdminUser): AdminUserDto {
  return {
    ...user,
    createdAt: user.createdAt?.toISOString(),
    updatedAt: user.updatedAt?.toISOString(),
    identities: user.identities.map((identity) => ({
      ...identity,
      dateCreated: identity.dateCreated?.toISOString(),
    })),
  };
}

function toGroupDto(group: AdminGroup): GroupDto {
  return {
    ...group,
    createdAt: group.createdAt?.toISOString(),
    updatedAt: group.updatedAt?.toISOString(),
  };
}

function userPage(page: Page<AdminUser>): AdminUserPageDto {
  return { items: page.items.map(toUserDto), nextToken: page.nextToken };
}

function groupPage(page: Page<AdminGroup>): GroupPageDto {
  return { items: page.items.map(toGroupDto), nextToken: page.nextToken };
}

/**
 * Cognito's ListUsers takes a single filter, so one filter parameter is accepted at a time.
 * An email is matched by prefix, so `alice@` finds alice@example.com.
 */
function userFilter(query: ListUsersQueryDto): UserFilter | undefined {
  const filters: UserFilter[] = [];
  if (query.email !== undefined) {
    filters.push({ attribute: 'email', value: query.email.toLowerCase(), prefix: true });
  }
  if (query.username !== undefined) {
    filters.push({ attribute: 'username', value: query.username, prefix: false });
  }
  if (query.status !== undefined) {
    filters.push({ attribute: 'cognito:user_status', value: query.status, prefix: false });
  }
  if (query.enabled !== undefined) {
    filters.push({
      attribute: 'status',
      value: query.enabled ? 'Enabled' : 'Disabled',
      prefix: false,
    });
  }
  if (filters.length > 1) {
    throw new AppException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.VALIDATION_FAILED,
      'Filter by one of email, username, status or enabled at a time.',
    );
  }
  return filters[0];
}

/** User and group administration, for members of the admin group. */
@Injectable()
export class AdminService {
  constructor(
    private readonly cognito: CognitoAdminPort,
    private readonly sessions: SessionTermination,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  async listUsers(query: ListUsersQueryDto): Promise<AdminUserPageDto> {
    return userPage(
      await this.cognito.listUsers(
        userFilter(query),
        query.limit ?? DEFAULT_PAGE_SIZE,
        query.nextToken,
      ),
    );
  }

  /** By Cognito username, `sub` or email (Cognito resolves the email alias). */
  async getUser(user: string): Promise<AdminUserDto> {
    return toUserDto(await this.cognito.getUser(user));
  }

  async createUser(dto: CreateUserDto): Promise<AdminUserDto> {
    // Cognito checks a temporary password against the pool's policy too; not every emulator does.
    if (dto.temporaryPassword !== undefined) {
      assertPasswordPolicy(dto.temporaryPassword, this.config.passwordPolicy);
    }
    const attributes = allowedAttributes(
      { ...(dto.attributes ?? {}), ...(dto.name ? { name: dto.name } : {}) },
      [...ADMIN_WRITABLE_ATTRIBUTES, ...this.config.customAttributes],
    );
    delete attributes.email;
    return toUserDto(
      await this.cognito.createUser({
        email: dto.email,
        attributes,
        temporaryPassword: dto.temporaryPassword,
        sendInvitation: dto.sendInvitation ?? true,
      }),
    );
  }

  resendInvitation(user: string): Promise<void> {
    return this.cognito.resendInvitation(user);
  }

  /** Disables the user and ends every session they have. */
  async disableUser(user: string): Promise<void> {
    await this.sessions.endSessionsAround([await this.sessions.account(user)], () =>
      this.cognito.disableUser(user),
    );
  }

  enableUser(user: string): Promise<void> {
    return this.cognito.enableUser(user);
  }

  /** Deletes the user; the access tokens they still hold are refused from then on. */
  async deleteUser(user: string): Promise<void> {
    const { sub } = await this.sessions.account(user);
    await this.cognito.deleteUser(user);
    await this.sessions.accountDeleted(sub);
  }

  /** Requires a password reset at next sign-in, and ends every current session. */
  async resetPassword(user: string): Promise<void> {
    await this.cognito.resetPassword(user);
    await this.sessions.endSessionsOf(user);
  }

  /**
   * Sets the password (it must meet the policy, as at sign-up), and ends every session signed in
   * with the old one.
   */
  async setPassword(user: string, password: string, permanent: boolean): Promise<void> {
    assertPasswordPolicy(password, this.config.passwordPolicy);
    await this.cognito.setPassword(user, password, permanent);
    await this.sessions.endSessionsOf(user);
  }

  confirmSignUp(user: string): Promise<void> {
    return this.cognito.confirmSignUp(user);
  }

  /** Signs the user out everywhere: refresh tokens at Cognito, access tokens at the guard. */
  async globalSignOut(user: string): Promise<void> {
    await this.sessions.endSessionsOf(user);
  }

  async updateAttributes(user: string, attributes: Record<string, unknown>): Promise<AdminUserDto> {
    await this.cognito.updateAttributes(
      user,
      allowedAttributes(attributes, [
        ...ADMIN_WRITABLE_ATTRIBUTES,
        ...this.config.customAttributes,
      ]),
    );
    return this.getUser(user);
  }

  /** The groups of a user; the user is resolved first, as some endpoints want the exact username. */
  async groupsOfUser(user: string, page: PageQueryDto): Promise<GroupPageDto> {
    const { username } = await this.cognito.getUser(user);
    return groupPage(
      await this.cognito.listGroupsForUser(
        username,
        page.limit ?? DEFAULT_PAGE_SIZE,
        page.nextToken,
      ),
    );
  }

  async listGroups(page: PageQueryDto): Promise<GroupPageDto> {
    return groupPage(
      await this.cognito.listGroups(page.limit ?? DEFAULT_PAGE_SIZE, page.nextToken),
    );
  }

  async createGroup(dto: CreateGroupDto): Promise<GroupDto> {
    return toGroupDto(await this.cognito.createGroup(dto));
  }

  /**
   * Changes a group. A change of its role or precedence changes the roles its members' ID tokens
   * carry (`cognito:roles`, `cognito:preferred_role`), which an identity pool turns into AWS
   * credentials: their sessions end around the change, as for a removal from the group, so no
   * token with the old roles can still be exchanged.
   */
  async updateGroup(name: string, dto: UpdateGroupDto): Promise<GroupDto> {
    const current = await this.cognito.getGroup(name);
    const next: AdminGroup = {
      name,
      description: dto.description ?? current.description,
      precedence: dto.precedence ?? current.precedence,
      roleArn: dto.roleArn ?? current.roleArn,
    };
    const rolesChange =
      next.roleArn !== current.roleArn ||
      (next.roleArn !== undefined && next.precedence !== current.precedence);
    if (!rolesChange) return toGroupDto(await this.cognito.updateGroup(next));
    const members = await this.allMembersOf(name);
    return toGroupDto(
      await this.sessions.endSessionsAround(members, () => this.cognito.updateGroup(next)),
    );
  }

  /**
   * Deletes the group and ends the sessions of everyone who was in it: their access tokens still
   * name the group, and would pass its checks until they expire.
   */
  async deleteGroup(name: string): Promise<void> {
    const members = await this.allMembersOf(name);
    await this.sessions.endSessionsAround(members, () => this.cognito.deleteGroup(name));
  }

  /** Every member of the group, page after page. */
  private async allMembersOf(name: string): Promise<SessionOwner[]> {
    const members: SessionOwner[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.cognito.listUsersInGroup(name, 60, nextToken);
      members.push(
        ...page.items.map((member) => ({
          sub: member.sub ?? member.username,
          username: member.username,
        })),
      );
      nextToken = page.nextToken;
    } while (nextToken);
    return members;
  }

  async membersOf(group: string, page: PageQueryDto): Promise<AdminUserPageDto> {
    return userPage(
      await this.cognito.listUsersInGroup(group, page.limit ?? DEFAULT_PAGE_SIZE, page.nextToken),
    );
  }

  async addToGroup(user: string, group: string): Promise<void> {
    await this.cognito.addUserToGroup(user, group);
  }

  /**
   * Removes the user from the group and ends every session they have: their access tokens name
   * the group until they expire, so a demoted administrator would otherwise stay one.
   */
  async removeFromGroup(user: string, group: string): Promise<void> {
    await this.sessions.endSessionsAround([await this.sessions.account(user)], () =>
      this.cognito.removeUserFromGroup(user, group),
    );
  }

  /**
   * Links a federated identity to the user: whoever signs in with it through the provider signs
   * in as this user from then on. The user's current sessions stay: none of them came through the
   * new identity, and nothing they hold changes.
   */
  async linkIdentity(user: string, identity: ProviderIdentity): Promise<void> {
    const { username } = await this.cognito.getUser(user);
    await this.cognito.linkProviderForUser(username, identity);
  }

  /**
   * Unlinks a federated identity of this user (404 IDENTITY_NOT_LINKED when the user has no such
   * identity, so one user's path never unlinks another's) and ends every session of the user: a
   * token does not tell which identity it was signed in with, and a session that came through the
   * unlinked identity must not outlive the link.
   */
  async unlinkIdentity(user: string, identity: ProviderIdentity): Promise<void> {
    const current = await this.cognito.getUser(user);
    const linked = current.identities.some(
      (known) =>
        known.providerName === identity.providerName &&
        known.providerUserId === identity.providerUserId,
    );
    if (!linked) {
      throw new AppException(
        HttpStatus.NOT_FOUND,
        ErrorCode.IDENTITY_NOT_LINKED,
        'This identity is not linked to the user.',
      );
    }
    await this.sessions.endSessionsAround(
      [{ sub: current.sub ?? current.username, username: current.username }],
      () => this.cognito.disableProviderForUser(identity),
    );
  }
}
