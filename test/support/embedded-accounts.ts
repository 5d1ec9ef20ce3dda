import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { CognitoConnection } from '../../src/cognito/cognito-connection';
import { findLocalCodes } from '../../src/cognito/local/local-codes';
import { rememberSecret } from './suite-log';
import { STRONG_PASSWORD, uniqueEmail } from './test-app';

/**
 * An account of an app in the embedded mode, signed up, confirmed with the code the emulator
 * wrote to `dataDir`, and signed in: its email and the bearer header of its access token.
 */
export async function embeddedAccount(
  app: NestFastifyApplication,
  dataDir: string,
  label: string,
): Promise<{ email: string; auth: Record<string, string> }> {
  const http = () => request(app.getHttpServer());
  const email = uniqueEmail(label);
  expect(
    (await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD })).status,
  ).toBe(201);
  const code = findLocalCodes(
    dataDir,
    app.get(CognitoConnection).userPoolId,
    email,
  )?.confirmationCode;
  rememberSecret(code, 'code');
  expect((await http().post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
  const login = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
  expect(login.status).toBe(200);
  rememberSecret(login.body.refreshToken as string, 'refresh token');
  return { email, auth: { authorization: `Bearer ${login.body.accessToken as string}` } };
}
