import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { passwordPolicyViolations } from '../common/validation/password-policy';
import type { PasswordPolicy } from '../config';

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
