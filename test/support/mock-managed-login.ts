import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OAuth2Issuer,
  OAuth2Service,
  type MutableResponse,
  type MutableToken,
} from 'oauth2-mock-server';
import { newRsaKey, signRs256 } from './token-forge';

/** The person the next sign-in at the provider is, as the pool records a federated user. */
export interface MockUser {
  sub: string;
  email: string;
  provider: string;
}

/** Ways a test makes the managed login misbehave, for the sign-ins that follow. */
export interface Faults {
  /** /oauth2/authorize sends the browser back with `error=<this>` instead of a code. */
  authorizeError?: string;
  /** The ID token carries this nonce instead of the authorization request's. */
  idTokenNonce?: string;
  /** The ID token is signed by a key the issuer never published, under the published kid. */
  idTokenForeignKey?: boolean;
  /** The access token is issued to this app client instead. */
  accessTokenClientId?: string;
  /** /oauth2/token answers this status, with this body and content type. */
  tokenFailure?: { status: number; body: string; contentType: string };
}

/** A request /oauth2/token received, as it arrived. */
export interface ReceivedTokenRequest {
  authorization?: string;
  contentType?: string;
  body: Record<string, string>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  scope: string;
  user: MockUser;
  used: boolean;
  authTime: number;
}

export interface MockManagedLoginOptions {
  poolId: string;
  clientId: string;
  clientSecret: string;
  /** The app client's allowed callback URLs. */
  callbackUrls: string[];
  /** The app client's allowed sign-out URLs. */
  logoutUrls: string[];
}

const ENDPOINTS = {
  authorize: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userInfo',
  revoke: '/oauth2/revoke',
  endSession: '/logout',
  jwks: '/.well-known/jwks.json',
};

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify(body));
}

/** `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 2.3.1), or undefined. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * An Amazon Cognito user pool's managed login, played by oauth2-mock-server on loopback, shaped
 * as Cognito serves it: the issuer origin (`cognito-idp.<region>.amazonaws.com/<poolId>`) serves
 * the discovery document and the JWKS; the domain origin serves `/oauth2/authorize`,
 * `/oauth2/token`, `/oauth2/userInfo` and `/logout`. Its tokens carry Cognito's claims for a
 * federated user (`Google_<sub>`, `identities`, the `<pool>_Google` group).
 *
 * It enforces what Cognito enforces and the mock does not: the app client's secret (HTTP Basic),
 * the allowed callback URLs, `redirect_uri` equal to the authorization request's, codes used once,
 * and the PKCE S256 verifier. Those checks run in front of oauth2-mock-server, which is reached
 * only through that front (on a third loopback port): its own PKCE check answers a reused code with
 * `invalid_request` where Cognito answers `invalid_grant`, and its hooks run after that check. The
 * hooks shape the tokens (`beforeTokenSigning`) and the token answer (`beforeResponse`).
 * `faults` makes it misbehave on demand; `stopDomain`/`startDomain` and `stopIssuer`/`startIssuer`
 * make an origin unreachable and back.
 */
export class MockManagedLogin {
  readonly issuerKeys = new OAuth2Issuer();
  readonly service = new OAuth2Service(this.issuerKeys, ENDPOINTS);
  faults: Faults = {};
  /** Who the next sign-in is; a fresh Google user each time unless a test sets one. */
  nextUser?: MockUser;
  readonly tokenRequests: ReceivedTokenRequest[] = [];
  readonly authorizeRequests: URLSearchParams[] = [];
  readonly logoutRequests: URLSearchParams[] = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly foreignKey = newRsaKey();
  private issuerServer = createServer((req, res) => this.onIssuer(req, res));
  private domainServer = createServer((req, res) => void this.onDomain(req, res));
  private readonly mockServer = createServer(this.service.requestHandler);
  private issuerPort = 0;
  private domainPort = 0;
  private mockPort = 0;
  private kid = '';

  private constructor(readonly options: MockManagedLoginOptions) {}

  static async start(options: MockManagedLoginOptions): Promise<MockManagedLogin> {
    const mock = new MockManagedLogin(options);
    const key = await mock.issuerKeys.keys.generate('RS256');
    mock.kid = key.kid;
    mock.issuerPort = await listen(mock.issuerServer);
    mock.domainPort = await listen(mock.domainServer);
    mock.mockPort = await listen(mock.mockServer);
    mock.issuerKeys.url = mock.issuer;
    mock.service.on('beforeTokenSigning', (token: MutableToken, req: IncomingMessage) =>
      mock.shapeToken(token, req),
    );
    mock.service.on('beforeResponse', (response: MutableResponse) => mock.shapeResponse(response));
    mock.service.on('beforeUserinfo', (response: MutableResponse, req: IncomingMessage) =>
      mock.shapeUserInfo(response, req),
    );
    return mock;
  }

  /** The `iss` of the pool's tokens, where its discovery document is. */
  get issuer(): string {
    return `http://127.0.0.1:${this.issuerPort}/${this.options.poolId}`;
  }

