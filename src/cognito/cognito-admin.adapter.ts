import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
  type AttributeType,
  type GroupType,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code';
import {
  CognitoAdminPort,
  type AdminGroup,
  type AdminUser,
  type CreateUserInput,
  type Page,
  type UserFilter,
} from './cognito-admin.port';
import { CognitoConnection } from './cognito-connection';
import { toAttributeList, toAttributeMap } from './cognito-attributes';
import { sendMapped, type Overrides } from './cognito-errors';
import { COGNITO_SDK_CLIENT } from './cognito.tokens';

/** Administrators may learn that a user does not exist; the message stays fixed all the same. */
const USER_OVERRIDES: Overrides = {
  UserNotFoundException: {
    status: HttpStatus.NOT_FOUND,
    code: ErrorCode.USER_NOT_FOUND,
    message: 'No such user.',
  },
};

const GROUP_OVERRIDES: Overrides = {
  ...USER_OVERRIDES,
  ResourceNotFoundException: {
    status: HttpStatus.NOT_FOUND,
    code: ErrorCode.GROUP_NOT_FOUND,
    message: 'No such group.',
  },
};

function toAdminUser(user: {
  Username?: string;
  Attributes?: AttributeType[];
  UserAttributes?: AttributeType[];
  UserStatus?: string;
  Enabled?: boolean;
  UserCreateDate?: Date;
  UserLastModifiedDate?: Date;
}): AdminUser {
  const attributes = toAttributeMap(user.Attributes ?? user.UserAttributes);
  return {
    username: user.Username ?? '',
    sub: attributes.sub,
    email: attributes.email,
    emailVerified: attributes.email_verified === 'true',
    status: user.UserStatus,
    enabled: user.Enabled ?? true,
    createdAt: user.UserCreateDate,
    updatedAt: user.UserLastModifiedDate,
    attributes,
  };
}

function toAdminGroup(group: GroupType | undefined): AdminGroup {
  return {
    name: group?.GroupName ?? '',
    description: group?.Description,
    precedence: group?.Precedence,
    createdAt: group?.CreationDate,
    updatedAt: group?.LastModifiedDate,
  };
}

/** The SDK implementation of the administrative port. */
@Injectable()
export class CognitoAdminAdapter extends CognitoAdminPort {
  private readonly pool: string;

  constructor(
    @Inject(COGNITO_SDK_CLIENT) private readonly client: CognitoIdentityProviderClient,
    connection: CognitoConnection,
  ) {
    super();
    this.pool = connection.userPoolId;
  }

