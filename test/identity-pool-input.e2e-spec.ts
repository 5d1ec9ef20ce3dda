import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { release } from './support/teardown';
import { embeddedEnv, startTestApp, withEnv } from './support/test-app';

/**
 * Bad input to the identity-pool routes gets a 4xx of the app, never a 5xx: an identity id the
 * route's validation lets through must also be one Cognito Identity takes (at most 55 characters).
 */
describe('AWS credentials: bad input (e2e, embedded stand-in)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-pool-input-'));
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await withEnv({ ...embeddedEnv(dataDir), COGNITO_IDENTITY_ALLOW_GUESTS: 'true' }, () =>
      startTestApp(),
    );
  }, 60000);
  afterAll(() => release(app));

  it('a guest identityId longer than Cognito Identity allows is a 400, not an upstream 502', async () => {
    // `<region>:<id>` in the route's pattern, 56 characters: over Cognito Identity's 55.
    const identityId = `us-east-1:${'0'.repeat(46)}`;
    expect(identityId).toHaveLength(56);
    const answer = await http().post('/auth/aws-credentials/guest').send({ identityId });
    expect(answer.status).toBe(400);
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});
