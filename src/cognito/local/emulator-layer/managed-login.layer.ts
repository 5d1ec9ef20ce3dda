import { randomBytes, randomUUID } from 'node:crypto';
import {
  InvalidParameterError,
  NotAuthorizedError,
  ResourceNotFoundError,
} from 'cognito-local/lib/errors';
import type { Context } from 'cognito-local/lib/services/context';
import {
  attribute,
  attributesIncludeMatch,
  attributeValue,
  UserPoolServiceImpl,
  type Group,
  type User,
  type UserPoolService,
} from 'cognito-local/lib/services/userPoolService';
import { unverifiedClaims } from '../../../common/jwt/unverified-claims';
import { SOCIAL_PROVIDERS } from '../../../common/user/social-providers';
import { identitiesOf, isIdentity, type IdentityEntry } from './provider-links.layer';
import { checkAccessToken } from './access-token-check.layer';
import { resigned } from './token-claims.layer';
import { waitPastRevocation } from './token-revocation';
import { targetOf, wrapTarget, addTarget } from './wrap-target';
import { wrapTokenGenerator } from './wrap-token-generator';

/** The status Amazon Cognito gives a user that a federated sign-in created. */
export const EXTERNAL_PROVIDER = 'EXTERNAL_PROVIDER';

/**
 * `LocalFederatedSignIn`: NOT an Amazon Cognito API. The embedded mode's stand-in for the pool's
 * managed login (../managed-login) calls it when someone completes its simulated provider's form:
 * it does what Amazon Cognito does when a user comes back from an identity provider.
 */
export interface LocalFederatedSignInRequest {
  UserPoolId: string;
  ClientId: string;
  /** The identity provider's name in the pool (`LocalProvider`). */
  ProviderName: string;
  /** The user's subject at that provider. */
  ProviderUserId: string;
  /** The email the provider asserts (not verified: `email_verified` stays false). */
  Email: string;
  /** Copied into the ID token's `nonce` claim. */
  Nonce?: string;
  /** The scopes of the authorization request (space-separated), for the access token. */
  Scope?: string;
}

export interface LocalFederatedSignInResponse {
  /** The Cognito username signed in: the federated user's, or the user the identity is linked to. */
  Username: string;
  AuthenticationResult: { AccessToken: string; IdToken: string; RefreshToken: string };
}

/**
 * `LocalManagedLoginInitiateAuth` and `LocalManagedLoginRespondToAuthChallenge`: NOT Amazon
 * Cognito APIs. The stand-in's own password sign-in: exactly InitiateAuth and
 * RespondToAuthChallenge (every check of the layer included), plus the `nonce` that a managed
 * login puts in its ID token and the scopes it puts in its access token. InitiateAuth itself never
 * puts a nonce there, and its access tokens have the one scope `aws.cognito.signin.user.admin`.
 */
export type ManagedLoginRequest<R> = R & { Nonce?: string; Scope?: string };

/**
 * `LocalUserInfo`: NOT an Amazon Cognito API. The stand-in's `/oauth2/userInfo`: the user of an
 * access token that has the `openid` scope (GetUser wants `aws.cognito.signin.user.admin`).
 */
export interface LocalUserInfoRequest {
  AccessToken?: string;
}
export interface LocalUserInfoResponse {
  Username: string;
  UserAttributes: { Name: string; Value?: string }[];
}

/** What a managed login's sign-in puts in its tokens. */
interface ManagedLogin {
  nonce?: string;
  scope?: string;
}

/** What the stand-in's operations hand the token generator, through the request's context. */
interface ManagedLoginContext extends Context {
  readonly managedLogin?: ManagedLogin;
}

function withManagedLogin(ctx: Context, login: ManagedLogin): ManagedLoginContext {
  return {
    ...ctx,
    managedLogin: { nonce: login.nonce || undefined, scope: login.scope || undefined },
  };
}

/** The scopes a refresh token was issued with (the emulator's refresh tokens are readable). */
function scopeOf(refreshToken: string | undefined): string | undefined {
  const scope = unverifiedClaims(refreshToken)?.scope;
  return typeof scope === 'string' ? scope : undefined;
}

/** A provider's name or a subject: printable, no spaces, as Cognito takes them in a username. */
const NAME_PART = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]{1,128}$/u;

/** The `identities` claim of an ID token: the attribute's entries, with strings as Cognito writes them. */
function identitiesClaim(identities: IdentityEntry[]): Record<string, unknown>[] {
  return identities.map((entry) => ({
    userId: entry.userId,
    providerName: entry.providerName,
    providerType: entry.providerType,
    issuer: entry.issuer,
    primary: String(entry.primary),
    dateCreated: String(entry.dateCreated),
  }));
}