  async listUsers(
    filter: UserFilter | undefined,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminUser>> {
    const output = await sendMapped(() =>
      this.client.send(
        new ListUsersCommand({
          UserPoolId: this.pool,
          Limit: limit,
          PaginationToken: nextToken,
          // Values are validated to hold no quote or backslash, so they cannot escape the string.
          Filter: filter
            ? `${filter.attribute} ${filter.prefix ? '^=' : '='} "${filter.value}"`
            : undefined,
        }),
      ),
    );
    return {
      items: (output.Users ?? []).map((u: UserType) => toAdminUser(u)),
      nextToken: output.PaginationToken,
    };
  }

  async getUser(user: string): Promise<AdminUser> {
    const output = await sendMapped(
      () => this.client.send(new AdminGetUserCommand({ UserPoolId: this.pool, Username: user })),
      USER_OVERRIDES,
    );
    return toAdminUser(output);
  }

  async createUser(input: CreateUserInput): Promise<AdminUser> {
    const output = await sendMapped(() =>
      this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.pool,
          Username: input.email,
          TemporaryPassword: input.temporaryPassword,
          MessageAction: input.sendInvitation ? undefined : 'SUPPRESS',
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: toAttributeList({ email: input.email, ...input.attributes }),
        }),
      ),
    );
    return toAdminUser(output.User ?? {});
  }

  async resendInvitation(user: string): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(
          new AdminCreateUserCommand({
            UserPoolId: this.pool,
            Username: user,
            MessageAction: 'RESEND',
          }),
        ),
      USER_OVERRIDES,
    );
  }

  async disableUser(user: string): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(new AdminDisableUserCommand({ UserPoolId: this.pool, Username: user })),
      USER_OVERRIDES,
    );
  }

  async enableUser(user: string): Promise<void> {
    await sendMapped(
      () => this.client.send(new AdminEnableUserCommand({ UserPoolId: this.pool, Username: user })),
      USER_OVERRIDES,
    );
  }

  async deleteUser(user: string): Promise<void> {
    await sendMapped(
      () => this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.pool, Username: user })),
      USER_OVERRIDES,
    );
  }

  async resetPassword(user: string): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(
          new AdminResetUserPasswordCommand({ UserPoolId: this.pool, Username: user }),
        ),
      USER_OVERRIDES,
    );
  }

  async setPassword(user: string, password: string, permanent: boolean): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: this.pool,
            Username: user,
            Password: password,
            Permanent: permanent,
          }),
        ),
      USER_OVERRIDES,
    );
  }

  async confirmSignUp(user: string): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(new AdminConfirmSignUpCommand({ UserPoolId: this.pool, Username: user })),
      USER_OVERRIDES,
    );
  }

  async globalSignOut(user: string): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(
          new AdminUserGlobalSignOutCommand({ UserPoolId: this.pool, Username: user }),
        ),
      USER_OVERRIDES,
    );
  }

  async updateAttributes(user: string, attributes: Record<string, string>): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: this.pool,
            Username: user,
            UserAttributes: toAttributeList(attributes),
          }),
        ),
      USER_OVERRIDES,
    );
  }

  async listGroupsForUser(
    username: string,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminGroup>> {
    const output = await sendMapped(
      () =>
        this.client.send(
          new AdminListGroupsForUserCommand({
            UserPoolId: this.pool,
            Username: username,
            Limit: limit,
            NextToken: nextToken,
          }),
        ),
      USER_OVERRIDES,
    );
    return { items: (output.Groups ?? []).map(toAdminGroup), nextToken: output.NextToken };
  }

  async listGroups(limit: number, nextToken?: string): Promise<Page<AdminGroup>> {
    const output = await sendMapped(() =>
      this.client.send(
        new ListGroupsCommand({ UserPoolId: this.pool, Limit: limit, NextToken: nextToken }),
      ),
    );
    return { items: (output.Groups ?? []).map(toAdminGroup), nextToken: output.NextToken };
  }

  async getGroup(name: string): Promise<AdminGroup> {
    const output = await sendMapped(
      () => this.client.send(new GetGroupCommand({ UserPoolId: this.pool, GroupName: name })),
      GROUP_OVERRIDES,
    );
    return toAdminGroup(output.Group);
  }

  async createGroup(group: AdminGroup): Promise<AdminGroup> {
    const output = await sendMapped(() =>
      this.client.send(
        new CreateGroupCommand({
          UserPoolId: this.pool,
          GroupName: group.name,
          Description: group.description,
          Precedence: group.precedence,
        }),
      ),
    );
    return toAdminGroup(output.Group);
  }

  async updateGroup(group: AdminGroup): Promise<AdminGroup> {
    const output = await sendMapped(
      () =>
        this.client.send(
          new UpdateGroupCommand({
            UserPoolId: this.pool,
            GroupName: group.name,
            Description: group.description,
            Precedence: group.precedence,
          }),
        ),
      GROUP_OVERRIDES,
    );
    return toAdminGroup(output.Group);
  }

  async deleteGroup(name: string): Promise<void> {
    await sendMapped(
      () => this.client.send(new DeleteGroupCommand({ UserPoolId: this.pool, GroupName: name })),
      GROUP_OVERRIDES,
    );
  }

  async listUsersInGroup(
    group: string,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminUser>> {
    const output = await sendMapped(
      () =>
        this.client.send(
          new ListUsersInGroupCommand({
            UserPoolId: this.pool,
            GroupName: group,
            Limit: limit,
            NextToken: nextToken,
          }),
        ),
      GROUP_OVERRIDES,
    );
    return {
      items: (output.Users ?? []).map((u: UserType) => toAdminUser(u)),
      nextToken: output.NextToken,
    };
  }

  async addUserToGroup(user: string, group: string): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(
          new AdminAddUserToGroupCommand({
            UserPoolId: this.pool,
            Username: user,
            GroupName: group,
          }),
        ),
      GROUP_OVERRIDES,
    );
  }

  async removeUserFromGroup(user: string, group: string): Promise<void> {
    await sendMapped(
      () =>
        this.client.send(
          new AdminRemoveUserFromGroupCommand({
            UserPoolId: this.pool,
            Username: user,
            GroupName: group,
          }),
        ),
      GROUP_OVERRIDES,
    );
  }
}
