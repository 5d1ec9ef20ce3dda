import type { SealedBox } from '../common/crypto/sealed-box';

/** How the callback hands the sign-in over: session cookies, or a login code for a bearer client. */
export type Delivery = { kind: 'cookies' } | { kind: 'code'; codeChallenge: string };

/** What the authorization request keeps for its callback, sealed in one cookie. */
export interface OAuthState {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  delivery: Delivery;
}

/** Seconds a sign-in may take between /auth/oauth/authorize and the callback. */
export const STATE_TTL_SECONDS = 600;
const CONTEXT = ['oauth-state'];

export function sealState(box: SealedBox, value: OAuthState): string {
  return box.seal(value, STATE_TTL_SECONDS, CONTEXT);
}

/** The state sealed in the cookie, with its id (single use) and expiry; undefined if not ours. */
export function openState(
  box: SealedBox,
  sealed: string | undefined,
): { value: OAuthState; id: string; expiresAt: number } | undefined {
  if (!sealed) return undefined;
  const opened = box.open(sealed, CONTEXT);
  const value = opened?.value as Partial<OAuthState> | undefined;
  if (
    !opened ||
    typeof value?.state !== 'string' ||
    typeof value.nonce !== 'string' ||
    typeof value.codeVerifier !== 'string' ||
    typeof value.returnTo !== 'string' ||
    (value.delivery?.kind !== 'cookies' && value.delivery?.kind !== 'code')
  ) {
    return undefined;
  }
  return { value: value as OAuthState, id: opened.id, expiresAt: opened.expiresAt };
}
