import type { ProfileDto } from './profile.dto';

/**
 * The profile of the signed-in user: the account as Cognito's GetUser answers it, and the groups
 * from the verified access token (the `sub` and username from the token where GetUser has none).
 */
export function toProfile(
  account: { username: string; attributes: Record<string, string> },
  user: { sub: string; username: string; groups: string[] },
): ProfileDto {
  const { attributes } = account;
  return {
    sub: attributes.sub ?? user.sub,
    username: account.username || user.username,
    email: attributes.email,
    emailVerified: attributes.email_verified === 'true',
    name: attributes.name,
    groups: user.groups,
    attributes,
  };
}
