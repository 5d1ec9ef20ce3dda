/**
 * `npm run codes -- [email]`: prints the codes the embedded emulator has issued and not yet
 * consumed, for one user or for all. It reads the emulator's data folder directly, so it works
 * whether or not the API is running.
 */
import { resolve } from 'node:path';
import { loadConfiguration } from '../../config/environment';
import { readLocalCodes } from './local-codes';
import { readLocalState } from './local-pool';

function main(argv: string[]): number {
  const email = argv[0]?.trim().toLowerCase();
  const dataDir = resolve(loadConfiguration().cognito.local.dataDir);
  const state = readLocalState(dataDir);
  if (!state) {
    process.stderr.write(
      `No embedded user pool in ${dataDir}. Start the API once with npm start.\n`,
    );
    return 1;
  }
  const users = readLocalCodes(dataDir, state.userPoolId).filter(
    (user) => !email || user.email?.toLowerCase() === email,
  );
  const rows = users.flatMap((user) => [
    ...(user.confirmationCode
      ? [`${user.email ?? user.username}  confirmation/reset code: ${user.confirmationCode}`]
      : []),
    ...(user.attributeVerificationCode
      ? [`${user.email ?? user.username}  attribute code: ${user.attributeVerificationCode}`]
      : []),
  ]);
  if (rows.length === 0) {
    process.stdout.write(email ? `No pending code for ${email}.\n` : 'No pending codes.\n');
    return email ? 1 : 0;
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
