import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableProviderForUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
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
import { Inject, Injectable } from '@nestjs/common';
import {
  CognitoAdminPort,
  type AdminGroup,
  type AdminUser,
  type CreateUserInput,
  type LinkedIdentity,
  type Page,
  type ProviderIdentity,
  type UserFilter,
} from './cognito-admin.port';
import { CognitoConnection } from './cognito-connection';
import { toAttributeList, toAttributeMap } from './cognito-attributes';
import { sendMapped } from './cognito-errors';
import { COGNITO_SDK_CLIENT } from './cognito.tokens';

/** Cognito's attribute name for the subject of a federated identity. */
const SUBJECT = 'Cognito_Subject';

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * The `identities` attribute: a JSON array of `{ userId, providerName, providerType, issuer,
 * primary, dateCreated }`. Anything unreadable (not JSON, not an array, an entry without a
 * provider or subject) is left out: a malformed attribute shows as no identities, never an error.
 */
export function parseIdentities(value: string | undefined): LinkedIdentity[] {
  if (!value) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry: unknown): LinkedIdentity[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const raw = entry as Record<string, unknown>;
    const providerName = optionalString(raw.providerName);
    const providerUserId = optionalString(raw.userId);
    if (!providerName || !providerUserId) return [];
    const created = Number(raw.dateCreated);
    return [
      {
        providerName,
        providerUserId,
        providerType: optionalString(raw.providerType),
        dateCreated:
          raw.dateCreated !== undefined && raw.dateCreated !== null && Number.isFinite(created)
            ? new Date(created)
            : undefined,
        primary:
          typeof raw.primary === 'boolean'
            ? raw.primary
            : raw.primary === 'true'
              ? true
              : raw.primary === 'false'
                ? false
                : undefined,
      },
    ];
  });
}

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
    identities: parseIdentities(attributes.identities),
  };
}

