/**
 * The injection token of the key every sealed value of the sign-in flows derives from
 * (CHALLENGE_SESSION_KEY, or the embedded mode's own): the sessions of sign-in steps, and the state
 * and login codes of a sign-in with a provider, each under its own purpose (SealedBox). The auth
 * module provides it.
 */
export const SEALING_KEY = Symbol('SEALING_KEY');
