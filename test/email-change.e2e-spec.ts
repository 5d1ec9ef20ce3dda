import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { findLocalCodes } from '../src/cognito/local/local-codes';
import { signedInAccount } from './support/accounts';
import { rememberSecret } from './support/suite-log';
import { STRONG_PASSWORD, startTestApp, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

/**
 * An email change waits for verification (the pool keeps the original until then): someone with
 * a stolen access token cannot move the sign-in address to one they merely typed, nor take an
 * address away from its real owner. On Amazon Cognito this needs the pool's "keep original
 * attribute value active when an update is pending" setting for email (see docs/operations.md,
 * "Production on Amazon Cognito").
 */
describe('Email change before verification (e2e)', () => {
  let app: NestFastifyApplication;
  const pool = new TestPool();
  const created: string[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  async function account(email: string): Promise<string> {
    created.push(email);
    return (await signedInAccount(app, pool, email)).body.accessToken as string;
  }

  async function signInStatus(email: string): Promise<number> {
    return (await http().post('/auth/login').send({ email, password: STRONG_PASSWORD })).status;
  }

  function changeEmail(token: string, email: string) {
    return http()
      .patch('/account')
      .set('authorization', `Bearer ${token}`)
      .send({ attributes: { email }, password: STRONG_PASSWORD });
  }

  it('keeps the old address in use until the new one is verified, and leaves the new one free', async () => {
    const email = uniqueEmail('keep-old');
    const newEmail = uniqueEmail('unverified-new');
    const token = await account(email);

    const changed = await changeEmail(token, newEmail);
    expect(changed.status).toBe(200);
    // The answer says where the code went (masked), and nothing else changed yet.
    expect(changed.body).toEqual({
      codeDelivery: [
        { destination: expect.stringMatching(/^e\*\*\*@/), medium: 'EMAIL', attribute: 'email' },
      ],
    });
    expect(JSON.stringify(changed.body)).not.toContain(newEmail);

    const shown = await http().get('/account').set('authorization', `Bearer ${token}`);
    expect(shown.body.email).toBe(email);
    expect(shown.body.attributes.email).toBe(email);
    expect(await signInStatus(newEmail)).toBe(401);
    expect(await signInStatus(email)).toBe(200);

    // The address is still free: its real owner can sign up with it.
    created.push(newEmail);
    const owner = await http()
      .post('/auth/sign-up')
      .send({ email: newEmail, password: STRONG_PASSWORD });
    expect(owner.status).toBe(201);
  });

  (pool.emulated ? it : it.skip)(
    'switches to the new address once the code sent to it is verified',
    async () => {
      const email = uniqueEmail('switch-old');
      const newEmail = uniqueEmail('switch-new');
      const token = await account(email);
      expect((await changeEmail(token, newEmail)).status).toBe(200);

      const code = findLocalCodes(
        process.env.E2E_EMULATOR_DATA_DIR ?? '',
        process.env.COGNITO_USER_POOL_ID ?? '',
        newEmail,
      )?.attributeVerificationCode;
      expect(code).toMatch(/^\d{6}$/);
      rememberSecret(code, 'code');
      const verified = await http()
        .post('/account/attributes/email/verify')
        .set('authorization', `Bearer ${token}`)
        .send({ code });
      expect(verified.status).toBe(204);

      const shown = await http().get('/account').set('authorization', `Bearer ${token}`);
      expect(shown.body).toMatchObject({ email: newEmail, emailVerified: true });
      expect(await signInStatus(newEmail)).toBe(200);
      expect(await signInStatus(email)).toBe(401);
    },
  );

  (pool.emulated ? it : it.skip)(
    'refuses to verify an address its owner has signed up with in the meantime',
    async () => {
      const email = uniqueEmail('late-old');
      const wanted = uniqueEmail('late-owned');
      const token = await account(email);
      expect((await changeEmail(token, wanted)).status).toBe(200);
      const code = findLocalCodes(
        process.env.E2E_EMULATOR_DATA_DIR ?? '',
        process.env.COGNITO_USER_POOL_ID ?? '',
        wanted,
      )?.attributeVerificationCode;
      rememberSecret(code, 'code');
      // The owner of the address signs up with it and confirms it.
      await account(wanted);

      const verified = await http()
        .post('/account/attributes/email/verify')
        .set('authorization', `Bearer ${token}`)
        .send({ code });
      expect([verified.status, verified.body.error]).toEqual([409, 'USER_ALREADY_EXISTS']);
      const shown = await http().get('/account').set('authorization', `Bearer ${token}`);
      expect(shown.body.email).toBe(email);
      expect(await signInStatus(email)).toBe(200);
    },
  );
});