function toAdminGroup(group: GroupType | undefined): AdminGroup {
  return {
    name: group?.GroupName ?? '',
    description: group?.Description,
    precedence: group?.Precedence,
    roleArn: group?.RoleArn,
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
    const output = await sendMapped(
      this.client,
      new ListUsersCommand({
        UserPoolId: this.pool,
        Limit: limit,
        PaginationToken: nextToken,
        // Values are validated to hold no quote or backslash, so they cannot escape the string.
        Filter: filter
          ? `${filter.attribute} ${filter.prefix ? '^=' : '='} "${filter.value}"`
          : undefined,
      }),
    );
    return {
      items: (output.Users ?? []).map((u: UserType) => toAdminUser(u)),
      nextToken: output.PaginationToken,
    };
  }

  async getUser(user: string): Promise<AdminUser> {
    const output = await sendMapped(
      this.client,
      new AdminGetUserCommand({ UserPoolId: this.pool, Username: user }),
    );
    return toAdminUser(output);
  }

  async createUser(input: CreateUserInput): Promise<AdminUser> {
    const output = await sendMapped(
      this.client,
      new AdminCreateUserCommand({
        UserPoolId: this.pool,
        Username: input.email,
        TemporaryPassword: input.temporaryPassword,
        MessageAction: input.sendInvitation ? undefined : 'SUPPRESS',
        DesiredDeliveryMediums: ['EMAIL'],
        UserAttributes: toAttributeList({ email: input.email, ...input.attributes }),
      }),
    );
    return toAdminUser(output.User ?? {});
  }

  async resendInvitation(user: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminCreateUserCommand({
        UserPoolId: this.pool,
        Username: user,
        MessageAction: 'RESEND',
      }),
    );
  }

  async disableUser(user: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminDisableUserCommand({ UserPoolId: this.pool, Username: user }),
    );
  }

  async enableUser(user: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminEnableUserCommand({ UserPoolId: this.pool, Username: user }),
    );
  }

  async deleteUser(user: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminDeleteUserCommand({ UserPoolId: this.pool, Username: user }),
    );
  }

  async resetPassword(user: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminResetUserPasswordCommand({ UserPoolId: this.pool, Username: user }),
    );
  }

  async setPassword(user: string, password: string, permanent: boolean): Promise<void> {
    await sendMapped(
      this.client,
      new AdminSetUserPasswordCommand({
        UserPoolId: this.pool,
        Username: user,
        Password: password,
        Permanent: permanent,
      }),
    );
  }

  async confirmSignUp(user: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminConfirmSignUpCommand({ UserPoolId: this.pool, Username: user }),
    );
  }

  async globalSignOut(user: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminUserGlobalSignOutCommand({ UserPoolId: this.pool, Username: user }),
    );
  }

  async updateAttributes(user: string, attributes: Record<string, string>): Promise<void> {
    await sendMapped(
      this.client,
      new AdminUpdateUserAttributesCommand({
        UserPoolId: this.pool,
        Username: user,
        UserAttributes: toAttributeList(attributes),
      }),
    );
  }

  async listGroupsForUser(
    username: string,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminGroup>> {
    const output = await sendMapped(
      this.client,
      new AdminListGroupsForUserCommand({
        UserPoolId: this.pool,
        Username: username,
        Limit: limit,
        NextToken: nextToken,
      }),
    );
    return { items: (output.Groups ?? []).map(toAdminGroup), nextToken: output.NextToken };
  }

  async listGroups(limit: number, nextToken?: string): Promise<Page<AdminGroup>> {
    const output = await sendMapped(
      this.client,
      new ListGroupsCommand({ UserPoolId: this.pool, Limit: limit, NextToken: nextToken }),
    );
    return { items: (output.Groups ?? []).map(toAdminGroup), nextToken: output.NextToken };
  }

  async getGroup(name: string): Promise<AdminGroup> {
    const output = await sendMapped(
      this.client,
      new GetGroupCommand({ UserPoolId: this.pool, GroupName: name }),
      'group',
    );
    return toAdminGroup(output.Group);
  }

  async createGroup(group: AdminGroup): Promise<AdminGroup> {
    const output = await sendMapped(
      this.client,
      new CreateGroupCommand({
        UserPoolId: this.pool,
        GroupName: group.name,
        Description: group.description,
        Precedence: group.precedence,
        RoleArn: group.roleArn,
      }),
    );
    return toAdminGroup(output.Group);
  }

  async updateGroup(group: AdminGroup): Promise<AdminGroup> {
    const output = await sendMapped(
      this.client,
      new UpdateGroupCommand({
        UserPoolId: this.pool,
        GroupName: group.name,
        Description: group.description,
        Precedence: group.precedence,
        RoleArn: group.roleArn,
      }),
      'group',
    );
    return toAdminGroup(output.Group);
  }

  async deleteGroup(name: string): Promise<void> {
    await sendMapped(
      this.client,
      new DeleteGroupCommand({ UserPoolId: this.pool, GroupName: name }),
      'group',
    );
  }

  async listUsersInGroup(
    group: string,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminUser>> {
    const output = await sendMapped(
      this.client,
      new ListUsersInGroupCommand({
        UserPoolId: this.pool,
        GroupName: group,
        Limit: limit,
        NextToken: nextToken,
      }),
      'group',
    );
    return {
      items: (output.Users ?? []).map((u: UserType) => toAdminUser(u)),
      nextToken: output.NextToken,
    };
  }

  async addUserToGroup(user: string, group: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminAddUserToGroupCommand({
        UserPoolId: this.pool,
        Username: user,
        GroupName: group,
      }),
      'group',
    );
  }

  async removeUserFromGroup(user: string, group: string): Promise<void> {
    await sendMapped(
      this.client,
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: this.pool,
        Username: user,
        GroupName: group,
      }),
      'group',
    );
  }

  async linkProviderForUser(username: string, identity: ProviderIdentity): Promise<void> {
    await sendMapped(
      this.client,
      new AdminLinkProviderForUserCommand({
        UserPoolId: this.pool,
        DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: username },
        SourceUser: {
          ProviderName: identity.providerName,
          ProviderAttributeName: SUBJECT,
          ProviderAttributeValue: identity.providerUserId,
        },
      }),
      'providerLink',
    );
  }

  async disableProviderForUser(identity: ProviderIdentity): Promise<void> {
    await sendMapped(
      this.client,
      new AdminDisableProviderForUserCommand({
        UserPoolId: this.pool,
        User: {
          ProviderName: identity.providerName,
          ProviderAttributeName: SUBJECT,
          ProviderAttributeValue: identity.providerUserId,
        },
      }),
      'providerLink',
    );
  }
}