  get jwksUri(): string {
    return `${this.issuer}/.well-known/jwks.json`;
  }

  /** The managed login's domain (COGNITO_DOMAIN). */
  get domain(): string {
    return `http://127.0.0.1:${this.domainPort}`;
  }

  /** The user pool group Cognito puts a provider's users in. */
  providerGroup(provider = 'Google'): string {
    return `${this.options.poolId}_${provider}`;
  }

  /** The domain stops answering (connections refused) until `startDomain`. */
  async stopDomain(): Promise<void> {
    await close(this.domainServer);
  }

  async startDomain(): Promise<void> {
    this.domainServer = createServer((req, res) => void this.onDomain(req, res));
    await listen(this.domainServer, this.domainPort);
  }

  /** The issuer origin (discovery, JWKS) stops answering until `startIssuer`. */
  async stopIssuer(): Promise<void> {
    await close(this.issuerServer);
  }

  async startIssuer(): Promise<void> {
    this.issuerServer = createServer((req, res) => this.onIssuer(req, res));
    await listen(this.issuerServer, this.issuerPort);
  }

  async stop(): Promise<void> {
    await Promise.all([close(this.issuerServer), close(this.domainServer), close(this.mockServer)]);
  }

  /** Like Cognito's discovery document: the issuer's, naming the domain's endpoints. */
  discoveryDocument(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: this.jwksUri,
      authorization_endpoint: `${this.domain}${ENDPOINTS.authorize}`,
      token_endpoint: `${this.domain}${ENDPOINTS.token}`,
      userinfo_endpoint: `${this.domain}${ENDPOINTS.userinfo}`,
      revocation_endpoint: `${this.domain}${ENDPOINTS.revoke}`,
      end_session_endpoint: `${this.domain}${ENDPOINTS.endSession}`,
      response_types_supported: ['code', 'token'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    };
  }

  private onIssuer(req: IncomingMessage, res: ServerResponse): void {
    const base = `/${this.options.poolId}`;
    if (req.method === 'GET' && req.url === `${base}/.well-known/openid-configuration`) {
      json(res, 200, this.discoveryDocument());
    } else if (req.method === 'GET' && req.url === `${base}${ENDPOINTS.jwks}`) {
      json(res, 200, { keys: this.issuerKeys.keys.toJSON() });
    } else {
      json(res, 404, { message: 'Not found' });
    }
  }

