/**
 * `npm run codes -- [email]`: prints the codes the embedded emulator has issued and not yet
 * consumed, for one user or for all. It reads the emulator's data folder directly, so it works
 * whether or not the API is running.
 */
import { resolve } from 'node:path';
import { loadConfiguration } from '../../config/environment';
import { attributeCodeRecipient, readLocalCodes } from './local-codes';
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
  const rows = readLocalCodes(dataDir, state.userPoolId)
    .flatMap((user) => [
      ...(user.confirmationCode
        ? [[user.email ?? user.username, `confirmation/reset code: ${user.confirmationCode}`]]
        : []),
      ...(user.attributeVerificationCode
        ? [[attributeCodeRecipient(user), `attribute code: ${user.attributeVerificationCode}`]]
        : []),
    ])
    .filter(([recipient]) => !email || recipient.toLowerCase() === email)
    .map(([recipient, code]) => `${recipient}  ${code}`);
  if (rows.length === 0) {
    process.stdout.write(email ? `No pending code for ${email}.\n` : 'No pending codes.\n');
    return email ? 1 : 0;
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
