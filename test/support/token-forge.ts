import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FORGE_CLIENT_ID = 'forgeclientid0001';
export const FORGE_KID = 'forge-key-1';

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** Signs `header.payload` with RS256 and a private key. */
export function signRs256(header: object, payload: object, key: KeyObject): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

/** Signs `header.payload` with HS256 and a shared secret. */
export function signHs256(header: object, payload: object, secret: string | Buffer): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsigned(header: object, payload: object): string {
  return `${base64url(header)}.${base64url(payload)}.`;
}

export function newRsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/**
 * A stand-in token issuer for tests: its own RSA key pair, and its JWKS served on 127.0.0.1 with
 * a request counter. The app is pointed at it with COGNITO_ISSUER / COGNITO_JWKS_URI /
 * COGNITO_CLIENT_ID (see `env`), so tests can mint any token, valid or hostile, without a network.
 */
export class TokenForge {
  readonly key = newRsaKey();
  private requests = 0;
  private server?: Server;
  private port = 0;
  readonly poolId = 'local_forge';

  constructor(readonly clientId = FORGE_CLIENT_ID) {}

  static async start(clientId?: string): Promise<TokenForge> {
    const forge = new TokenForge(clientId);
    await forge.listen();
    return forge;
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}/${this.poolId}`;
  }

  get jwksUri(): string {
    return `${this.issuer}/.well-known/jwks.json`;
  }

  /** The variables that make the app trust this issuer (Cognito calls still go to the emulator). */
  get env(): Record<string, string> {
    return {
      COGNITO_ISSUER: this.issuer,
      COGNITO_JWKS_URI: this.jwksUri,
      COGNITO_CLIENT_ID: this.clientId,
    };
  }

  get jwksRequests(): number {
    return this.requests;
  }

  async listen(): Promise<void> {
    const jwk = {
      ...this.key.publicKey.export({ format: 'jwk' }),
      kid: FORGE_KID,
      alg: 'RS256',
      use: 'sig',
    };
    this.server = createServer((request, response) => {
      this.requests++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops serving the JWKS (the port stays reserved for a later `listen`). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const sub = randomUUID();
    return {
      sub,
      username: sub,
      iss: this.issuer,
      client_id: this.clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: now,
      iat: now,
      exp: now + 3600,
      jti: randomUUID(),
      origin_jti: randomUUID(),
      ...overrides,
    };
  }

  /** A valid access token (unless the overrides make it otherwise), signed with the forge's key. */
  accessToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
    return signRs256(
      { alg: 'RS256', kid: FORGE_KID, ...header },
      this.claims(claims),
      this.key.privateKey,
    );
  }

  /** A valid ID token (unless the overrides make it otherwise): `aud` instead of `client_id`. */
  idToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
    const base = this.claims({ token_use: 'id', aud: this.clientId, ...claims });
    delete base.client_id;
    delete base.scope;
    delete base.username;
    return signRs256({ alg: 'RS256', kid: FORGE_KID, ...header }, base, this.key.privateKey);
  }
}
