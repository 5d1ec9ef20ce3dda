/**
 * `npm run admin -- grant <email>` (or `revoke <email>`): adds a user to the admin group, or
 * removes them, in the configured mode. In the embedded mode it uses the running emulator, or
 * starts it for the moment; against Amazon Cognito it uses the operator's own AWS credentials.
 */
import {
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { resolve } from 'node:path';
import { ADMIN_GROUP_NAME } from '../common/admin-group';
import { normaliseEmail } from '../common/validation/email-address';
import { loadConfiguration } from '../config/environment';
import { createCognitoClient } from './cognito-client.factory';
import { findFreePort, startEmulatorProcess } from './local/emulator-process';
import { readLocalState } from './local/local-pool';

interface Target {
  endpoint?: string;
  userPoolId: string;
  stop?: () => Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function target(): Promise<Target> {
  const { cognito } = loadConfiguration();
  if (cognito.mode !== 'embedded') {
    return { endpoint: cognito.endpoint, userPoolId: cognito.userPoolId ?? '' };
  }
  const dataDir = resolve(cognito.local.dataDir);
  const state = readLocalState(dataDir);
  if (!state) {
    throw new Error(`No embedded user pool in ${dataDir}: start the API once with npm start.`);
  }
  const running = `http://127.0.0.1:${state.port}`;
  if (state.port && (await answers(`${running}/health`))) {
    return { endpoint: running, userPoolId: state.userPoolId };
  }
  const emulator = await startEmulatorProcess(dataDir, state.port ?? (await findFreePort()));
  return { endpoint: emulator.endpoint, userPoolId: state.userPoolId, stop: () => emulator.stop() };
}

async function main([command, email]: string[]): Promise<number> {
  if (!['grant', 'revoke'].includes(command ?? '') || !email) {
    process.stderr.write('Usage: npm run admin -- grant <email> | revoke <email>\n');
    return 2;
  }
  const checked = normaliseEmail(email);
  if ('problem' in checked) {
    process.stderr.write(`The email ${checked.problem}.\n`);
    return 2;
  }
  const { cognito } = loadConfiguration();
  const where = await target();
  const client = createCognitoClient({
    region: cognito.region,
    endpoint: where.endpoint,
    requestTimeoutMs: cognito.requestTimeoutMs,
    maxAttempts: cognito.maxAttempts,
  });
  const input = {
    UserPoolId: where.userPoolId,
    Username: checked.email,
    GroupName: ADMIN_GROUP_NAME,
  };
  try {
    await client.send(
      command === 'grant'
        ? new AdminAddUserToGroupCommand(input)
        : new AdminRemoveUserFromGroupCommand(input),
    );
  } finally {
    client.destroy();
    await where.stop?.();
  }
  process.stdout.write(
    command === 'grant'
      ? `${input.Username} is now in the ${ADMIN_GROUP_NAME} group. Sign in again: groups appear in new tokens.\n`
      : `${input.Username} is no longer in the ${ADMIN_GROUP_NAME} group.\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `${name === 'UserNotFoundException' ? 'No such user' : `${name}: ${message}`}\n`,
    );
    process.exitCode = 1;
  },
);
