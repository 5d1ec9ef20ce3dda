import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../loopback-server';
import { sameText } from '../../../common/crypto/same-text';
import { checkAuthorizeRequest, isLoopbackUrl, type AuthorizeRequest } from './authorize-request';
import { authenticateClient } from './client-authentication';
import { SignInLockout } from './sign-in-lockout';
import { ExpiringStore } from './expiring-store';
import {
  SignInRefused,
  type CodeStep,
  type LoginBackend,
  type LoginTokens,
  type PasswordOutcome,
  type TokenRequest,
} from './login-backend.adapter';
import {
  COGNITO_PROVIDER,
  LOCAL_PROVIDER,
  codePage,
  contentSecurityPolicy,
  errorPage,
  signInPage,
} from './managed-login.pages';

/** The loopback address the stand-in listens on. */
/** How long the sign-in page of one authorization request stays usable. */
export const PENDING_TTL_MS = 10 * 60 * 1000;
/** Amazon Cognito's authorization codes are valid for 5 minutes, and once. */
export const CODE_TTL_MS = 5 * 60 * 1000;
/** Form bodies are small: a larger one is refused unread. */
const MAX_BODY_BYTES = 16 * 1024;

export interface ManagedLoginStandInOptions {
  /** The user pool it signs people in to (the embedded emulator). */
  backend: LoginBackend;
  /** The pool's app client, the only client the stand-in serves, and its secret. */
  clientId: string;
  clientSecret: string;
  /** The pool's token issuer (`<emulator>/<poolId>`): the discovery document names it. */
  issuer: string;
  /** The port to listen on; 0 or absent: any free one. */
  port?: number;
  /** The app's NODE_ENV: `production` refuses to start the stand-in. */
  nodeEnv: string;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

/** A sign-in in progress: the validated request, and the code step once a password passed. */
interface PendingSignIn {
  request: AuthorizeRequest;
  step?: CodeStep;
  /** The account the step is for, whose failures a wrong code counts as. */
  email?: string;
}

/** What an authorization code stands for until it is redeemed. */
interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  tokens: LoginTokens;
}

/** What the tokens of a sign-in carry from its authorization request. */
function tokenRequest(request: AuthorizeRequest): TokenRequest {
  return { nonce: request.nonce, scope: request.scope };
}

/** A stable provider subject for an email: the same email is the same provider account. */
export function localProviderSubject(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 21);
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return Promise.reject(
      new HttpError(415, 'The body must be application/x-www-form-urlencoded.'),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'The body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function verifierMatches(verifier: string | null, challenge: string): boolean {
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  return sameText(createHash('sha256').update(verifier).digest('base64url'), challenge);
}

/**
 * The embedded mode's local stand-in for a user pool's managed login (its domain's
 * `/oauth2/authorize`, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, `/logout` and the
 * pool's discovery document), so that "sign in with a provider" works with no AWS account. Its
 * sign-in page offers a simulated identity provider (LocalProvider: any email, no password) and
 * the pool's own email-and-password sign-in; the tokens are the emulator's, genuine pool tokens.
 * Development only: it refuses to start under NODE_ENV=production, listens on 127.0.0.1 only,
 * and accepts any http:// loopback redirect URI.
 */
export class ManagedLoginStandIn {
  private readonly logger = new Logger('ManagedLoginStandIn');
  private readonly pending: ExpiringStore<PendingSignIn>;
  private readonly codes: ExpiringStore<IssuedCode>;
  private readonly lockout: SignInLockout;
  private server?: LoopbackServer;
  /** The stand-in's origin, `http://127.0.0.1:<port>`: the pool domain in the connection. */
  origin = '';
  port = 0;

  private constructor(private readonly options: ManagedLoginStandInOptions) {
    const now = options.now ?? Date.now;
    this.pending = new ExpiringStore(PENDING_TTL_MS, now);
    this.codes = new ExpiringStore(CODE_TTL_MS, now);
    this.lockout = new SignInLockout(now);
  }

