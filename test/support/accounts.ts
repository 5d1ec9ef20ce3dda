import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { authenticator } from 'otplib';
import request, { type Response } from 'supertest';
import { rememberSecret } from './suite-log';
import { STRONG_PASSWORD } from './test-app';
import { TestPool } from './test-pool';

/**
 * Signs up and confirms an account through the API (with the emulator's code, or
 * AdminConfirmSignUp on a real pool), then signs it in: the login answer holds the tokens and
 * the session cookies.
 */
export async function signedInAccount(
  app: NestFastifyApplication,
  pool: TestPool,
  email: string,
  password = STRONG_PASSWORD,
): Promise<Response> {
  const http = () => request(app.getHttpServer());
  expect((await http().post('/auth/sign-up').send({ email, password })).status).toBe(201);
  if (pool.emulated) {
    const code = await pool.code(email);
    expect((await http().post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
  } else {
    await pool.adminConfirm(email);
  }
  const login = await http().post('/auth/login').send({ email, password });
  expect(login.status).toBe(200);
  rememberSecret((login.body as { refreshToken?: string }).refreshToken, 'refresh token');
  return login;
}

/**
 * Signs in an account that has TOTP MFA on: the password, then the SOFTWARE_TOKEN_MFA step
 * answered with a current code of `secret`. Answers the challenge route's response.
 */
export async function totpSignIn(
  app: NestFastifyApplication,
  email: string,
  secret: string,
  password = STRONG_PASSWORD,
): Promise<Response> {
  const http = () => request(app.getHttpServer());
  const login = await http().post('/auth/login').send({ email, password });
  expect(login.body.nextStep).toBe('SOFTWARE_TOKEN_MFA');
  return http()
    .post('/auth/challenge')
    .send({
      email,
      nextStep: 'SOFTWARE_TOKEN_MFA',
      session: login.body.session as string,
      code: authenticator.generate(secret),
    });
}
