import { CognitoError, InvalidParameterError, UserNotFoundError } from 'cognito-local/lib/errors';
import type { Context } from 'cognito-local/lib/services/context';
import {
  attribute,
  attributesAppend,
  attributeValue,
  type User,
  type UserPoolService,
} from 'cognito-local/lib/services/userPoolService';
import { SOCIAL_PROVIDERS } from '../../../common/user/social-providers';
import { addTarget } from './wrap-target';

/** Amazon Cognito's limit of federated identities linked to one user. */
export const MAX_LINKED_IDENTITIES = 5;

/** One entry of the `identities` attribute, in the JSON shape Cognito writes. */
export interface IdentityEntry {
  userId: string;
  providerName: string;
  providerType: string;
  issuer: null;
  primary: boolean;
  dateCreated: number;
}

/** A federated identity as the operations name it. */
interface ProviderUser {
  ProviderName?: string;
  ProviderAttributeName?: string;
  ProviderAttributeValue?: string;
}

/** The user's linked identities; an unreadable attribute counts as none. */
export function identitiesOf(user: User): IdentityEntry[] {
  const value = attributeValue('identities', user.Attributes);
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as IdentityEntry[]) : [];
  } catch {
    return [];
  }
}

export const isIdentity = (entry: IdentityEntry, name: string, id: string) =>
  entry.providerName === name && entry.userId === id;

/** The federated identity a request names: a provider other than Cognito, and the subject there. */
function sourceIdentity(source: ProviderUser | undefined): { name: string; id: string } {
  const name = source?.ProviderName ?? '';
  const id = source?.ProviderAttributeValue ?? '';
  if (!name || name === 'Cognito' || !id) {
    throw new InvalidParameterError('A federated identity needs a provider and its subject.');
  }
  return { name, id };
}

async function saveIdentities(
  ctx: Context,
  pool: UserPoolService,
  user: User,
  identities: IdentityEntry[],
  now: Date,
): Promise<void> {
  const others = (user.Attributes ?? []).filter((a) => a.Name !== 'identities');
  await pool.saveUser(ctx, {
    ...user,
    Attributes: attributesAppend(others, attribute('identities', JSON.stringify(identities))),
    UserLastModifiedDate: now,
  });
}

/**
 * Amazon Cognito: AdminLinkProviderForUser links a federated identity to an existing user (listed
 * in the user's `identities` attribute), at most 5 per user and each identity to one user only;
 * AdminDisableProviderForUser removes the link.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminLinkProviderForUser.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableProviderForUser.html
 *
 * cognito-local 5.3.0 has neither (`CognitoLocal#Unsupported`), and no identity providers: any
 * provider name other than Cognito is accepted, so ResourceNotFoundException never comes from it.
 */
export function installProviderLinks(): void {
  addTarget('AdminLinkProviderForUser', ({ cognito, clock }) => async (ctx, request) => {
    const destination = request.DestinationUser;
    if (destination?.ProviderName !== 'Cognito' || !destination.ProviderAttributeValue) {
      throw new InvalidParameterError('The destination user must be a Cognito user.');
    }
    const { name, id } = sourceIdentity(request.SourceUser);
    const pool = await cognito.getUserPool(ctx, request.UserPoolId ?? '');
    const user = await pool.getUserByUsername(ctx, destination.ProviderAttributeValue);
    if (!user) throw new UserNotFoundError('User does not exist.');
    const holder = (await pool.listUsers(ctx)).find((other) =>
      identitiesOf(other).some((entry) => isIdentity(entry, name, id)),
    );
    if (holder && holder.Username !== user.Username) {
      throw new CognitoError(
        'AliasExistsException',
        'This identity is already linked to another user.',
      );
    }
    if (holder) return {};
    const identities = identitiesOf(user);
    if (identities.length >= MAX_LINKED_IDENTITIES) {
      throw new CognitoError('LimitExceededException', 'The user has too many linked identities.');
    }
    const now = clock.get();
    identities.push({
      userId: id,
      providerName: name,
      providerType: SOCIAL_PROVIDERS.has(name) ? name : 'OIDC',
      issuer: null,
      primary: false,
      dateCreated: now.getTime(),
    });
    await saveIdentities(ctx, pool, user, identities, now);
    return {};
  });

  addTarget('AdminDisableProviderForUser', ({ cognito, clock }) => async (ctx, request) => {
    const { name, id } = sourceIdentity(request.User);
    const pool = await cognito.getUserPool(ctx, request.UserPoolId ?? '');
    for (const user of await pool.listUsers(ctx)) {
      const identities = identitiesOf(user);
      const kept = identities.filter((entry) => !isIdentity(entry, name, id));
      if (kept.length !== identities.length) {
        await saveIdentities(ctx, pool, user, kept, clock.get());
      }
    }
    return {};
  });
}
