import { NotAuthorizedError } from 'cognito-local/lib/errors';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wrapTarget } from './wrap-target';

/**
 * Where the issued sessions are kept, in the data folder (the emulator's working directory):
 * Cognito's sessions outlive a restart of the app, so the emulator's, which restarts with it, must
 * too.
 */
const SESSIONS_FILE = join('.cognito', 'challenge-sessions.json');

/** How long a step's session can be answered: Cognito's default AuthSessionValidity. */
const SESSION_MS = 3 * 60 * 1000;

interface IssuedSession {
  /** The Cognito username (the user's id) the session was issued to. */
  username: string;
  challengeName: string;
  expiresAt: number;
}

/**
 * Amazon Cognito: RespondToAuthChallenge answers only a session Cognito issued, for that user and
 * that step, within its lifetime (3 minutes by default), and a session that led to tokens or to
 * the next step is spent; anything else is NotAuthorizedException "Invalid session for the user,
 * session is expired.". A wrong code leaves the session usable, so the user can correct it.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
 *
 * cognito-local 5.3.0 checks no session at all: any string answered any user's step.
 */
export function installChallengeSessionCheck(): void {
  const issued = loadSessions();
  const save = () => writeFileSync(SESSIONS_FILE, JSON.stringify([...issued]), { mode: 0o600 });
  const remember = (
    response: { Session?: string; ChallengeName?: string },
    username: string | undefined,
  ) => {
    const now = Date.now();
    for (const [session, entry] of issued) if (entry.expiresAt <= now) issued.delete(session);
    if (response.Session && response.ChallengeName && username) {
      issued.set(response.Session, {
        username,
        challengeName: response.ChallengeName,
        expiresAt: now + SESSION_MS,
      });
    }
    save();
  };

  wrapTarget('InitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    if (response.Session) {
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const user = await pool.getUserByUsername(ctx, request.AuthParameters?.USERNAME ?? '');
      remember(response, user?.Username);
    }
    return response;
  });

  wrapTarget('AdminInitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    if (response.Session) {
      const pool = await cognito.getUserPool(ctx, request.UserPoolId);
      const user = await pool.getUserByUsername(ctx, request.AuthParameters?.USERNAME ?? '');
      remember(response, user?.Username);
    }
    return response;
  });

  wrapTarget('RespondToAuthChallenge', (original, { cognito }) => async (ctx, request) => {
    const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
    const user = await pool.getUserByUsername(ctx, request.ChallengeResponses?.USERNAME ?? '');
    const session = request.Session ?? '';
    const known = issued.get(session);
    if (
      !known ||
      known.expiresAt <= Date.now() ||
      known.username !== user?.Username ||
      known.challengeName !== request.ChallengeName
    ) {
      throw new NotAuthorizedError('Invalid session for the user, session is expired.');
    }
    const response = await original(ctx, request);
    issued.delete(session);
    remember(response, user.Username);
    return response;
  });
}

function loadSessions(): Map<string, IssuedSession> {
  try {
    return new Map(JSON.parse(readFileSync(SESSIONS_FILE, 'utf8')) as [string, IssuedSession][]);
  } catch {
    // None yet (or a file cut short by a crash: its sessions are lost, as after their expiry).
    return new Map();
  }
}
