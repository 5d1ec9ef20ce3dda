/**
 * A typed client of the nest-cognito-auth API: the types are generated from the published
 * OpenAPI file (`schema.ts`, by openapi-typescript: `npm run openapi` at the project's root) and
 * the calls go through openapi-fetch, so every path, body and answer is checked by TypeScript.
 *
 * Two ways to be signed in, as the API offers:
 * - **Cookies** (browsers): login sets httpOnly session cookies; requests carry them
 *   (`credentials: 'include'`), and every POST, PUT, PATCH and DELETE gets the `X-XSRF-TOKEN`
 *   header from the XSRF-TOKEN cookie (the CSRF rule), read from `document.cookie`, or from
 *   `csrfToken()` outside a browser.
 * - **Bearer tokens** (any client): give `accessToken()`; a request with it needs no CSRF header.
 *
 * The package is TypeScript source: a bundler (Vite, esbuild, webpack, Next.js with
 * `transpilePackages`) or `tsx` compiles it along with the app.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';

type Schemas = components['schemas'];
/** The tokens of a session (in the body when TOKEN_DELIVERY is `body` or `both`). */
export type Tokens = Schemas['TokensResponseDto'];
/** A step the sign-in needs before tokens: answer it with `POST /auth/challenge`. */
export type Challenge = Schemas['ChallengeResponseDto'];
/** Every step a sign-in can ask for. */
export type ChallengeStep = Schemas['ChallengeStep'];
/** What login and challenge answer: tokens, or the next step. */
export type SignInResult = Tokens | Challenge;
/** The one error body of every failure: `{ statusCode, error, message, requestId }`. */
export type ApiError = Schemas['ErrorResponseDto'];
/** The typed client: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` by path. */
export type AuthClient = Client<paths>;

/** Whether a sign-in answer is a step to answer rather than tokens. */
export function isChallenge(result: SignInResult): result is Challenge {
  return 'nextStep' in result;
}

/** The CSRF token cookie, by the names the API gives it (Secure, with a domain, plain http). */
export const CSRF_COOKIES = ['__Host-XSRF-TOKEN', '__Secure-XSRF-TOKEN', 'XSRF-TOKEN'] as const;

/** The CSRF token in a `Cookie` header or `document.cookie` string, if there is one. */
export function csrfTokenIn(cookies: string): string | undefined {
  const pairs = cookies.split(';').map((pair) => pair.trim());
  for (const name of CSRF_COOKIES) {
    const pair = pairs.find((candidate) => candidate.startsWith(`${name}=`));
    if (pair) return decodeURIComponent(pair.slice(name.length + 1));
  }
  return undefined;
}

export interface AuthClientOptions {
  /** Where the API is, e.g. `https://api.example.com`; `''` for the page's own origin. */
  baseUrl: string;
  /** Bearer mode: the access token to send, asked for on every request (undefined: none). */
  accessToken?: () => string | undefined;
  /**
   * Bearer mode with SYNC_BACKEND=cognito-sync: the session's ID token, sent in `X-Id-Token` to
   * the `/sync` routes only.
   */
  idToken?: () => string | undefined;
  /** Cookie mode outside a browser: the XSRF-TOKEN cookie's value (a browser reads it itself). */
  csrfToken?: () => string | undefined;
  /** The fetch to call (e.g. one with a cookie jar in Node); `globalThis.fetch` by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Whether cookies go along: `include` by default (cross-origin needs the API's CORS_ORIGINS). */
  credentials?: 'include' | 'same-origin' | 'omit';
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function browserCookies(): string {
  const page = globalThis as { document?: { cookie?: string } };
  return page.document?.cookie ?? '';
}

/**
 * A client of the API at `options.baseUrl`. Each answer is `{ data }` or `{ error }` (the one
 * error body), with `response` for the status and headers:
 *
 * ```ts
 * const api = createAuthClient({ baseUrl: '' });
 * const { data, error } = await api.POST('/auth/login', { body: { email, password } });
 * if (data && isChallenge(data)) { ... data.nextStep ... }
 * ```
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    credentials: options.credentials ?? 'include',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use({
    onRequest({ request, schemaPath }) {
      const accessToken = options.accessToken?.();
      if (accessToken) {
        request.headers.set('Authorization', `Bearer ${accessToken}`);
        const idToken = schemaPath.startsWith('/sync/') ? options.idToken?.() : undefined;
        if (idToken) request.headers.set('X-Id-Token', idToken);
      } else if (UNSAFE_METHODS.has(request.method)) {
        // A cookie session's unsafe request: the CSRF token bound to it.
        const csrf = options.csrfToken?.() ?? csrfTokenIn(browserCookies());
        if (csrf) request.headers.set('X-XSRF-TOKEN', csrf);
      }
      return request;
    },
  });
  return client;
}
