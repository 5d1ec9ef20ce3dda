import type { Context } from 'cognito-local/lib/services/context';
import { UserPoolServiceImpl, type User } from 'cognito-local/lib/services/userPoolService';
import { unverifiedClaims } from '../../../common/jwt/unverified-claims';
import { roleClaims, type RoleGroup } from './role-claims';
import { resigned } from './token-claims.layer';
import { wrapTokenGenerator } from './wrap-token-generator';

/**
 * The role groups behind each list of group names the pool gave, keyed by that very array: every
 * caller of the token generator (sign-in, refresh, challenges, the OAuth endpoint, the managed
 * login's layer) passes it the array `listUserGroupMembership` returned, unchanged, and a new one
 * is made for every call, so the entry is the membership of that sign-in, and is forgotten with it.
 */
const roleGroupsOf = new WeakMap<readonly string[], readonly RoleGroup[]>();

/**
 * Amazon Cognito puts the IAM roles of the user's groups (a group's RoleArn, by Precedence) in the
 * ID token as `cognito:roles` and `cognito:preferred_role`, which an identity pool reads to choose
 * the role ("Choose role from token"); tokens that a refresh issues carry the groups of that time.
 * cognito-local 5.3.0 keeps each group's RoleArn and Precedence but puts no role in tokens: its
 * token generator is given the group names only.
 *
 * The layer wraps the pool's `listUserGroupMembership`, which every token issue asks first, to
 * remember the role groups of the names it returns (roleGroupsOf), and the token generator, to
 * add their claims to the ID token. The membership it reports is the emulator's own: the groups
 * are looked up only for their role and precedence.
 */
export function installGroupRoles(): void {
  const prototype = UserPoolServiceImpl.prototype;
  // Always called with the pool it belongs to as `this` (below).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const listMembership = prototype.listUserGroupMembership;
  prototype.listUserGroupMembership = async function listUserGroupMembership(
    this: UserPoolServiceImpl,
    ctx: Context,
    user: User,
  ): Promise<readonly string[]> {
    const names = await listMembership.call(this, ctx, user);
    const member = new Set(names);
    const roleGroups = (await this.listGroups(ctx))
      .filter((group) => member.has(group.GroupName) && group.RoleArn)
      .map((group) => ({
        name: group.GroupName,
        roleArn: group.RoleArn as string,
        precedence: typeof group.Precedence === 'number' ? group.Precedence : undefined,
      }));
    roleGroupsOf.set(names, roleGroups);
    return names;
  };

  wrapTokenGenerator((generate) => async (ctx, user, groups, client, metadata, source) => {
    const tokens = await generate(ctx, user, groups, client, metadata, source);
    const claims = roleClaims(roleGroupsOf.get(groups) ?? []);
    if (!Object.keys(claims).length) return tokens;
    return {
      ...tokens,
      IdToken: resigned(tokens.IdToken, { ...unverifiedClaims(tokens.IdToken), ...claims }),
    };
  });
}
