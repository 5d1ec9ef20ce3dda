import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import request from 'supertest';
import { AllExceptionsFilter } from '../src/common/errors/all-exceptions.filter';
import { GuardedAppModule } from './support/guarded-test.module';
import { withEnv } from './support/test-app';
import { TokenForge } from './support/token-forge';
import { release } from './support/teardown';

/** The guard and decorators read only headers and cookies, so they work in an Express app too. */
describe('Guard in an Express app (e2e)', () => {
  let forge: TokenForge;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    forge = await TokenForge.start();
    app = await withEnv(forge.env, async () => {
      const created = await NestFactory.create(GuardedAppModule, new ExpressAdapter(), {
        logger: ['error'],
      });
      created.use(cookieParser());
      created.useGlobalFilters(new AllExceptionsFilter());
      return created.init();
    });
  });
  afterAll(() => release(app, forge));

  it('runs on Express', () => {
    expect(app.getHttpAdapter()).toBeInstanceOf(ExpressAdapter);
  });

  it('lets @Public routes through and refuses the others without a token, in the error body', async () => {
    expect((await http().get('/reports/status')).body).toEqual({ ok: true });
    const response = await http().get('/reports/mine');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'UNAUTHORIZED',
      message: 'An access token is required.',
      requestId: expect.any(String),
    });
  });

  it('accepts a bearer token and the access cookie, and hands over the user', async () => {
    const claims = forge.claims({ 'cognito:groups': ['admin'] });
    const token = forge.accessToken(claims);
    const byHeader = await http().get('/reports/mine').set('authorization', `Bearer ${token}`);
    expect(byHeader.status).toBe(200);
    expect(byHeader.body.sub).toBe(claims.sub);
    const byCookie = await http().get('/reports/sub').set('Cookie', `__Host-access_token=${token}`);
    expect(byCookie.body).toEqual({ sub: claims.sub });
  });

  it('answers @Groups with 403 without the group and refuses forged tokens', async () => {
    const outsider = forge.accessToken({ 'cognito:groups': ['editors'] });
    expect(
      (await http().get('/reports/all').set('authorization', `Bearer ${outsider}`)).status,
    ).toBe(403);
    const admin = forge.accessToken({ 'cognito:groups': ['admin'] });
    expect((await http().get('/reports/all').set('authorization', `Bearer ${admin}`)).status).toBe(
      200,
    );
    const expired = forge.accessToken({ exp: Math.floor(Date.now() / 1000) - 1 });
    expect(
      (await http().get('/reports/mine').set('authorization', `Bearer ${expired}`)).status,
    ).toBe(401);
  });

  it('runs @OptionalAuth routes with and without a user', async () => {
    expect((await http().get('/reports/teaser')).body).toEqual({ personalised: false });
    const token = forge.accessToken();
    expect(
      (await http().get('/reports/teaser').set('authorization', `Bearer ${token}`)).body
        .personalised,
    ).toBe(true);
  });
});
