import type { Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code';
import { tolerate } from '../../common/errors/tolerate';

/**
 * The one allowance the app makes for a Cognito endpoint that lacks an operation.
 *
 * Amazon Cognito and the embedded emulator (behind its layer) have every operation the app
 * calls. Another endpoint set with COGNITO_ENDPOINT, such as LocalStack, may lack some, which
 * then answer 501 `NOT_SUPPORTED_UPSTREAM`. Only a global sign-out (GlobalSignOut,
 * AdminUserGlobalSignOut) is worth going without: ending sessions has two halves, and this
 * service's own (the guard's revocations, made first) still applies, so a logout, a password
 * change or an administrator's action succeeds with a warning instead of failing after the
 * password or the account has changed. Everywhere else, the 501 is the answer.
 */
export async function globalSignOutWhereSupported(
  logger: Logger,
  signOut: () => Promise<unknown>,
): Promise<void> {
  if ((await tolerate([ErrorCode.NOT_SUPPORTED_UPSTREAM], signOut)) !== undefined) {
    logger.warn(
      'The configured Cognito endpoint has no global sign-out: its refresh tokens stay valid ' +
        "there, and only this service's revocations end the sessions",
    );
  }
}
