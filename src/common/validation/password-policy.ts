import { HttpStatus } from '@nestjs/common';
import type { PasswordPolicy } from '../../config/environment';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

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

/** 400 PASSWORD_POLICY naming every rule of the policy the password does not meet. */
export function assertPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const problems = passwordPolicyViolations(password, policy);
  if (problems.length > 0) {
    throw new AppException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.PASSWORD_POLICY,
      `The password must have ${problems.join(', ')}.`,
    );
  }
}
