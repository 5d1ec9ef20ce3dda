/** A federated identity as a user's `identities` attribute lists it. */
export interface LinkedIdentity {
  /** The identity provider's name in the pool (`Google`, `ExampleOIDC`...). */
  providerName: string;
  /** The user's subject at that provider. */
  providerUserId: string;
  /** OIDC, SAML, Google, Facebook, LoginWithAmazon, SignInWithApple. */
  providerType?: string;
  dateCreated?: Date;
  primary?: boolean;
}

/** A federated identity named by its provider and the user's subject there. */
export interface ProviderIdentity {
  providerName: string;
  providerUserId: string;
}

/** A user as administrators see it. */
export interface AdminUser {
  /** The Cognito username: with email sign-in, a UUID equal to `sub`. */
  username: string;
  sub?: string;
  email?: string;
  emailVerified: boolean;
  /** UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, ... */
  status?: string;
  enabled: boolean;
  createdAt?: Date;
  updatedAt?: Date;
  attributes: Record<string, string>;
  /** The federated identities linked to the user (parsed from the `identities` attribute). */
  identities: LinkedIdentity[];
}

export interface AdminGroup {
  name: string;
  description?: string;
  precedence?: number;
  /** The group's IAM role (RoleArn), which its members' ID tokens carry. */
  roleArn?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

/** One page of a listing; `nextToken` fetches the next one. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Cognito's ListUsers takes one filter: an attribute, exact (`=`) or by prefix (`^=`). */
export interface UserFilter {
  attribute: 'email' | 'username' | 'sub' | 'name' | 'cognito:user_status' | 'status';
  value: string;
  prefix: boolean;
}

export interface CreateUserInput {
  email: string;
  attributes: Record<string, string>;
  /** Omitted: Cognito generates one and sends it in the invitation. */
  temporaryPassword?: string;
  /** False: create silently (the administrator hands over the temporary password). */
  sendInvitation: boolean;
}

/**
 * Administrative operations on the user pool (operator credentials). `user` arguments accept
 * the Cognito username, the `sub` or the email (Cognito resolves the email alias).
 */
export abstract class CognitoAdminPort {
  abstract listUsers(
    filter: UserFilter | undefined,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminUser>>;
  abstract getUser(user: string): Promise<AdminUser>;
  abstract createUser(input: CreateUserInput): Promise<AdminUser>;
  abstract resendInvitation(user: string): Promise<void>;
  abstract disableUser(user: string): Promise<void>;
  abstract enableUser(user: string): Promise<void>;
  abstract deleteUser(user: string): Promise<void>;
  abstract resetPassword(user: string): Promise<void>;
  abstract setPassword(user: string, password: string, permanent: boolean): Promise<void>;
  abstract confirmSignUp(user: string): Promise<void>;
  abstract globalSignOut(user: string): Promise<void>;
  abstract updateAttributes(user: string, attributes: Record<string, string>): Promise<void>;
  abstract listGroupsForUser(
    username: string,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminGroup>>;
  abstract listGroups(limit: number, nextToken?: string): Promise<Page<AdminGroup>>;
  abstract getGroup(name: string): Promise<AdminGroup>;
  abstract createGroup(group: AdminGroup): Promise<AdminGroup>;
  abstract updateGroup(group: AdminGroup): Promise<AdminGroup>;
  abstract deleteGroup(name: string): Promise<void>;
  abstract listUsersInGroup(
    group: string,
    limit: number,
    nextToken?: string,
  ): Promise<Page<AdminUser>>;
  abstract addUserToGroup(user: string, group: string): Promise<void>;
  abstract removeUserFromGroup(user: string, group: string): Promise<void>;
  /**
   * Links a federated identity to the user of that Cognito `username` (exactly: not a sub or an
   * email), who then signs in as that user through the provider.
   */
  abstract linkProviderForUser(username: string, identity: ProviderIdentity): Promise<void>;
  /** Removes a federated identity's link, whichever user it is linked to. */
  abstract disableProviderForUser(identity: ProviderIdentity): Promise<void>;
}