/** Finds or makes the pool's group of a provider's users, `<UserPoolId>_<ProviderName>`. */
async function providerGroup(
  ctx: Context,
  pool: UserPoolService,
  name: string,
  now: Date,
): Promise<Group> {
  const existing = await pool.getGroupByGroupName(ctx, name);
  if (existing) return existing;
  const group: Group = { GroupName: name, CreationDate: now, LastModifiedDate: now };
  await pool.saveGroup(ctx, group);
  return group;
}

/**
 * The user a provider's identity signs in: the one it is linked to (AdminLinkProviderForUser, or
 * the federated user's own entry), else a federated user made now.
 */
async function userOfIdentity(
  ctx: Context,
  pool: UserPoolService,
  request: LocalFederatedSignInRequest,
  now: Date,
): Promise<User> {
  const { UserPoolId, ProviderName: name, ProviderUserId: id } = request;
  const holder = (await pool.listUsers(ctx)).find((user) =>
    identitiesOf(user).some((entry) => isIdentity(entry, name, id)),
  );
  if (holder) return holder;
  const username = `${name}_${id}`;
  const existing = await pool.getUserByUsername(ctx, username);
  if (existing) return existing;
  const identity: IdentityEntry = {
    userId: id,
    providerName: name,
    providerType: SOCIAL_PROVIDERS.has(name) ? name : 'OIDC',
    issuer: null,
    primary: true,
    dateCreated: now.getTime(),
  };
  const user: User = {
    Username: username,
    Attributes: [
      attribute('sub', randomUUID()),
      attribute('email', request.Email),
      attribute('email_verified', 'false'),
      attribute('identities', JSON.stringify([identity])),
    ],
    Enabled: true,
    UserStatus: EXTERNAL_PROVIDER,
    // Never used: a federated user has no password (password sign-in is refused below).
    Password: randomBytes(32).toString('base64url'),
    UserCreateDate: now,
    UserLastModifiedDate: now,
    RefreshTokens: [],
  };
  await pool.saveUser(ctx, user);
  await pool.addUserToGroup(
    ctx,
    await providerGroup(ctx, pool, `${UserPoolId}_${name}`, now),
    user,
  );
  return user;
}

/**
 * Amazon Cognito: a sign-in through an identity provider of the pool's managed login signs in
 * the user that identity is linked to, or else a federated user that the first sign-in creates:
 * username `<ProviderName>_<subject>`, status EXTERNAL_PROVIDER, an `identities` attribute, member
 * of the automatic group `<UserPoolId>_<ProviderName>`. A managed login's access token has the
 * scopes of the authorization request (and a refresh keeps them), and `/oauth2/userInfo` takes an
 * access token with `openid`. Its ID token carries `identities` and the
 * `nonce` of the authorization request, and `email_verified` as the attribute says (false unless
 * it says "true"). A federated user cannot sign in with a password, and its email is no sign-in
 * alias of the pool.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-identity-federation.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-identity-federation-consolidate-users.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 *
 * cognito-local 5.3.0 has no identity providers, no nonce, no `identities` claim, and its ID
 * tokens say `email_verified: true` for the attribute "false" (any non-empty string).
 */
