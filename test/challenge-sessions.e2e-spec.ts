import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { signedInAccount } from './support/accounts';
import { rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import {
  OTHER_PASSWORD,
  STRONG_PASSWORD,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';
import { TestPool } from './support/test-pool';

const TEMPORARY_PASSWORD = 'Temp-Passw0rd!';
const ATTACKER_PASSWORD = 'Attacker-Passw0rd-1';

function expectInvalidSession(response: Response): void {
  expect(response.status).toBe(401);
  expect(response.body).toMatchObject({ statusCode: 401, error: 'INVALID_SESSION' });
}

/**
 * /auth/challenge accepts only sessions this service issued for that email and that step
 * (SECURITY 32): the emulator checks no session, so without that one anonymous request set any
 * user's password.
 */
describe('Challenge sessions (e2e)', () => {
  const pool = new TestPool();
  const created: string[] = [];
  let app: NestFastifyApplication;
  const http = (on = app) => request(on.getHttpServer());

  async function invited(label: string): Promise<string> {
    const email = uniqueEmail(label);
    created.push(email);
    await pool.adminInvite(email, TEMPORARY_PASSWORD);
    return email;
  }

  async function newPasswordStep(email: string, on = app): Promise<string> {
    const login = await http(on).post('/auth/login').send({ email, password: TEMPORARY_PASSWORD });
    expect(login.body.nextStep).toBe('NEW_PASSWORD_REQUIRED');
    rememberSecret(login.body.session, 'challenge session');
    return login.body.session as string;
  }

  function setNewPassword(email: string, session: string, newPassword: string, on = app) {
    return http(on)
      .post('/auth/challenge')
      .send({ email, nextStep: 'NEW_PASSWORD_REQUIRED', session, newPassword });
  }

  beforeAll(async () => {
    rememberSecret(TEMPORARY_PASSWORD, 'password');
    rememberSecret(ATTACKER_PASSWORD, 'password');
    app = await startTestApp();
  });
  afterAll(async () => {
    await pool.cleanUp(created);
    await release(app);
  });

  it('refuses the anonymous takeover with a made-up session, and the password stays as it was', async () => {
    const victim = await invited('victim-invited');
    expectInvalidSession(await setNewPassword(victim, 'anything', ATTACKER_PASSWORD));
    // The victim's invitation is untouched: the temporary password still leads to the step.
    await newPasswordStep(victim);

    // An account in use, too: its own password keeps working, the attacker's does not.
    const active = uniqueEmail('victim-active');
    created.push(active);
    await signedInAccount(app, pool, active);
    expectInvalidSession(await setNewPassword(active, 'anything', ATTACKER_PASSWORD));
    const owner = await http()
      .post('/auth/login')
      .send({ email: active, password: STRONG_PASSWORD });
    expect(owner.status).toBe(200);
    expect(
      (await http().post('/auth/login').send({ email: active, password: ATTACKER_PASSWORD }))
        .status,
    ).toBe(401);
  });

  it('gives the new-password step of an invitation only to the holder of the temporary password', async () => {
    const victim = await invited('victim-guessed');
    const guess = await http()
      .post('/auth/login')
      .send({ email: victim, password: ATTACKER_PASSWORD });
    expect(guess.status).toBe(401);
    expect(guess.body).toMatchObject({ error: 'INVALID_CREDENTIALS' });
    expect(guess.body.session).toBeUndefined();
    await newPasswordStep(victim);
  });

  it('refuses a session issued to another user, or for another step', async () => {
    const attacker = await invited('attacker');
    const victim = await invited('victim');
    const attackersSession = await newPasswordStep(attacker);
    expectInvalidSession(await setNewPassword(victim, attackersSession, ATTACKER_PASSWORD));
    await newPasswordStep(victim);

    const otherStep = await http().post('/auth/challenge').send({
      email: attacker,
      nextStep: 'SOFTWARE_TOKEN_MFA',
      session: attackersSession,
      code: '123456',
    });
    expectInvalidSession(otherStep);
    // Neither refusal spent the session: its owner can still answer it.
    expect((await setNewPassword(attacker, attackersSession, OTHER_PASSWORD)).status).toBe(200);
  });

  it('answers an invitation once: the same session cannot set the password again', async () => {
    const email = await invited('replay');
    const session = await newPasswordStep(email);
    const answered = await setNewPassword(email, session, OTHER_PASSWORD);
    expect(answered.status).toBe(200);
    expect(answered.body.accessToken).toEqual(expect.any(String));
    expectInvalidSession(await setNewPassword(email, session, ATTACKER_PASSWORD));
    expect(
      (await http().post('/auth/login').send({ email, password: OTHER_PASSWORD })).status,
    ).toBe(200);
  });

  it('still refuses an answered session after a restart', async () => {
    const key = randomBytes(32).toString('base64');
    rememberSecret(key, 'session key');
    const env = { CHALLENGE_SESSION_KEY: key, STATE_DIR: mkdtempSync(join(tmpdir(), 'state-')) };
    const before = await withEnv(env, () => startTestApp());
    const email = await invited('restart-replay');
    const session = await newPasswordStep(email, before);
    expect((await setNewPassword(email, session, OTHER_PASSWORD, before)).status).toBe(200);
    await release(before);
    const after = await withEnv(env, () => startTestApp());
    try {
      expectInvalidSession(await setNewPassword(email, session, ATTACKER_PASSWORD, after));
    } finally {
      await release(after);
    }
  });

  it('shares sessions between instances with the same key, and refuses those of another key', async () => {
    const key = randomBytes(32).toString('base64');
    rememberSecret(key, 'session key');
    // One after the other: each app reads the environment while it starts.
    const first = await withEnv({ CHALLENGE_SESSION_KEY: key }, () => startTestApp());
    const second = await withEnv({ CHALLENGE_SESSION_KEY: key }, () => startTestApp());
    const foreign = await withEnv({ CHALLENGE_SESSION_KEY: randomBytes(32).toString('hex') }, () =>
      startTestApp(),
    );
    try {
      const email = await invited('instances');
      const session = await newPasswordStep(email, first);
      expectInvalidSession(await setNewPassword(email, session, OTHER_PASSWORD, foreign));
      const answered = await setNewPassword(email, session, OTHER_PASSWORD, second);
      expect(answered.status).toBe(200);
      expect(answered.body.accessToken).toEqual(expect.any(String));
    } finally {
      await release(first, second, foreign);
    }
  });
});
