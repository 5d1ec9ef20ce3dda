import {
  CognitoIdentityClient,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
} from '@aws-sdk/client-cognito-identity';
import signingKey from 'cognito-local/lib/keys/cognitoLocal.private.json';
import publicKey from 'cognito-local/lib/keys/cognitoLocal.public.json';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_POOL_FILE } from './identity-pool-state';
import {
  CREDENTIALS_LIFETIME_SECONDS,
  DEFAULT_AUTHENTICATED_ROLE,
  IdentityPoolStandIn,
  UNAUTHENTICATED_ROLE,
  type IdentityPoolStandInOptions,
} from './identity-pool.server';

const REGION = 'eu-west-1';
const CLIENT_ID = 'localclient0001';
const ROLE_A = 'arn:aws:iam::000000000000:role/readers';
const ROLE_B = 'arn:aws:iam::000000000000:role/writers';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT signed like the embedded emulator's (its key and header), or with another key. */
function signed(claims: Record<string, unknown>, pem: string = signingKey.pem): string {
  const body = `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'CognitoLocal' })}.${base64url(claims)}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(pem, 'base64url')}`;
}

/** The session token's readable part: the role and identity the credentials stand for. */
function sessionClaims(token: string | undefined): { role: string; identityId: string } {
  return JSON.parse(Buffer.from((token ?? '').split('.')[1], 'base64url').toString('utf8')) as {
    role: string;
    identityId: string;
  };
}