  static async start(options: ManagedLoginStandInOptions): Promise<ManagedLoginStandIn> {
    if (options.nodeEnv === 'production') {
      throw new Error(
        'The managed login stand-in is for development only: NODE_ENV=production refuses it.',
      );
    }
    const standIn = new ManagedLoginStandIn(options);
    await standIn.listen(options.port ?? 0);
    return standIn;
  }

  private async listen(port: number): Promise<void> {
    this.server = await LoopbackServer.listen(
      port,
      (req, res) => this.handle(req, res),
      (res, error) => this.fail(res, error),
    );
    this.port = this.server.port;
    this.origin = this.server.origin;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    if (!this.server?.isOwnHost(req)) {
      return this.html(res, 421, errorPage('This server answers only as a loopback address.'));
    }
    const url = new URL(req.url ?? '/', this.origin);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /.well-known/openid-configuration':
        return this.json(res, 200, this.discovery());
      case 'GET /oauth2/authorize':
        return this.authorize(url.searchParams, res);
      case 'POST /login/provider':
        return this.providerSignIn(await readBody(req), res);
      case 'POST /login/password':
        return this.passwordSignIn(await readBody(req), res);
      case 'POST /login/code':
        return this.codeStep(await readBody(req), res);
      case 'POST /oauth2/token':
        return this.token(req, res);
      case 'GET /oauth2/userInfo':
      case 'POST /oauth2/userInfo':
        return this.userInfo(req, res);
      case 'POST /oauth2/revoke':
        return this.revoke(req, res);
      case 'GET /logout':
        return this.logout(url.searchParams, res);
      default:
        return this.html(res, 404, errorPage('Not found.'));
    }
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      this.html(res, error.status, errorPage(error.message));
      return;
    }
    // The name only: a message could hold what a person typed.
    this.logger.error(`A request failed: ${(error as Error)?.name ?? 'unknown error'}`);
    this.html(res, 500, errorPage('The stand-in failed to answer; see the application log.'));
  }

  private discovery(): Record<string, unknown> {
    const { issuer } = this.options;
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${this.origin}/oauth2/authorize`,
      token_endpoint: `${this.origin}/oauth2/token`,
      userinfo_endpoint: `${this.origin}/oauth2/userInfo`,
      end_session_endpoint: `${this.origin}/logout`,
      revocation_endpoint: `${this.origin}/oauth2/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
    };
  }

  // ---- The sign-in page

  private authorize(query: URLSearchParams, res: ServerResponse): void {
    const check = checkAuthorizeRequest(query, this.options.clientId);
    if (check.kind === 'page') return this.html(res, 400, errorPage(check.message));
    if (check.kind === 'redirect') {
      return this.redirect(res, check.redirectUri, {
        error: check.error,
        error_description: check.description,
        state: check.state,
      });
    }
    const requestId = this.pending.put({ request: check.request });
    this.showSignIn(res, requestId, check.request);
  }

  private showSignIn(
    res: ServerResponse,
    requestId: string,
    request: AuthorizeRequest,
    error?: string,
    email?: string,
    status = 200,
  ): void {
    const only = request.identityProvider;
    this.html(
      res,
      status,
      signInPage({
        requestId,
        provider: only !== COGNITO_PROVIDER,
        password: only !== LOCAL_PROVIDER,
        error,
        email,
      }),
    );
  }

  /** The pending sign-in a form names, or an error page when it expired or never existed. */
  private pendingOf(
    body: URLSearchParams,
    res: ServerResponse,
  ): { id: string; pending: PendingSignIn } | undefined {
    const id = body.get('request') ?? '';
    const pending = this.pending.get(id);
    if (!pending) {
      this.html(
        res,
        400,
        errorPage('This sign-in page has expired. Start the sign-in again from the application.'),
      );
      return undefined;
    }
    return { id, pending };
  }

  private async providerSignIn(body: URLSearchParams, res: ServerResponse): Promise<void> {
    const found = this.pendingOf(body, res);
    if (!found) return;
    const { id, pending } = found;
    if (pending.request.identityProvider === COGNITO_PROVIDER) {
      return this.html(res, 400, errorPage('This sign-in does not offer the provider.'));
    }
    const email = (body.get('email') ?? '').trim();
    if (!EMAIL.test(email)) {
      return this.showSignIn(res, id, pending.request, 'Enter an email address.', undefined, 400);
    }
    let tokens: LoginTokens;
    try {
      tokens = await this.options.backend.federatedSignIn(
        { providerName: LOCAL_PROVIDER, providerUserId: localProviderSubject(email), email },
        tokenRequest(pending.request),
      );
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      // Cognito sends a refused federated sign-in back to the client.
      this.pending.take(id);
      return this.redirect(res, pending.request.redirectUri, {
        error: 'invalid_request',
        error_description: error.message,
        state: pending.request.state,
      });
    }
    this.complete(res, id, pending.request, tokens);
  }

  private async passwordSignIn(body: URLSearchParams, res: ServerResponse): Promise<void> {
    const found = this.pendingOf(body, res);
    if (!found) return;
    const { id, pending } = found;
    if (pending.request.identityProvider === LOCAL_PROVIDER) {
      return this.html(res, 400, errorPage('This sign-in does not offer a password.'));
    }
    const email = (body.get('email') ?? '').trim();
    const password = body.get('password') ?? '';
    if (!EMAIL.test(email) || !password) {
      return this.showSignIn(
        res,
        id,
        pending.request,
        'Incorrect username or password.',
        email,
        400,
      );
    }
    const locked = this.lockout.lockedFor(email);
    if (locked > 0) {
      return this.showSignIn(
        res,
        id,
        pending.request,
        `Too many failed attempts. Try again in ${locked} seconds.`,
        email,
        429,
      );
    }
    // Counted before the answer, so attempts sent together each count; a sign-in clears it.
    this.lockout.failed(email);
    const outcome = await this.options.backend.passwordSignIn(
      email,
      password,
      tokenRequest(pending.request),
    );
    this.afterPassword(res, id, pending, outcome, email);
  }

  private async codeStep(body: URLSearchParams, res: ServerResponse): Promise<void> {
    const found = this.pendingOf(body, res);
    if (!found) return;
    const { id, pending } = found;
    if (!pending.step) {
      return this.html(res, 400, errorPage('This sign-in is not waiting for a code.'));
    }
    const code = (body.get('code') ?? '').trim();
    if (!/^\d{4,16}$/.test(code)) {
      return this.html(res, 400, codePage(id, pending.step.name, 'Enter the code.'));
    }
    // Spent before the answer, right or wrong: a code sent together with it finds no step.
    this.pending.update(id, { request: pending.request });
    const { email } = pending;
    if (email) this.lockout.failed(email);
    const outcome = await this.options.backend.answerCode(
      pending.step,
      code,
      tokenRequest(pending.request),
    );
    this.afterPassword(res, id, { request: pending.request }, outcome, email);
  }

  private afterPassword(
    res: ServerResponse,
    id: string,
    pending: PendingSignIn,
    outcome: PasswordOutcome,
    email?: string,
  ): void {
    switch (outcome.kind) {
      case 'signed-in':
        if (email) this.lockout.succeeded(email);
        return this.complete(res, id, pending.request, outcome.tokens);
      case 'code':
        this.pending.update(id, { request: pending.request, step: outcome.step, email });
        return this.html(res, 200, codePage(id, outcome.step.name));
      case 'refused':
        return this.showSignIn(res, id, pending.request, outcome.message, email, 400);
    }
  }

  /** Ends a sign-in: a one-time code for the tokens, sent to the client's redirect URI. */
  private complete(
    res: ServerResponse,
    id: string,
    request: AuthorizeRequest,
    tokens: LoginTokens,
  ): void {
    this.pending.take(id);
    const code = this.codes.put({
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      tokens,
    });
    this.redirect(res, request.redirectUri, { code, state: request.state });
  }

  // ---- The endpoints the client calls

  /**
   * The form body of a request to the token or revocation endpoint from the app client, with its
   * secret (Basic or in the body); undefined once an OAuth error has answered anything else.
   */
  private async authenticatedBody(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<URLSearchParams | undefined> {
    let body: URLSearchParams;
    try {
      body = await readBody(req);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.oauthError(res, 400, 'invalid_request', error.message);
      return undefined;
    }
    const client = authenticateClient(req.headers.authorization, body, this.options);
    if (client.kind === 'invalid-request') {
      this.oauthError(res, 400, 'invalid_request', client.description);
      return undefined;
    }
    if (client.kind === 'invalid-client') {
      if (client.basic) res.setHeader('WWW-Authenticate', 'Basic realm="token"');
      this.oauthError(res, 401, 'invalid_client');
      return undefined;
    }
    return body;
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Pragma', 'no-cache');
    const body = await this.authenticatedBody(req, res);
    if (!body) return;
    const grant = body.get('grant_type');
    if (grant === 'authorization_code') {
      // Taken before any check: a code is spent by its first redemption, right or wrong.
      const issued = this.codes.take(body.get('code'));
      if (!issued || issued.clientId !== this.options.clientId) {
        return this.oauthError(res, 400, 'invalid_grant');
      }
      if (body.get('redirect_uri') !== issued.redirectUri) {
        return this.oauthError(res, 400, 'invalid_grant', 'redirect_uri does not match.');
      }
      if (
        issued.codeChallenge !== undefined &&
        !verifierMatches(body.get('code_verifier'), issued.codeChallenge)
      ) {
        return this.oauthError(res, 400, 'invalid_grant', 'code_verifier does not match.');
      }
      const { tokens } = issued;
      return this.json(res, 200, {
        access_token: tokens.accessToken,
        id_token: tokens.idToken,
        refresh_token: tokens.refreshToken,
        token_type: 'Bearer',
        expires_in: tokens.expiresIn,
      });
    }
    if (grant === 'refresh_token') {
      const refreshToken = body.get('refresh_token');
      const tokens = refreshToken ? await this.options.backend.refresh(refreshToken) : undefined;
      if (!tokens) return this.oauthError(res, 400, 'invalid_grant');
      return this.json(res, 200, {
        access_token: tokens.accessToken,
        id_token: tokens.idToken,
        token_type: 'Bearer',
        expires_in: tokens.expiresIn,
      });
    }
    return this.oauthError(res, 400, 'unsupported_grant_type');
  }

  private async userInfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^Bearer ([\w.~+/=-]+)$/i.exec(req.headers.authorization ?? '');
    const info = match ? await this.options.backend.userInfo(match[1]) : undefined;
    if (!info) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      return this.oauthError(res, 401, 'invalid_token', 'Access token is not valid.');
    }
    this.json(res, 200, info);
  }

  private async revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.authenticatedBody(req, res);
    if (!body) return;
    const token = body.get('token');
    if (!token) return this.oauthError(res, 400, 'invalid_request', 'token is missing.');
    await this.options.backend.revoke(token);
    res.statusCode = 200;
    res.end();
  }

  private logout(query: URLSearchParams, res: ServerResponse): void {
    const logoutUri = query.get('logout_uri');
    if (query.get('client_id') !== this.options.clientId) {
      return this.html(
        res,
        400,
        errorPage('The client_id is not an app client of this user pool.'),
      );
    }
    if (!isLoopbackUrl(logoutUri)) {
      return this.html(
        res,
        400,
        errorPage(
          'The logout_uri is not an allowed sign-out URL (this stand-in allows http:// loopback addresses).',
        ),
      );
    }
    // The stand-in keeps no browser session of its own: there is nothing else to end.
    // As the URL parser writes it: no raw character a header cannot carry (CR, LF, non-ASCII).
    res.statusCode = 302;
    res.setHeader('Location', new URL(logoutUri).href);
    res.end();
  }

  // ---- Answers

  private redirect(
    res: ServerResponse,
    to: string,
    params: Record<string, string | undefined>,
  ): void {
    const url = new URL(to);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    res.statusCode = 302;
    res.setHeader('Location', url.toString());
    res.end();
  }

  private html(res: ServerResponse, status: number, body: string): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', contentSecurityPolicy());
    res.end(body);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }

  private oauthError(
    res: ServerResponse,
    status: number,
    error: string,
    description?: string,
  ): void {
    this.json(res, status, description ? { error, error_description: description } : { error });
  }
}