  private async onDomain(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.domain);
      if (req.method === 'GET' && url.pathname === ENDPOINTS.authorize) {
        await this.authorize(url.searchParams, res);
      } else if (req.method === 'POST' && url.pathname === ENDPOINTS.token) {
        await this.token(req, res);
      } else if (req.method === 'GET' && url.pathname === ENDPOINTS.userinfo) {
        await this.forward(req, res, url);
      } else if (req.method === 'GET' && url.pathname === ENDPOINTS.endSession) {
        this.logout(url.searchParams, res);
      } else {
        json(res, 404, { error: 'not_found' });
      }
    } catch (error) {
      json(res, 500, { error: 'server_error', error_description: String(error) });
    }
  }

  /** Cognito's /oauth2/authorize: a known client, an allowed callback, code with PKCE. */
  private async authorize(query: URLSearchParams, res: ServerResponse): Promise<void> {
    this.authorizeRequests.push(new URLSearchParams(query));
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== this.options.clientId) {
      json(res, 400, { error: 'invalid_request', error_description: 'unknown client' });
      return;
    }
    if (!this.options.callbackUrls.includes(redirectUri)) {
      json(res, 400, { error: 'redirect_mismatch' });
      return;
    }
    if (this.faults.authorizeError) {
      const back = new URL(redirectUri);
      back.searchParams.set('error', this.faults.authorizeError);
      const state = query.get('state');
      if (state) back.searchParams.set('state', state);
      res.writeHead(302, { location: back.href });
      res.end();
      return;
    }
    const upstream = await fetch(
      `http://127.0.0.1:${this.mockPort}${ENDPOINTS.authorize}?${query.toString()}`,
      { redirect: 'manual' },
    );
    const location = upstream.headers.get('location') ?? '';
    const code = new URL(location).searchParams.get('code');
    if (code) {
      const user = this.nextUser ?? {
        sub: `1${randomUUID().replace(/\D/g, '').slice(0, 20)}`,
        email: `federated-${randomUUID().slice(0, 8)}@example.com`,
        provider: query.get('identity_provider') ?? 'Google',
      };
      this.codes.set(code, {
        clientId: this.options.clientId,
        redirectUri,
        codeChallenge: query.get('code_challenge') ?? undefined,
        codeChallengeMethod: query.get('code_challenge_method') ?? undefined,
        scope: query.get('scope') ?? 'openid',
        user,
        used: false,
        authTime: Math.floor(Date.now() / 1000),
      });
    }
    res.writeHead(upstream.status, { location });
    res.end();
  }

  /**
   * Cognito's /oauth2/token for the code grant: the client's id and secret, the code once, the
   * authorization request's redirect_uri, the verifier of its challenge. Errors as Cognito words them.
   */
  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = Object.fromEntries(new URLSearchParams(raw));
    this.tokenRequests.push({
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
    const failure = this.faults.tokenFailure;
    if (failure) {
      res.writeHead(failure.status, { 'content-type': failure.contentType });
      res.end(failure.body);
      return;
    }
    const client = basicCredentials(req.headers.authorization);
    if (client?.id !== this.options.clientId || client.secret !== this.options.clientSecret) {
      json(res, 400, { error: 'invalid_client' });
      return;
    }
    if (body.grant_type !== 'authorization_code') {
      json(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    const issued = this.codes.get(body.code ?? '');
    if (!issued || issued.used || issued.clientId !== client.id) {
      json(res, 400, { error: 'invalid_grant' });
      return;
    }
    issued.used = true;
    if (body.redirect_uri !== issued.redirectUri) {
      json(res, 400, { error: 'invalid_grant' });
      return;
    }
    if (issued.codeChallenge !== undefined) {
      const verifier = body.code_verifier ?? '';
      const expected = issued.codeChallengeMethod === 'S256' ? s256(verifier) : verifier;
      if (!verifier || expected !== issued.codeChallenge) {
        json(res, 400, { error: 'invalid_grant' });
        return;
      }
    }
    await this.forward(req, res, new URL(ENDPOINTS.token, this.domain), raw);
  }

  /** Cognito's /logout: the client, and a sign-out URL it allows; back there. */
  private logout(query: URLSearchParams, res: ServerResponse): void {
    this.logoutRequests.push(new URLSearchParams(query));
    const back = query.get('logout_uri') ?? '';
    if (
      query.get('client_id') !== this.options.clientId ||
      !this.options.logoutUrls.includes(back)
    ) {
      json(res, 400, { error: 'invalid_request' });
      return;
    }
    res.writeHead(302, { location: back });
    res.end();
  }

  /** Hands a request to oauth2-mock-server and its answer back. */
  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body?: string,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(`http://127.0.0.1:${this.mockPort}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
    });
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    });
    res.end(await upstream.text());
  }

  /** Each JWT of the code grant, as Cognito shapes a federated user's ID and access tokens. */
  private shapeToken(token: MutableToken, req: IncomingMessage): void {
    const body = (req as IncomingMessage & { body?: Record<string, string> }).body ?? {};
    const issued = this.codes.get(body.code ?? '');
    if (!issued) return;
    const { user } = issued;
    const payload = token.payload as Record<string, unknown>;
    const username = `${user.provider}_${user.sub}`;
    const originJti = randomUUID();
    const common = {
      sub: poolSubOf(user),
      'cognito:groups': [this.providerGroup(user.provider)],
      iss: this.issuer,
      origin_jti: originJti,
      auth_time: issued.authTime,
      jti: randomUUID(),
    };
    delete payload.nbf;
    if (payload.aud !== undefined) {
      // The ID token: the mock set `aud` to the client of the Basic credentials, and the nonce.
      Object.assign(payload, common, {
        aud: issued.clientId,
        token_use: 'id',
        'cognito:username': username,
        email: user.email,
        email_verified: false,
        identities: [
          {
            userId: user.sub,
            providerName: user.provider,
            providerType: user.provider,
            issuer: null,
            primary: 'true',
            dateCreated: String(issued.authTime * 1000),
          },
        ],
      });
      if (this.faults.idTokenNonce !== undefined) payload.nonce = this.faults.idTokenNonce;
    } else {
      for (const claim of Object.keys(payload)) {
        if (!['iss', 'iat', 'exp'].includes(claim)) delete payload[claim];
      }
      Object.assign(payload, common, {
        version: 2,
        client_id: this.faults.accessTokenClientId ?? issued.clientId,
        token_use: 'access',
        scope: issued.scope,
        username,
      });
    }
  }

  /** The token answer: Cognito's `Bearer`, and an ID token re-signed by a foreign key on demand. */
  private shapeResponse(response: MutableResponse): void {
    const body = response.body as Record<string, unknown>;
    delete body.scope;
    if (this.faults.idTokenForeignKey && typeof body.id_token === 'string') {
      const [header, payload] = body.id_token
        .split('.')
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as object);
      body.id_token = signRs256(
        { ...header, kid: this.kid },
        { ...payload, 'cognito:username': 'admin' },
        this.foreignKey.privateKey,
      );
    }
  }

  private shapeUserInfo(response: MutableResponse, req: IncomingMessage): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const claims = token
      ? (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
          string,
          unknown
        >)
      : {};
    response.body = { sub: claims.sub, username: claims.username };
  }
}

/** The pool's own `sub` of a federated user: stable for one provider identity. */
const poolSubs = new Map<string, string>();
function poolSubOf(user: MockUser): string {
  const key = `${user.provider}_${user.sub}`;
  let sub = poolSubs.get(key);
  if (!sub) {
    sub = randomUUID();
    poolSubs.set(key, sub);
  }
  return sub;
}
