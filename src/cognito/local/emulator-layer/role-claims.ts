// The claims of group-roles.layer.ts, apart from it so unit specs load them without cognito-local.

/** A group of the user that has an IAM role. */
export interface RoleGroup {
  name: string;
  roleArn: string;
  /** Lower is preferred; undefined (null in Cognito) comes after every number. */
  precedence?: number;
}

/**
 * The role claims of an ID token for the user's groups that have a role, as Amazon Cognito sets
 * them: `cognito:roles` holds every such group's role (best precedence first), when there is one;
 * `cognito:preferred_role` is the role of the group with the lowest Precedence, a group without a
 * Precedence coming after every group with one. When several groups share that best precedence,
 * it is set only if they all have the same role (otherwise neither takes precedence).
 * https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html
 */
export function roleClaims(groups: readonly RoleGroup[]): Record<string, unknown> {
  if (!groups.length) return {};
  const rank = (group: RoleGroup) => group.precedence ?? Number.POSITIVE_INFINITY;
  const ordered = [...groups].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const roles = [...new Set(ordered.map((group) => group.roleArn))];
  const best = ordered.filter((group) => rank(group) === rank(ordered[0]));
  const preferred = new Set(best.map((group) => group.roleArn));
  return {
    'cognito:roles': roles,
    ...(preferred.size === 1 ? { 'cognito:preferred_role': best[0].roleArn } : {}),
  };
}