describe('IdentityPoolStandIn (through CognitoIdentityClient)', () => {
  let jwks: Server;
  let issuer: string;
  let dataDir: string;
  let standIn: IdentityPoolStandIn;
  let client: CognitoIdentityClient;

  /** The user pool's ID token for `sub`, as the emulator issues it (unless overridden). */
  function idToken(sub: string, overrides: Record<string, unknown> = {}, pem?: string): string {
    const now = Math.floor(Date.now() / 1000);
    return signed(
      {
        sub,
        aud: CLIENT_ID,
        iss: issuer,
        token_use: 'id',
        'cognito:username': sub,
        auth_time: now,
        iat: now,
        exp: now + 3600,
        jti: randomUUID(),
        ...overrides,
      },
      pem,
    );
  }

  async function start(overrides: Partial<IdentityPoolStandInOptions> = {}) {
    standIn = await IdentityPoolStandIn.start({
      dataDir,
      region: REGION,
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      clientId: CLIENT_ID,
      allowGuests: false,
      port: 0,
      nodeEnv: 'test',
      ...overrides,
    });
    client?.destroy();
    client = new CognitoIdentityClient({
      region: REGION,
      endpoint: standIn.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  }

  async function restart(overrides: Partial<IdentityPoolStandInOptions> = {}) {
    await standIn.stop();
    await start(overrides);
  }

  const logins = (token: string) => ({ [standIn.providerName]: token });

  function getId(token?: string) {
    return client.send(
      new GetIdCommand({
        IdentityPoolId: standIn.identityPoolId,
        Logins: token ? logins(token) : undefined,
      }),
    );
  }

  function credentials(identityId: string | undefined, token?: string, customRoleArn?: string) {
    return client.send(
      new GetCredentialsForIdentityCommand({
        IdentityId: identityId,
        Logins: token ? logins(token) : undefined,
        CustomRoleArn: customRoleArn,
      }),
    );
  }

  /** The error `promise` rejects with: its name (`__type`) and message. */
  async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
    try {
      await promise;
    } catch (error) {
      return {
        name: (error as Error).name,
        message: (error as Error).message,
      };
    }
    throw new Error('expected a refusal');
  }

  beforeAll(async () => {
    jwks = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicKey.jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/local_pool1`;
  });

  afterAll(async () => {
    jwks.closeAllConnections();
    await new Promise((resolve) => jwks.close(resolve));
  });

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'identity-pool-'));
    await start();
  });

  afterEach(async () => {
    client.destroy();
    await standIn.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('its pool', () => {
    it('has a regional id, a provider name that is the issuer without its scheme, and a loopback endpoint', () => {
      expect(standIn.identityPoolId).toMatch(
        /^eu-west-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(standIn.providerName).toBe(issuer.replace('http://', ''));
      expect(standIn.endpoint).toBe(`http://127.0.0.1:${standIn.port}`);
    });

    it('is described as the SDK reads it', async () => {
      const pool = await client.send(
        new DescribeIdentityPoolCommand({ IdentityPoolId: standIn.identityPoolId }),
      );
      expect(pool).toMatchObject({
        IdentityPoolId: standIn.identityPoolId,
        IdentityPoolName: 'local-identity-pool',
        AllowUnauthenticatedIdentities: false,
        AllowClassicFlow: false,
        CognitoIdentityProviders: [
          { ProviderName: standIn.providerName, ClientId: CLIENT_ID, ServerSideTokenCheck: false },
        ],
      });
    });

    it('keeps its id and state file (0600) across a restart', async () => {
      const id = standIn.identityPoolId;
      await restart();
      expect(standIn.identityPoolId).toBe(id);
      expect(statSync(join(dataDir, IDENTITY_POOL_FILE)).mode & 0o777).toBe(0o600);
    });

    it('refuses to start under NODE_ENV=production', async () => {
      await expect(
        IdentityPoolStandIn.start({
          dataDir,
          region: REGION,
          issuer,
          jwksUri: `${issuer}/.well-known/jwks.json`,
          clientId: CLIENT_ID,
          allowGuests: true,
          port: 0,
          nodeEnv: 'production',
        }),
      ).rejects.toThrow(/production/);
    });

    it('refuses to start on a state file it cannot read, rather than give everyone new identities', async () => {
      await standIn.stop();
      const file = join(dataDir, IDENTITY_POOL_FILE);
      writeFileSync(file, '{"version":1');
      await expect(start()).rejects.toThrow(/delete it/);
      await start({ dataDir: mkdtempSync(join(tmpdir(), 'identity-pool-')) });
    });

    it('answers an unknown pool with ResourceNotFoundException', async () => {
      const other = `${REGION}:${randomUUID()}`;
      expect(
        await failure(client.send(new GetIdCommand({ IdentityPoolId: other, Logins: {} }))),
      ).toEqual({
        name: 'ResourceNotFoundException',
        message: `IdentityPool '${other}' not found.`,
      });
      expect(
        (await failure(client.send(new DescribeIdentityPoolCommand({ IdentityPoolId: other }))))
          .name,
      ).toBe('ResourceNotFoundException');
    });
  });

  describe('GetId with the user pool ID token', () => {
    it('gives each user one identity, the same on every call and after a restart', async () => {
      const alice = randomUUID();
      const first = (await getId(idToken(alice))).IdentityId;
      expect(first).toMatch(/^eu-west-1:[0-9a-f-]{36}$/);
      expect((await getId(idToken(alice))).IdentityId).toBe(first);
      await restart();
      expect((await getId(idToken(alice))).IdentityId).toBe(first);
    });

    it('gives two users two identities', async () => {
      const alice = (await getId(idToken(randomUUID()))).IdentityId;
      const bob = (await getId(idToken(randomUUID()))).IdentityId;
      expect(alice).not.toBe(bob);
    });

    it('refuses a Logins key other than the user pool', async () => {
      const token = idToken(randomUUID());
      const refusal = await failure(
        client.send(
          new GetIdCommand({
            IdentityPoolId: standIn.identityPoolId,
            Logins: { 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other': token },
          }),
        ),
      );
      expect(refusal).toEqual({
        name: 'NotAuthorizedException',
        message: "Invalid login token. Issuer doesn't match providerName",
      });
      // A second key beside the right one is refused too.
      expect(
        await failure(
          client.send(
            new GetIdCommand({
              IdentityPoolId: standIn.identityPoolId,
              Logins: { ...logins(token), 'accounts.google.com': token },
            }),
          ),
        ),
      ).toEqual(refusal);
    });

    it.each([
      ['another issuer', { iss: 'http://127.0.0.1:1/local_other' }, "Issuer doesn't match"],
      ['another app client', { aud: 'otherclient' }, 'Incorrect token audience'],
      ['an access token', { token_use: 'access', client_id: CLIENT_ID }, 'Not a valid'],
      ['a token without an audience', { aud: undefined }, 'Incorrect token audience'],
      ['an expired token', { exp: Math.floor(Date.now() / 1000) - 10 }, 'Token expired'],
      ['a token that never expires', { exp: undefined }, 'Not a valid'],
    ])('refuses %s (NotAuthorizedException, the token not repeated)', async (_, claims, text) => {
      const token = idToken(randomUUID(), claims);
      const refusal = await failure(getId(token));
      expect(refusal.name).toBe('NotAuthorizedException');
      expect(refusal.message).toContain(text);
      expect(refusal.message).not.toContain(token.split('.')[1]);
    });

    it('refuses a token signed with another key, or altered after signing', async () => {
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString();
      expect((await failure(getId(idToken(randomUUID(), {}, otherKey)))).name).toBe(
        'NotAuthorizedException',
      );
      const [header, , signature] = idToken(randomUUID()).split('.');
      const altered = `${header}.${base64url({ sub: 'x', aud: CLIENT_ID, iss: issuer, token_use: 'id', exp: 4e9 })}.${signature}`;
      expect(await failure(getId(altered))).toEqual({
        name: 'NotAuthorizedException',
        message: 'Invalid login token. Not a valid OpenId Connect identity token.',
      });
      expect((await failure(getId('not-a-jwt'))).name).toBe('NotAuthorizedException');
    });

    it('answers ExternalServiceException while the user pool keys cannot be fetched', async () => {
      await restart({ jwksUri: 'http://127.0.0.1:1/local_pool1/.well-known/jwks.json' });
      expect(await failure(getId(idToken(randomUUID())))).toEqual({
        name: 'ExternalServiceException',
        message: "The user pool's signing keys are not available.",
      });
    });
  });

  describe('guests', () => {
    it('are refused when the pool does not allow them', async () => {
      expect(await failure(getId())).toEqual({
        name: 'NotAuthorizedException',
        message: 'Unauthenticated access is not supported for this identity pool.',
      });
    });

    it('get a new identity each time and the unauthenticated role when allowed', async () => {
      await restart({ allowGuests: true });
      const first = (await getId()).IdentityId;
      const second = (await getId()).IdentityId;
      expect(first).toMatch(/^eu-west-1:/);
      expect(second).not.toBe(first);
      const answer = await credentials(first);
      expect(answer.IdentityId).toBe(first);
      expect(sessionClaims(answer.Credentials?.SessionToken)).toEqual({
        role: UNAUTHENTICATED_ROLE,
        identityId: first,
        exp: expect.any(Number),
      });
      // A guest identity outlives a restart; not once guests are turned off.
      await restart({ allowGuests: true });
      expect((await credentials(first)).IdentityId).toBe(first);
      await restart({ allowGuests: false });
      expect((await failure(credentials(first))).name).toBe('NotAuthorizedException');
    });

    it('are kept up to the bound, the oldest dropped first', async () => {
      await restart({ allowGuests: true, maxGuestIdentities: 2 });
      const oldest = (await getId()).IdentityId;
      const kept = [(await getId()).IdentityId, (await getId()).IdentityId];
      expect((await failure(credentials(oldest))).name).toBe('ResourceNotFoundException');
      for (const id of kept) expect((await credentials(id)).IdentityId).toBe(id);
      const state = JSON.parse(readFileSync(join(dataDir, IDENTITY_POOL_FILE), 'utf8')) as {
        guests: string[];
      };
      expect(state.guests).toEqual(kept);
    });

    it('cannot present Logins on a guest identity, nor a CustomRoleArn', async () => {
      await restart({ allowGuests: true });
      const guest = (await getId()).IdentityId;
      expect((await failure(credentials(guest, idToken(randomUUID())))).name).toBe(
        'NotAuthorizedException',
      );
      expect((await failure(credentials(guest, undefined, ROLE_A))).name).toBe(
        'NotAuthorizedException',
      );
    });
  });

  describe('GetCredentialsForIdentity', () => {
    it('gives fresh credentials marked local, for one hour, read by the SDK', async () => {
      const sub = randomUUID();
      const token = idToken(sub);
      const identityId = (await getId(token)).IdentityId;
      const before = Date.now();
      const first = await credentials(identityId, token);
      const second = await credentials(identityId, token);
      expect(first.IdentityId).toBe(identityId);
      const creds = first.Credentials;
      expect(creds?.AccessKeyId).toMatch(/^LOCAL[A-Z0-9]{15}$/);
      expect(creds?.SecretKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
      expect(creds?.SessionToken).toMatch(/^local-identity-pool\./);
      expect(creds?.Expiration).toBeInstanceOf(Date);
      const lifetime = ((creds?.Expiration?.getTime() ?? 0) - before) / 1000;
      expect(lifetime).toBeGreaterThan(CREDENTIALS_LIFETIME_SECONDS - 5);
      expect(lifetime).toBeLessThanOrEqual(CREDENTIALS_LIFETIME_SECONDS);
      expect(CREDENTIALS_LIFETIME_SECONDS).toBe(3600);
      expect(second.Credentials?.AccessKeyId).not.toBe(creds?.AccessKeyId);
      expect(second.Credentials?.SecretKey).not.toBe(creds?.SecretKey);
      expect(second.Credentials?.SessionToken).not.toBe(creds?.SessionToken);
      expect(sessionClaims(creds?.SessionToken).role).toBe(DEFAULT_AUTHENTICATED_ROLE);
    });

    it('needs the identity owner’s token', async () => {
      const token = idToken(randomUUID());
      const identityId = (await getId(token)).IdentityId;
      expect(await failure(credentials(identityId))).toEqual({
        name: 'NotAuthorizedException',
        message:
          "Logins don't match. Please include at least one valid login for this identity or identity pool.",
      });
      expect((await failure(credentials(identityId, idToken(randomUUID())))).name).toBe(
        'NotAuthorizedException',
      );
      const expired = idToken(randomUUID(), { exp: Math.floor(Date.now() / 1000) - 1 });
      expect((await failure(credentials(identityId, expired))).name).toBe('NotAuthorizedException');
    });

    it('answers an unknown identity with ResourceNotFoundException, a malformed one with ValidationException', async () => {
      const unknown = `${REGION}:${randomUUID()}`;
      expect(await failure(credentials(unknown, idToken(randomUUID())))).toEqual({
        name: 'ResourceNotFoundException',
        message: `Identity '${unknown}' not found.`,
      });
      for (const malformed of ['nope', 'eu-west-1:XYZ', `${REGION}:${'a'.repeat(60)}`]) {
        expect((await failure(credentials(malformed))).name).toBe('ValidationException');
      }
    });

    describe('role from the token', () => {
      async function roleFor(claims: Record<string, unknown>, customRoleArn?: string) {
        const token = idToken(randomUUID(), claims);
        const identityId = (await getId(token)).IdentityId;
        const answer = await credentials(identityId, token, customRoleArn);
        return sessionClaims(answer.Credentials?.SessionToken).role;
      }

      it('is the CustomRoleArn when cognito:roles (array or comma string) holds it', async () => {
        expect(await roleFor({ 'cognito:roles': [ROLE_A, ROLE_B] }, ROLE_B)).toBe(ROLE_B);
        expect(await roleFor({ 'cognito:roles': `${ROLE_A},${ROLE_B}` }, ROLE_B)).toBe(ROLE_B);
      });

      it('refuses a CustomRoleArn the token does not hold', async () => {
        for (const claims of [{ 'cognito:roles': [ROLE_A] }, { 'cognito:roles': ROLE_A }, {}]) {
          const token = idToken(randomUUID(), claims);
          const identityId = (await getId(token)).IdentityId;
          expect((await failure(credentials(identityId, token, ROLE_B))).name).toBe(
            'NotAuthorizedException',
          );
        }
      });

      it('is cognito:preferred_role without a CustomRoleArn, else the default role', async () => {
        expect(
          await roleFor({ 'cognito:roles': [ROLE_A, ROLE_B], 'cognito:preferred_role': ROLE_B }),
        ).toBe(ROLE_B);
        expect(await roleFor({ 'cognito:roles': [ROLE_A, ROLE_B] })).toBe(
          DEFAULT_AUTHENTICATED_ROLE,
        );
      });
    });
  });

  describe('the protocol', () => {
    /** A raw request to the stand-in. */
    function raw(
      body: string,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
      return new Promise((resolve, reject) => {
        const req = request(
          `${standIn.endpoint}/`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/x-amz-json-1.1',
              'x-amz-target': 'AWSCognitoIdentityService.GetId',
              ...headers,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    it('answers an operation it does not have with UnknownOperationException', async () => {
      expect(
        await failure(client.send(new GetOpenIdTokenCommand({ IdentityId: `${REGION}:1` }))),
      ).toEqual({
        name: 'UnknownOperationException',
        message: 'The local identity pool does not support GetOpenIdToken.',
      });
      const answer = await raw('{}', { 'x-amz-target': 'Other.GetId' });
      expect(answer.status).toBe(400);
      expect(answer.headers['x-amzn-errortype']).toBe('UnknownOperationException');
      expect(JSON.parse(answer.body)).toEqual({
        __type: 'UnknownOperationException',
        message: 'Unknown operation.',
      });
    });

    it('answers a body that is not a JSON object with SerializationException, wrong types too', async () => {
      for (const body of [
        'not json',
        '[]',
        '{"IdentityPoolId": 5}',
        '{"IdentityPoolId":"a:1","Logins":[]}',
      ]) {
        const answer = await raw(body);
        expect(answer.status).toBe(400);
        expect((JSON.parse(answer.body) as { __type: string }).__type).toBe(
          'SerializationException',
        );
      }
      const missing = await raw('{}');
      expect(JSON.parse(missing.body)).toEqual({
        __type: 'ValidationException',
        message:
          "1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null",
      });
    });

    it('refuses a body over 64 KB unread (413)', async () => {
      const answer = await raw(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
      expect(answer.status).toBe(413);
    });

    it('answers 421 to a Host that is not its loopback address (DNS rebinding)', async () => {
      const answer = await raw('{}', { host: `attacker.example:${standIn.port}` });
      expect(answer.status).toBe(421);
      const local = await raw(JSON.stringify({ IdentityPoolId: standIn.identityPoolId }), {
        host: `localhost:${standIn.port}`,
      });
      expect(local.status).toBe(400); // reached the operation: guests are off
      expect(JSON.parse(local.body)).toMatchObject({ __type: 'NotAuthorizedException' });
    });
  });
});
