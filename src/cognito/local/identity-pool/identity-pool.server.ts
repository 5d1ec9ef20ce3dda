import { Logger } from '@nestjs/common';
import { JwtVerifier } from 'aws-jwt-verify';
import {
  FetchError,
  JwksNotAvailableInCacheError,
  NonRetryableFetchError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../loopback-server';
import type { Fetcher } from 'aws-jwt-verify/https';
import { IdentityPoolState, MAX_GUEST_IDENTITIES } from './identity-pool-state';

/** The name DescribeIdentityPool gives the stand-in's pool. */
export const IDENTITY_POOL_NAME = 'local-identity-pool';
/** The pool's default role for signed-in users (no role from the token applies). */
export const DEFAULT_AUTHENTICATED_ROLE =
  'arn:aws:iam::000000000000:role/local-identity-pool-authenticated';
/** The pool's role for guests. */
export const UNAUTHENTICATED_ROLE =
  'arn:aws:iam::000000000000:role/local-identity-pool-unauthenticated';
/** Credentials from the enhanced flow are valid for one hour, as Amazon Cognito's. */
export const CREDENTIALS_LIFETIME_SECONDS = 3600;
/** Every session token the stand-in issues starts so. */
export const SESSION_TOKEN_PREFIX = 'local-identity-pool.';
/** Requests are small (an ID token is the largest part): a larger body is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;
const TARGET_PREFIX = 'AWSCognitoIdentityService.';

// Amazon Cognito's constraints on the fields (the service's API reference).
const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;
const POOL_ID = IDENTITY_ID;
const ARN = /^arn:[A-Za-z0-9-]+:[A-Za-z0-9-]*:[A-Za-z0-9-]*:\d{0,12}:.+$/;
const MAX_ID_LENGTH = 55;
const MAX_LOGINS = 10;

// The answers of Amazon Cognito for the same cases. None holds what the request carried.
const ISSUER_MISMATCH = "Invalid login token. Issuer doesn't match providerName";
const INVALID_TOKEN = 'Invalid login token. Not a valid OpenId Connect identity token.';
const EXPIRED_TOKEN = 'Invalid login token. Token expired.';
const WRONG_AUDIENCE = 'Invalid login token. Incorrect token audience.';
const LOGINS_MISMATCH =
  "Logins don't match. Please include at least one valid login for this identity or identity pool.";
const NO_GUESTS = 'Unauthenticated access is not supported for this identity pool.';
const ROLE_NOT_IN_TOKEN =
  'The CustomRoleArn is not one of the roles in the ID token (cognito:roles).';

export interface IdentityPoolStandInOptions {
  /** The embedded data folder: the state is `<dataDir>/identity-pool.json`. */
  dataDir: string;
  /** The region of the pool, the prefix of its ids (`us-east-1`). */
  region: string;
  /** The user pool's issuer (`<emulator>/<userPoolId>`): its ID tokens are the logins. */
  issuer: string;
  /** The user pool's keys (`<issuer>/.well-known/jwks.json`). */
  jwksUri: string;
  /** The app client: an ID token's `aud` must be it. */
  clientId: string;
  /** The pool's AllowUnauthenticatedIdentities. */
  allowGuests: boolean;
  /** The port to listen on; 0: any free one. */
  port: number;
  /** The app's NODE_ENV: `production` refuses to start the stand-in. */
  nodeEnv: string;
  /** The bound on kept guest identities (MAX_GUEST_IDENTITIES; tests lower it). */
  maxGuestIdentities?: number;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

/** An error answer of the protocol: `__type` names it, as Amazon Cognito's do. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const notAuthorized = (message: string) => new ServiceError('NotAuthorizedException', message);

/** The request body's member `name` if it is a string; ServiceErrors as Amazon Cognito's. */
function stringMember(
  body: Record<string, unknown>,
  name: string,
  required: boolean,
): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (!required) return undefined;
    const field = name.charAt(0).toLowerCase() + name.slice(1);
    throw new ServiceError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (typeof value !== 'string') {
    throw new ServiceError('SerializationException', `${name} must be a string.`);
  }
  return value;
}