export function installManagedLogin(): void {
  installFederatedUserRules();

  wrapTokenGenerator((generate) => async (ctx, user, groups, client, metadata, source) => {
    const tokens = await generate(ctx, user, groups, client, metadata, source);
    const { nonce, scope } = (ctx as ManagedLoginContext).managedLogin ?? {};
    const identities = identitiesOf(user);
    const federated = isFederated(user);
    const result = { ...tokens };
    if (nonce || identities.length > 0 || federated) {
      const changed: Record<string, unknown> = { ...unverifiedClaims(tokens.IdToken) };
      // cognito-local writes any non-empty attribute as true. Only a federated user's is put
      // right here: the pool's own users keep "false" after ConfirmSignUp in cognito-local
      // (Cognito sets "true"), which that claim happens to hide.
      if (federated) {
        changed.email_verified = attributeValue('email_verified', user.Attributes) === 'true';
      }
      if (identities.length > 0) changed.identities = identitiesClaim(identities);
      if (nonce) changed.nonce = nonce;
      result.IdToken = resigned(tokens.IdToken, changed);
    }
    if (scope) {
      result.AccessToken = resigned(tokens.AccessToken, {
        ...unverifiedClaims(tokens.AccessToken),
        scope,
      });
      // The sign-in's scopes stay with its refresh token, for the tokens a refresh issues.
      if (tokens.RefreshToken) {
        result.RefreshToken = resigned(tokens.RefreshToken, {
          ...unverifiedClaims(tokens.RefreshToken),
          scope,
        });
      }
    }
    return result;
  });

  // A refresh issues access tokens with the scopes of its sign-in.
  for (const name of ['InitiateAuth', 'AdminInitiateAuth'] as const) {
    wrapTarget(name, (original) => (ctx, request) => {
      const scope = scopeOf(request.AuthParameters?.REFRESH_TOKEN);
      return original(scope ? withManagedLogin(ctx, { scope }) : ctx, request);
    });
  }

  addTarget('LocalUserInfo', (services) => async (ctx, request) => {
    const claims = await checkAccessToken(services, ctx, request.AccessToken ?? '', 'openid');
    const pool = await services.cognito.getUserPoolForClientId(ctx, String(claims.client_id));
    const user = await pool.getUserByUsername(ctx, String(claims.sub));
    if (!user) throw new NotAuthorizedError('Invalid Access Token');
    return {
      Username: user.Username,
      UserAttributes: user.Attributes.map(({ Name, Value }) => ({ Name, Value })),
    };
  });

  addTarget('LocalFederatedSignIn', (services) => async (ctx, request) => {
    const { cognito, clock, tokenGenerator } = services;
    const name = request.ProviderName ?? '';
    if (!NAME_PART.test(name) || name.toLowerCase() === 'cognito') {
      throw new InvalidParameterError('A federated sign-in needs an identity provider.');
    }
    if (!NAME_PART.test(request.ProviderUserId ?? '') || !request.Email) {
      throw new InvalidParameterError('A federated sign-in needs a subject and an email.');
    }
    const client = await cognito.getAppClient(ctx, request.ClientId);
    if (!client || client.UserPoolId !== request.UserPoolId) {
      throw new ResourceNotFoundError('The app client does not exist in this user pool.');
    }
    const pool = await cognito.getUserPool(ctx, request.UserPoolId);
    const user = await userOfIdentity(ctx, pool, request, clock.get());
    if (user.Enabled === false) throw new NotAuthorizedError('User is disabled.');
    await waitPastRevocation(user);
    const groups = await pool.listUserGroupMembership(ctx, user);
    const tokens = await tokenGenerator.generate(
      withManagedLogin(ctx, { nonce: request.Nonce, scope: request.Scope }),
      user,
      groups,
      client,
      undefined,
      'HostedAuth',
    );
    await pool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    return { Username: user.Username, AuthenticationResult: tokens };
  });

  addTarget(
    'LocalManagedLoginInitiateAuth',
    (services) =>
      (ctx, { Nonce, Scope, ...request }) =>
        targetOf('InitiateAuth', services)(
          withManagedLogin(ctx, { nonce: Nonce, scope: Scope }),
          request,
        ),
  );
  addTarget(
    'LocalManagedLoginRespondToAuthChallenge',
    (services) =>
      (ctx, { Nonce, Scope, ...request }) =>
        targetOf('RespondToAuthChallenge', services)(
          withManagedLogin(ctx, { nonce: Nonce, scope: Scope }),
          request,
        ),
  );
}

/** Whether a user was made by a federated sign-in. */
const isFederated = (user: User | null): boolean => user?.UserStatus === EXTERNAL_PROVIDER;

/**
 * A federated user's email is no sign-in alias (the pool's own user with that email is found, or
 * nobody), and a federated user has no password to sign in with.
 */
function installFederatedUserRules(): void {
  const prototype = UserPoolServiceImpl.prototype;
  // Always called with the pool it belongs to as `this` (below).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const byUsername = prototype.getUserByUsername;
  prototype.getUserByUsername = async function getUserByUsername(
    this: UserPoolServiceImpl,
    ctx: Context,
    username: string,
  ): Promise<User | null> {
    const found = await byUsername.call(this, ctx, username);
    if (
      !found ||
      !isFederated(found) ||
      found.Username === username ||
      attributeValue('sub', found.Attributes) === username
    ) {
      return found;
    }
    const own = (await this.listUsers(ctx)).find(
      (user) =>
        !isFederated(user) &&
        (attributeValue('sub', user.Attributes) === username ||
          attributesIncludeMatch('email', username, user.Attributes)),
    );
    return own ?? null;
  };

  for (const name of ['InitiateAuth', 'AdminInitiateAuth'] as const) {
    wrapTarget(name, (original, { cognito }) => async (ctx, request) => {
      const username = request.AuthParameters?.USERNAME;
      if (username !== undefined && request.AuthFlow?.includes('PASSWORD')) {
        const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
        if (isFederated(await pool.getUserByUsername(ctx, username))) {
          throw new NotAuthorizedError('Incorrect username or password.');
        }
      }
      return original(ctx, request);
    });
  }
}
