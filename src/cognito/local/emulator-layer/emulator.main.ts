/**
 * The embedded emulator's process: cognito-local behind this project's layer. The app starts it
 * as a child process (../emulator-process.ts) with the data folder as working directory, and the
 * child exits when its IPC channel to the app closes.
 *
 * Each layer adds one Amazon Cognito behaviour that cognito-local 5.3.0 lacks, by wrapping some of
 * its operations or its token generator, or by adding an operation it does not have; then
 * cognito-local's own command-line entry starts the server.
 */
import { installAccessTokenCheck } from './access-token-check.layer';
import { installAdminResetPassword } from './admin-reset-password.layer';
import { installAttributeUpdateSettings } from './attribute-update-settings.layer';
import { installChallengeRefreshToken } from './challenge-refresh-token.layer';
import { installChallengeSessionCheck } from './challenge-session.layer';
import { installDisabledUserRefusal } from './disabled-user.layer';
import { installGlobalSignOut } from './global-sign-out.layer';
import { installGroupRoles } from './group-roles.layer';
import { installManagedLogin } from './managed-login.layer';
import { installPasswordPolicy } from './password-policy.layer';
import { installProviderLinks } from './provider-links.layer';
import { installResendConfirmationCode } from './resend-confirmation-code.layer';
import { installSecretHashCheck } from './secret-hash.layer';
import { installTemporaryPasswordCheck } from './temporary-password.layer';
import { installTokenClaims } from './token-claims.layer';
import { installVerifiedEmailUnique } from './verified-email-unique.layer';

// The data folder holds plain-text passwords and the app client's secret: every file and folder
// the emulator creates is for this user only (0600 / 0700).
process.umask(0o077);

// The operations cognito-local lacks come first, so the checks below wrap them too.
installResendConfirmationCode();
installGlobalSignOut();
installAdminResetPassword();
installProviderLinks();
// The managed login's stand-in (../managed-login): federated users, nonce, `identities` claim.
installManagedLogin();

installChallengeRefreshToken();
installChallengeSessionCheck();
installTemporaryPasswordCheck();
installAttributeUpdateSettings();
installVerifiedEmailUnique();
installTokenClaims();
// The IAM roles of the user's groups in ID tokens, for the identity pool (../identity-pool).
installGroupRoles();
installPasswordPolicy();
installDisabledUserRefusal();
installAccessTokenCheck();
// Last, so it runs first: Cognito authenticates the app client before it looks at the request.
installSecretHashCheck();

// Last, once the layers are in place (an import statement would run first): cognito-local's own
// command-line entry, which starts the server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('cognito-local/lib/bin/start');