/** A member's value fails its constraint; the value itself is never repeated. */
function constraint(name: string, rule: string): ServiceError {
  const field = name.charAt(0).toLowerCase() + name.slice(1);
  return new ServiceError(
    'ValidationException',
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${rule}`,
  );
}

function regionalId(body: Record<string, unknown>, name: string): string {
  const value = stringMember(body, name, true) as string;
  if (value.length < 1 || value.length > MAX_ID_LENGTH) {
    throw constraint(name, `Member must have length between 1 and ${MAX_ID_LENGTH}`);
  }
  if (!IDENTITY_ID.test(value)) {
    throw constraint(name, 'Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+');
  }
  return value;
}

/** The Logins map, or undefined when absent or empty. */
function loginsOf(body: Record<string, unknown>): Record<string, string> | undefined {
  const value = body.Logins;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ServiceError('SerializationException', 'Logins must be a map.');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([, token]) => typeof token !== 'string')) {
    throw new ServiceError('SerializationException', 'Logins values must be strings.');
  }
  if (entries.length > MAX_LOGINS) {
    throw constraint('Logins', `Member must have length less than or equal to ${MAX_LOGINS}`);
  }
  return entries.length ? (value as Record<string, string>) : undefined;
}

/** The roles an ID token carries: `cognito:roles` as a JSON array or a comma-separated string. */
export function rolesOf(payload: JwtPayload): string[] {
  const claim = payload['cognito:roles'];
  const roles = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(',') : [];
  return roles
    .filter((role): role is string => typeof role === 'string')
    .map((role) => role.trim())
    .filter(Boolean);
}

/** `length` characters drawn uniformly from `alphabet`. */
function randomText(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += alphabet[randomInt(alphabet.length)];
  return text;
}

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_ALPHABET = `${UPPER_DIGITS}abcdefghijklmnopqrstuvwxyz+/`;

/** Fetches the user pool's JWKS over HTTP (the embedded emulator's); aws-jwt-verify's speaks HTTPS only. */
class JwksFetcher implements Fetcher {
  async fetch(uri: string): Promise<ArrayBuffer> {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
    } catch (error) {
      throw new FetchError(uri, (error as Error).message);
    }
    if (response.status !== 200) {
      throw new NonRetryableFetchError(uri, `Status code is ${response.status}, expected 200`);
    }
    return response.arrayBuffer();
  }
}

/** A login that passed: the user's `sub` and the roles of the token. */
interface VerifiedLogin {
  sub: string;
  payload: JwtPayload;
}

/**
 * The embedded mode's local stand-in for an Amazon Cognito identity pool: the service's own wire
 * protocol (AWS JSON 1.1 on `POST /`, the operation in `X-Amz-Target`, errors as `__type` and
 * `x-amzn-ErrorType`), so the app's unchanged CognitoIdentityClient, pointed at `endpoint`, works
 * as against AWS. It serves the enhanced flow (GetId, GetCredentialsForIdentity) and
 * DescribeIdentityPool for one pool whose only login provider is the embedded user pool:
 * - an identity per user (`sub`), stable across restarts (identity-pool.json), made when a
 *   verified ID token of the pool's app client first asks; guests only when allowed;
 * - the role as "Choose role from token" picks it (CustomRoleArn among `cognito:roles`, else
 *   `cognito:preferred_role`, else the default authenticated role), named in the session token;
 * - credentials that are random, live one hour and are marked local (`LOCAL…` key id, a
 *   `local-identity-pool.` session token): for local AWS emulators that accept any, never AWS.
 * Development only: refused under NODE_ENV=production, listens on 127.0.0.1 only, answers 421
 * to any other Host (DNS rebinding), never logs a token or credential.
 */
export class IdentityPoolStandIn {
  private readonly logger = new Logger('IdentityPoolStandIn');
  private readonly state: IdentityPoolState;
  private readonly verifier;
  private readonly now: () => number;
  private server?: LoopbackServer;
  /** `http://127.0.0.1:<port>`: the client's endpoint. */
  endpoint = '';
  port = 0;
  /** The Logins key it accepts: the issuer without its scheme, as Amazon Cognito's. */
  readonly providerName: string;

  private constructor(private readonly options: IdentityPoolStandInOptions) {
    this.now = options.now ?? Date.now;
    this.state = new IdentityPoolState(
      options.dataDir,
      options.region,
      options.maxGuestIdentities ?? MAX_GUEST_IDENTITIES,
    );
    this.providerName = options.issuer.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    this.verifier = JwtVerifier.create(
      {
        issuer: options.issuer,
        jwksUri: options.jwksUri,
        audience: options.clientId,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== 'id') throw new Error('not an ID token');
          // aws-jwt-verify checks `exp` only when present: a token that never expires is refused.
          if (typeof payload.exp !== 'number') throw new Error('no expiry');
          if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('no subject');
        },
      },
      { jwksCache: new SimpleJwksCache({ fetcher: new JwksFetcher() }) },
    );
  }

  get identityPoolId(): string {
    return this.state.identityPoolId;
  }

  static async start(options: IdentityPoolStandInOptions): Promise<IdentityPoolStandIn> {
    if (options.nodeEnv === 'production') {
      throw new Error(
        'The identity pool stand-in is for development only: NODE_ENV=production refuses it.',
      );
    }
    const standIn = new IdentityPoolStandIn(options);
    await standIn.listen(options.port);
    return standIn;
  }

  private async listen(port: number): Promise<void> {
    this.server = await LoopbackServer.listen(
      port,
      (req, res) => this.handle(req, res),
      (res, error) => this.fail(res, error),
    );
    this.port = this.server.port;
    this.endpoint = this.server.origin;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (!this.server?.isOwnHost(req)) {
      req.resume();
      throw new ServiceError(
        'MisdirectedRequestException',
        'This server answers only as a loopback address.',
        421,
      );
    }
    if (req.method !== 'POST' || req.url !== '/') {
      req.resume();
      throw new ServiceError('UnknownOperationException', 'Not an operation.', 404);
    }
    const target = req.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : '';
    const body = await this.readBody(req);
    switch (operation) {
      case 'GetId':
        return this.answer(res, await this.getId(body));
      case 'GetCredentialsForIdentity':
        return this.answer(res, await this.getCredentialsForIdentity(body));
      case 'DescribeIdentityPool':
        return this.answer(res, this.describeIdentityPool(body));
      default:
        throw new ServiceError(
          'UnknownOperationException',
          /^[A-Za-z]{1,64}$/.test(operation)
            ? `The local identity pool does not support ${operation}.`
            : 'Unknown operation.',
        );
    }
  }

  private readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      req.on('data', (chunk: Buffer) => {
        if (refused) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          refused = true;
          reject(new ServiceError('SerializationException', 'The request is too large.', 413));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (refused) return;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          reject(new ServiceError('SerializationException', 'The body is not JSON.'));
          return;
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          reject(new ServiceError('SerializationException', 'The body must be a JSON object.'));
          return;
        }
        resolve(body as Record<string, unknown>);
      });
      req.on('error', reject);
    });
  }

  private answer(res: ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let failure: ServiceError;
    if (error instanceof ServiceError) {
      failure = error;
    } else {
      // The name only: a message could hold what a request carried.
      this.logger.error(`A request failed: ${(error as Error)?.name ?? 'unknown error'}`);
      failure = new ServiceError('InternalErrorException', 'The stand-in failed to answer.', 500);
    }
    const text = JSON.stringify({ __type: failure.type, message: failure.message });
    res.writeHead(failure.status, {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-ErrorType': failure.type,
      // A refused body is not read: the connection cannot carry another request.
      ...(failure.status === 413 ? { Connection: 'close' } : {}),
    });
    res.end(text);
  }

  /** The pool the request names, which must be this one. */
  private checkPool(body: Record<string, unknown>): void {
    const id = regionalId(body, 'IdentityPoolId');
    if (id !== this.state.identityPoolId || !POOL_ID.test(id)) {
      throw new ServiceError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
    }
  }

  /** The user of the logins: exactly the user pool's key, with a valid ID token of its client. */
  private async verifyLogins(logins: Record<string, string>): Promise<VerifiedLogin> {
    const entries = Object.entries(logins);
    if (entries.length !== 1 || entries[0][0] !== this.providerName) {
      throw notAuthorized(ISSUER_MISMATCH);
    }
    try {
      const payload = await this.verifier.verify(entries[0][1]);
      return { sub: payload.sub as string, payload };
    } catch (error) {
      if (error instanceof JwtExpiredError) throw notAuthorized(EXPIRED_TOKEN);
      if (error instanceof JwtInvalidIssuerError) throw notAuthorized(ISSUER_MISMATCH);
      if (error instanceof JwtInvalidAudienceError) throw notAuthorized(WRONG_AUDIENCE);
      if (error instanceof FetchError || error instanceof JwksNotAvailableInCacheError) {
        this.logger.warn(`The user pool's keys could not be fetched: ${error.name}`);
        throw new ServiceError(
          'ExternalServiceException',
          "The user pool's signing keys are not available.",
        );
      }
      throw notAuthorized(INVALID_TOKEN);
    }
  }

  private async getId(body: Record<string, unknown>): Promise<{ IdentityId: string }> {
    // The body's form first, as the service's own deserializer does, then the pool.
    const logins = loginsOf(body);
    stringMember(body, 'AccountId', false);
    this.checkPool(body);
    if (logins) {
      const { sub } = await this.verifyLogins(logins);
      return { IdentityId: this.state.userIdentity(sub) };
    }
    if (!this.options.allowGuests) throw notAuthorized(NO_GUESTS);
    return { IdentityId: this.state.newGuestIdentity() };
  }

  private async getCredentialsForIdentity(body: Record<string, unknown>) {
    const identityId = regionalId(body, 'IdentityId');
    const customRoleArn = stringMember(body, 'CustomRoleArn', false);
    if (customRoleArn !== undefined && (customRoleArn.length > 2048 || !ARN.test(customRoleArn))) {
      throw constraint('CustomRoleArn', 'Member must be an ARN of length 20 to 2048');
    }
    const logins = loginsOf(body);
    const identity = this.state.identity(identityId);
    if (!identity) {
      throw new ServiceError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
    }
    let role: string;
    if (identity.kind === 'guest') {
      if (!this.options.allowGuests) throw notAuthorized(NO_GUESTS);
      // Linking a login to a guest identity is not part of the stand-in.
      if (logins) throw notAuthorized(LOGINS_MISMATCH);
      if (customRoleArn !== undefined) throw notAuthorized(ROLE_NOT_IN_TOKEN);
      role = UNAUTHENTICATED_ROLE;
    } else {
      if (!logins) throw notAuthorized(LOGINS_MISMATCH);
      const login = await this.verifyLogins(logins);
      if (login.sub !== identity.sub) throw notAuthorized(LOGINS_MISMATCH);
      role = this.chooseRole(login.payload, customRoleArn);
    }
    return { IdentityId: identityId, Credentials: this.credentials(identityId, role) };
  }

  /**
   * Amazon Cognito's "Choose role from token": the CustomRoleArn when it is one of the token's
   * `cognito:roles` (refused otherwise), else `cognito:preferred_role`, else the default
   * authenticated role (the AmbiguousRoleResolution `AuthenticatedRole`).
   */
  private chooseRole(payload: JwtPayload, customRoleArn: string | undefined): string {
    const roles = rolesOf(payload);
    if (customRoleArn !== undefined) {
      if (!roles.includes(customRoleArn)) throw notAuthorized(ROLE_NOT_IN_TOKEN);
      return customRoleArn;
    }
    const preferred = payload['cognito:preferred_role'];
    if (typeof preferred === 'string' && preferred) return preferred;
    return DEFAULT_AUTHENTICATED_ROLE;
  }

  /**
   * Fresh random credentials, marked local. The session token names the role and identity they
   * stand for (readable, not a secret of the stand-in), so local tools can tell which was chosen.
   */
  private credentials(identityId: string, role: string) {
    const expiration = Math.floor(this.now() / 1000) + CREDENTIALS_LIFETIME_SECONDS;
    const claims = Buffer.from(JSON.stringify({ role, identityId, exp: expiration })).toString(
      'base64url',
    );
    return {
      AccessKeyId: `LOCAL${randomText(UPPER_DIGITS, 15)}`,
      SecretKey: randomText(SECRET_ALPHABET, 40),
      SessionToken: `${SESSION_TOKEN_PREFIX}${claims}.${randomBytes(32).toString('base64url')}`,
      // Epoch seconds: the protocol's timestamp format, which the SDK reads into a Date.
      Expiration: expiration,
    };
  }

  private describeIdentityPool(body: Record<string, unknown>) {
    this.checkPool(body);
    return {
      IdentityPoolId: this.state.identityPoolId,
      IdentityPoolName: IDENTITY_POOL_NAME,
      AllowUnauthenticatedIdentities: this.options.allowGuests,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [
        {
          ProviderName: this.providerName,
          ClientId: this.options.clientId,
          ServerSideTokenCheck: false,
        },
      ],
    };
  }
}
