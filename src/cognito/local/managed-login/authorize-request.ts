import { COGNITO_PROVIDER, LOCAL_PROVIDER } from './managed-login.pages';

/** The scopes a pool's managed login knows (custom resource-server scopes aside). */
export const SUPPORTED_SCOPES = [
  'openid',
  'email',
  'phone',
  'profile',
  'aws.cognito.signin.user.admin',
];

/** A validated `/oauth2/authorize` request, kept server-side while the person signs in. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state?: string;
  nonce?: string;
  /** The S256 code challenge, when the client sent one. */
  codeChallenge?: string;
  /** `LocalProvider`, `COGNITO`, or undefined for both sign-ins. */
  identityProvider?: string;
}

export type AuthorizeCheck =
  | { kind: 'valid'; request: AuthorizeRequest }
  /** Never redirected: the client or its redirect URI is not the registered one. */
  | { kind: 'page'; message: string }
  /** Sent back to the (valid) redirect URI, in Cognito's form. */
  | { kind: 'redirect'; redirectUri: string; error: string; description: string; state?: string };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether `value` is an address the stand-in may send a browser back to: `http://` on a loopback
 * host (127.0.0.1, localhost, [::1]), any port and path, no credentials, no fragment. A real pool
 * accepts only the exact callback and sign-out URLs of its app client; the stand-in cannot know
 * the app's port before the app listens, so it accepts any loopback address instead.
 */
export function isLoopbackUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'http:' &&
    LOOPBACK_HOSTS.has(url.hostname) &&
    !url.username &&
    !url.password &&
    !url.hash &&
    !value.includes('#')
  );
}

const ONE_VALUE = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'identity_provider',
];

/**
 * Checks an authorization request as Amazon Cognito's `/oauth2/authorize` does: the client and
 * its redirect URI first (a mistake there is shown, never redirected), then the rest, sent back
 * to the redirect URI as `error` and `error_description` with the `state`.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 */
export function checkAuthorizeRequest(query: URLSearchParams, clientId: string): AuthorizeCheck {
  for (const name of ONE_VALUE) {
    if (query.getAll(name).length > 1) {
      return { kind: 'page', message: `The parameter ${name} is given more than once.` };
    }
  }
  if (query.get('client_id') !== clientId) {
    return { kind: 'page', message: 'The client_id is not an app client of this user pool.' };
  }
  const redirectUri = query.get('redirect_uri');
  if (!isLoopbackUrl(redirectUri)) {
    return {
      kind: 'page',
      message:
        'The redirect_uri is not an allowed callback URL (this stand-in allows http:// loopback addresses).',
    };
  }
  const state = query.get('state') ?? undefined;
  const refuse = (error: string, description: string): AuthorizeCheck => ({
    kind: 'redirect',
    redirectUri,
    error,
    description,
    state,
  });

  if (query.get('response_type') !== 'code') {
    return refuse('unsupported_response_type', 'The only response_type here is code.');
  }
  const codeChallenge = query.get('code_challenge') ?? undefined;
  const method = query.get('code_challenge_method');
  if ((codeChallenge !== undefined || method !== null) && method !== 'S256') {
    return refuse('invalid_request', 'code_challenge_method must be S256.');
  }
  if (method !== null && !codeChallenge) {
    return refuse('invalid_request', 'code_challenge is missing.');
  }
  if (codeChallenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    return refuse('invalid_request', 'code_challenge is not an S256 challenge.');
  }
  // None asked for: every scope the app client allows (the embedded client allows them all).
  const scope = (query.get('scope') ?? SUPPORTED_SCOPES.join(' ')).trim();
  const scopes = scope.split(/\s+/).filter(Boolean);
  if (scopes.length === 0 || scopes.some((s) => !SUPPORTED_SCOPES.includes(s))) {
    return refuse('invalid_scope', 'A requested scope is not allowed for this client.');
  }
  const identityProvider = query.get('identity_provider') ?? undefined;
  if (
    identityProvider !== undefined &&
    identityProvider !== LOCAL_PROVIDER &&
    identityProvider !== COGNITO_PROVIDER
  ) {
    return refuse(
      'invalid_request',
      `The identity provider is not enabled for this client: the stand-in has ${LOCAL_PROVIDER} and ${COGNITO_PROVIDER}.`,
    );
  }
  return {
    kind: 'valid',
    request: {
      clientId,
      redirectUri,
      scope: scopes.join(' '),
      state,
      nonce: query.get('nonce') ?? undefined,
      codeChallenge,
      identityProvider,
    },
  };
}
