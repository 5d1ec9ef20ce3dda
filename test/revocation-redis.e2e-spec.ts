import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { RevocationService } from '../src/guard';
import { GuardedAppModule } from './support/guarded-test.module';
import { eventually } from './support/processes';
import { TestRedis } from './support/redis-server';
import { startTestApp, withEnv } from './support/test-app';
import { TokenForge } from './support/token-forge';
import { release } from './support/teardown';

/** Several instances of the app share revocations through one Redis. */
describe('Revocation across instances with Redis (e2e)', () => {
  let redis: TestRedis;
  let forge: TokenForge;
  const apps: NestFastifyApplication[] = [];

  async function instance(): Promise<NestFastifyApplication> {
    const app = await withEnv({ ...forge.env, REDIS_URL: redis.url, LOG_LEVEL: 'error' }, () =>
      startTestApp(GuardedAppModule),
    );
    apps.push(app);
    return app;
  }

  const mine = (app: NestFastifyApplication, token: string) =>
    request(app.getHttpServer()).get('/reports/mine').set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    redis = await TestRedis.start();
    forge = await TokenForge.start();
  });
  afterAll(() => release(...apps, forge, redis));

  it('refuses on instance B, within 200 ms, a token logged out on instance A; a later instance refuses it too', async () => {
    const a = await instance();
    const b = await instance();
    const token = forge.accessToken();
    expect((await mine(a, token)).status).toBe(200);
    expect((await mine(b, token)).status).toBe(200);

    const loggedOut = await request(a.getHttpServer())
      .post('/auth/logout')
      .set('authorization', `Bearer ${token}`)
      .send({});
    expect(loggedOut.status).toBe(204);
    await eventually(
      async () => (await mine(b, token)).status === 401,
      200,
      'instance B to refuse the token',
    );

    const c = await instance();
    expect((await mine(c, token)).status).toBe(401);
    expect((await mine(c, forge.accessToken())).status).toBe(200);
  });

  it('ends the sessions of a user on every instance, for instances started later too', async () => {
    const a = await instance();
    const b = await instance();
    const sub = randomUUID();
    const earlier = forge.accessToken({ sub, username: sub });
    expect((await mine(b, earlier)).status).toBe(200);

    await a.get(RevocationService).endSessions(sub);
    await eventually(
      async () => (await mine(b, earlier)).status === 401,
      200,
      'instance B to end the session',
    );
    expect((await mine(await instance(), earlier)).status).toBe(401);
    // A sign-in after the cutoff, and other users, are unaffected.
    expect((await mine(b, forge.accessToken({ sub, username: sub }))).status).toBe(200);
    expect((await mine(b, forge.accessToken())).status).toBe(200);
  });

  it('keeps serving when Redis is down, says so in readiness, and catches up when it is back', async () => {
    const a = await instance();
    const b = await instance();
    expect((await request(a.getHttpServer()).get('/health/ready')).status).toBe(200);

    await redis.stop();
    const token = forge.accessToken();
    expect((await mine(a, token)).status).toBe(200);
    const ready = await request(a.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      error: 'UPSTREAM_UNAVAILABLE',
      message: 'Not ready: redis down.',
    });
    expect((await request(a.getHttpServer()).get('/health/live')).status).toBe(200);

    // A logout while Redis is down takes effect here at once, and on B once Redis is back.
    const loggedOut = await request(a.getHttpServer())
      .post('/auth/logout')
      .set('authorization', `Bearer ${token}`)
      .send({});
    expect(loggedOut.status).toBe(204);
    expect((await mine(a, token)).status).toBe(401);
    expect((await mine(b, token)).status).toBe(200);

    await redis.resume();
    await eventually(
      async () => (await mine(b, token)).status === 401,
      8000,
      'instance B to learn of the revocation after Redis came back',
    );
    await eventually(
      async () => (await request(a.getHttpServer()).get('/health/ready')).status === 200,
      5000,
      'readiness to recover',
    );
  });
});
