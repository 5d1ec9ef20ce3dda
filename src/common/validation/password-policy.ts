import type { PasswordPolicy } from '../../config/environment';

/** The special characters Amazon Cognito counts as symbols (a space among them). */
const COGNITO_SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- '.split(''));

/**
 * The policy's unmet rules for a password, in words. Cognito enforces the pool's policy, but not
 * every emulator does; checking here gives the same answer in every mode, before any call.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html
 */
export function passwordPolicyViolations(password: string, policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  if ([...password].length < policy.minimumLength) {
    problems.push(`at least ${policy.minimumLength} characters`);
  }
  if (policy.requireUppercase && !/[A-Z]/.test(password)) problems.push('an uppercase letter');
  if (policy.requireLowercase && !/[a-z]/.test(password)) problems.push('a lowercase letter');
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push('a number');
  if (policy.requireSymbols && ![...password].some((c) => COGNITO_SYMBOLS.has(c))) {
    problems.push('a symbol');
  }
  if (/^\s|\s$/.test(password)) problems.push('no space at the start or end');
  return problems;
}
