import { join } from 'node:path';

/**
 * Where the embedded emulator keeps the sign-in step sessions it issued, relative to its data
 * folder: Cognito's sessions outlive a restart of the app, so the emulator's, which restarts with
 * it, must too. (Apart from the layer, so tests can name it without loading cognito-local.)
 */
export const SESSIONS_FILE = join('.cognito', 'challenge-sessions.json');
