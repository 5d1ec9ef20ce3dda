import { sameText } from '../../../common/crypto/same-text';

/** How a token request authenticated its client, or why it did not. */
export type ClientAuthentication =
  | { kind: 'authenticated'; clientId: string }
  /** 401 invalid_client: unknown client, wrong or missing secret. */
  | { kind: 'invalid-client'; basic: boolean }
  /** 400 invalid_request: two methods at once, or a malformed header. */
  | { kind: 'invalid-request'; description: string };

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they go into the Basic header. */
function formDecoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Authenticates the client of a token or revocation request as Amazon Cognito's token endpoint
 * does for an app client with a secret: `client_secret_basic` (Authorization: Basic) or
 * `client_secret_post` (client_id and client_secret in the body), one of them only.
 */
export function authenticateClient(
  authorization: string | undefined,
  body: URLSearchParams,
  client: { clientId: string; clientSecret: string },
): ClientAuthentication {
  let clientId: string | undefined;
  let secret: string | undefined;
  const basic = authorization !== undefined && /^basic /i.test(authorization);
  if (basic) {
    if (body.has('client_secret')) {
      return { kind: 'invalid-request', description: 'Use one client authentication method.' };
    }
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'invalid-client', basic };
    clientId = formDecoded(decoded.slice(0, colon));
    secret = formDecoded(decoded.slice(colon + 1));
    const bodyClient = body.get('client_id');
    if (bodyClient !== null && bodyClient !== clientId) {
      return { kind: 'invalid-request', description: 'client_id does not match the credentials.' };
    }
  } else {
    clientId = body.get('client_id') ?? undefined;
    secret = body.get('client_secret') ?? undefined;
  }
  if (
    clientId !== client.clientId ||
    secret === undefined ||
    !sameText(client.clientSecret, secret)
  ) {
    return { kind: 'invalid-client', basic };
  }
  return { kind: 'authenticated', clientId };
}
