import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { GuardedAppModule } from './support/guarded-test.module';
import { startTestApp, withEnv } from './support/test-app';
import {
  FORGE_CLIENT_ID,
  FORGE_KID,
  newRsaKey,
  signHs256,
  signRs256,
  TokenForge,
  unsigned,
} from './support/token-forge';
import { release } from './support/teardown';

describe('Guard against hostile tokens (e2e)', () => {
  let forge: TokenForge;
  let app: NestFastifyApplication;
  const now = () => Math.floor(Date.now() / 1000);
  const get = (token: string) =>
    request(app.getHttpServer()).get('/reports/mine').set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    forge = await TokenForge.start();
    app = await withEnv(forge.env, () => startTestApp(GuardedAppModule));
  });
  afterAll(() => release(app, forge));

  it('accepts a valid access token and hands the route the user', async () => {
    // The keys were loaded when the app started, before any request.
    expect(forge.jwksRequests).toBe(1);
    const response = await get(forge.accessToken({ 'cognito:groups': ['admin'] }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ groups: ['admin'], clientId: FORGE_CLIENT_ID });
  });

  const attacks: [string, () => string][] = [
    ['alg none', () => unsigned({ alg: 'none', kid: FORGE_KID }, forge.claims())],
    ['alg none without a kid', () => unsigned({ alg: 'none' }, forge.claims())],
    [
      'HS256 signed with the public key as the secret',
      () =>
        signHs256(
          { alg: 'HS256', kid: FORGE_KID },
          forge.claims(),
          forge.key.publicKey.export({ format: 'pem', type: 'spki' }),
        ),
    ],
    [
      'a foreign key under the right kid',
      () => signRs256({ alg: 'RS256', kid: FORGE_KID }, forge.claims(), newRsaKey().privateKey),
    ],
    [
      'a tampered payload',
      () => {
        const [header, , signature] = forge.accessToken().split('.');
        const payload = Buffer.from(
          JSON.stringify(forge.claims({ 'cognito:groups': ['admin'] })),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['a jku header', () => forge.accessToken({}, { jku: 'http://127.0.0.1:1/evil.json' })],
    [
      'an embedded jwk header with the attacker key',
      () => {
        const attacker = newRsaKey();
        return signRs256(
          { alg: 'RS256', kid: FORGE_KID, jwk: attacker.publicKey.export({ format: 'jwk' }) },
          forge.claims(),
          attacker.privateKey,
        );
      },
    ],
    ['an x5u header', () => forge.accessToken({}, { x5u: 'http://127.0.0.1:1/cert.pem' })],
    ['a random kid', () => forge.accessToken({}, { kid: 'b4b9d1c6-random' })],
    ['a path-like kid', () => forge.accessToken({}, { kid: '../../../../etc/passwd' })],
    [
      'an ID token',
      () => forge.accessToken({ token_use: 'id', aud: FORGE_CLIENT_ID, client_id: undefined }),
    ],
    ["another app client's access token", () => forge.accessToken({ client_id: 'another-client' })],
    [
      'a token of another issuer',
      () =>
        forge.accessToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
    ],
    ['an expired token', () => forge.accessToken({ exp: now() - 5, iat: now() - 3605 })],
    ['a token not valid yet (nbf)', () => forge.accessToken({ nbf: now() + 600 })],
    [
      'a token issued far in the future (iat)',
      () => forge.accessToken({ iat: now() + 3600, exp: now() + 7200 }),
    ],
    ['a token without exp', () => forge.accessToken({ exp: undefined })],
    ['garbage', () => 'not-a-jwt'],
  ];

  it.each(attacks)('refuses %s with 401', async (_, token) => {
    const response = await get(token());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
  });

  it('refuses a token in the query string', async () => {
    const token = forge.accessToken();
    for (const name of ['access_token', 'token', 'id_token']) {
      const response = await request(app.getHttpServer()).get(`/reports/mine?${name}=${token}`);
      expect(response.status).toBe(401);
    }
  });

  it('fetches the keys at most once for a burst of 50 unknown kids, and valid tokens keep working', async () => {
    const before = forge.jwksRequests;
    const valid = forge.accessToken();
    const started = Date.now();
    const burst = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        get(forge.accessToken({}, { kid: `unknown-${i}-${Date.now()}` })),
      ),
    );
    const during = await get(valid);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(burst.every((r) => r.status === 401)).toBe(true);
    expect(during.status).toBe(200);
    expect(forge.jwksRequests - before).toBeLessThanOrEqual(1);
  });
});

describe('Guard with the signing keys unreachable and a cold cache (e2e)', () => {
  it('answers 503 (never 200) and recovers once the keys can be fetched', async () => {
    const forge = await TokenForge.start();
    await forge.close();
    const app = await withEnv({ ...forge.env, LOG_LEVEL: 'fatal' }, () =>
      startTestApp(GuardedAppModule),
    );
    try {
      const token = forge.accessToken();
      const down = await request(app.getHttpServer())
        .get('/reports/mine')
        .set('authorization', `Bearer ${token}`);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ error: 'UPSTREAM_UNAVAILABLE' });
      expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
      const notReady = await request(app.getHttpServer()).get('/health/ready');
      expect([notReady.status, notReady.body.message]).toEqual([
        503,
        'Not ready: signingKeys down.',
      ]);

      await forge.listen();
      const up = await request(app.getHttpServer())
        .get('/reports/mine')
        .set('authorization', `Bearer ${token}`);
      expect(up.status).toBe(200);
      expect((await request(app.getHttpServer()).get('/health/ready')).status).toBe(200);
    } finally {
      await app.close();
      await forge.close();
    }
  });
});
