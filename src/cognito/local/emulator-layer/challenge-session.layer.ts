import { NotAuthorizedError } from 'cognito-local/lib/errors';
import { readFileSync, writeFileSync } from 'node:fs';
import { SESSIONS_FILE } from './challenge-sessions-file';
import { wrapTarget } from './wrap-target';

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
  wrapTarget('InitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    if (response.Session) {
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const user = await pool.getUserByUsername(ctx, request.AuthParameters?.USERNAME ?? '');
      rememberSession(response, user?.Username);
    }
    return response;
  });

  wrapTarget('AdminInitiateAuth', (original, { cognito }) => async (ctx, request) => {
    const response = await original(ctx, request);
    if (response.Session) {
      const pool = await cognito.getUserPool(ctx, request.UserPoolId);
      const user = await pool.getUserByUsername(ctx, request.AuthParameters?.USERNAME ?? '');
      rememberSession(response, user?.Username);
    }
    return response;
  });

  wrapTarget('RespondToAuthChallenge', (original, { cognito }) => async (ctx, request) => {
    const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
    const user = await pool.getUserByUsername(ctx, request.ChallengeResponses?.USERNAME ?? '');
    const session = request.Session ?? '';
    const known = loadSessions().get(session);
    if (
      !known ||
      known.expiresAt <= Date.now() ||
      known.username !== user?.Username ||
      known.challengeName !== request.ChallengeName
    ) {
      throw new NotAuthorizedError('Invalid session for the user, session is expired.');
    }
    const response = await original(ctx, request);
    rememberSession(response, user.Username, session);
    return response;
  });
}

/**
 * Records the session a step answered with (if any) and forgets the one it spent and the expired
 * ones. The file is read and written synchronously, so concurrent requests cannot interleave.
 */
function rememberSession(
  response: { Session?: string; ChallengeName?: string },
  username: string | undefined,
  spent?: string,
): void {
  const issued = loadSessions();
  const now = Date.now();
  for (const [session, entry] of issued) if (entry.expiresAt <= now) issued.delete(session);
  if (spent) issued.delete(spent);
  if (response.Session && response.ChallengeName && username) {
    issued.set(response.Session, {
      username,
      challengeName: response.ChallengeName,
      expiresAt: now + SESSION_MS,
    });
  }
  writeFileSync(SESSIONS_FILE, JSON.stringify([...issued]), { mode: 0o600 });
}

function loadSessions(): Map<string, IssuedSession> {
  try {
    return new Map(JSON.parse(readFileSync(SESSIONS_FILE, 'utf8')) as [string, IssuedSession][]);
  } catch {
    // None yet (or a file cut short by a crash: its sessions are lost, as after their expiry).
    return new Map();
  }
}
