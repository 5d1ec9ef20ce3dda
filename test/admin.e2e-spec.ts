import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import {
  OTHER_PASSWORD,
  STRONG_PASSWORD,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';
import { LogCapture, rememberSecret } from './support/suite-log';
import { TestPool } from './support/test-pool';
import { release } from './support/teardown';

const pool = new TestPool();
const EDITORS_ROLE = 'arn:aws:iam::123456789012:role/app-editors';
const describeEmulated = pool.emulated ? describe : describe.skip;

describeEmulated('Administration (e2e)', () => {
  let app: NestFastifyApplication;
  let admin: string;
  let member: string;
  const logs = new LogCapture();
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  async function signedUp(label: string): Promise<string> {
    const email = uniqueEmail(label);
    await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD });
    await http()
      .post('/auth/confirm-sign-up')
      .send({ email, code: await pool.code(email) });
    return email;
  }

  async function tokenOf(email: string, password = STRONG_PASSWORD): Promise<string> {
    const login = await http().post('/auth/login').send({ email, password });
    expect(login.status).toBe(200);
    return (login.body as { accessToken: string }).accessToken;
  }

  beforeAll(async () => {
    app = await startTestApp(undefined, logs);
    const adminEmail = await signedUp('admin');
    // The first administrator is made with the documented command, as an operator would.
    const granted = spawnSync(
      process.execPath,
      [join(__dirname, '..', 'dist', 'cognito', 'admin.cli.js'), 'grant', adminEmail],
      {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        encoding: 'utf8',
      },
    );
    expect(granted.stderr).toBe('');
    expect(granted.stdout).toContain(`${adminEmail} is now in the admin group`);
    expect(granted.status).toBe(0);
    admin = await tokenOf(adminEmail);
    member = await tokenOf(await signedUp('member'));
  });
  afterAll(() => release(app));

  it('answers 401 without a token and 403 without the admin group', async () => {
    expect((await http().get('/admin/users')).status).toBe(401);
    const forbidden = await http().get('/admin/users').set(as(member));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('FORBIDDEN');
    expect((await http().post('/admin/groups').set(as(member)).send({ name: 'x' })).status).toBe(
      403,
    );
    expect((await http().get('/admin/users').set(as(admin))).status).toBe(200);
  });

  it('invites a user, who then completes NEW_PASSWORD_REQUIRED through /auth/challenge', async () => {
    const email = uniqueEmail('invited');
    const created = await http().post('/admin/users').set(as(admin)).send({
      email,
      name: 'Invited Person',
      temporaryPassword: 'Temp-Passw0rd!',
      sendInvitation: false,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email, status: 'FORCE_CHANGE_PASSWORD', enabled: true });
    expect(created.body.attributes.name).toBe('Invited Person');

    const login = await http().post('/auth/login').send({ email, password: 'Temp-Passw0rd!' });
    expect(login.body.nextStep).toBe('NEW_PASSWORD_REQUIRED');
    const weak = await http().post('/auth/challenge').send({
      email,
      nextStep: 'NEW_PASSWORD_REQUIRED',
      session: login.body.session,
      newPassword: 'weak',
    });
    expect(weak.body.error).toBe('PASSWORD_POLICY');
    const notAllowed = await http()
      .post('/auth/challenge')
      .send({
        email,
        nextStep: 'NEW_PASSWORD_REQUIRED',
        session: login.body.session,
        newPassword: OTHER_PASSWORD,
        attributes: { email_verified: 'true' },
      });
    expect(notAllowed.body.error).toBe('ATTRIBUTE_NOT_ALLOWED');
    const answered = await http().post('/auth/challenge').send({
      email,
      nextStep: 'NEW_PASSWORD_REQUIRED',
      session: login.body.session,
      newPassword: OTHER_PASSWORD,
    });
    expect(answered.status).toBe(200);
    expect(answered.body.accessToken).toEqual(expect.any(String));
    expect((await http().get('/auth/me').set(as(answered.body.accessToken))).body.email).toBe(
      email,
    );
    await tokenOf(email, OTHER_PASSWORD);
  });

  it('puts the passwords an administrator sets or invites with through the password policy', async () => {
    const email = await signedUp('admin-policy');
    const path = `/admin/users/${encodeURIComponent(email)}/password`;
    for (const body of [{ password: 'a', permanent: true }, { password: 'a' }]) {
      const weak = await http().put(path).set(as(admin)).send(body);
      expect(weak.status).toBe(400);
      expect(weak.body.error).toBe('PASSWORD_POLICY');
    }
    expect((await http().post('/auth/login').send({ email, password: 'a' })).status).toBe(401);
    expect(
      (await http().post('/auth/login').send({ email, password: STRONG_PASSWORD })).status,
    ).toBe(200);
    const strong = await http()
      .put(path)
      .set(as(admin))
      .send({ password: OTHER_PASSWORD, permanent: true });
    expect(strong.status).toBe(204);
    await tokenOf(email, OTHER_PASSWORD);

    const invitee = uniqueEmail('weak-invite');
    const invited = await http()
      .post('/admin/users')
      .set(as(admin))
      .send({ email: invitee, temporaryPassword: 'abcdef', sendInvitation: false });
    expect(invited.status).toBe(400);
    expect(invited.body.error).toBe('PASSWORD_POLICY');
    const lookup = await http()
      .get(`/admin/users/${encodeURIComponent(invitee)}`)
      .set(as(admin));
    expect(lookup.status).toBe(404);
  });

  it('invites and changes emails in the form sign-up stores, refusing lookalikes with 400', async () => {
    const email = uniqueEmail('invited-spelled');
    const created = await http()
      .post('/admin/users')
      .set(as(admin))
      .send({
        email: ` ${email.toUpperCase()} `,
        temporaryPassword: 'Temp-Passw0rd!',
        sendInvitation: false,
      });
    expect(created.status).toBe(201);
    expect(created.body.email).toBe(email);

    const lookalike = await http()
      .post('/admin/users')
      .set(as(admin))
      .send({ email: 'admin@ex\u0430mple.com', sendInvitation: false });
    expect([lookalike.status, lookalike.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    for (const value of ['not-an-email', 'ad\u200bmin@example.com']) {
      const refused = await http()
        .patch(`/admin/users/${encodeURIComponent(email)}/attributes`)
        .set(as(admin))
        .send({ attributes: { email: value } });
      expect([value, refused.status, refused.body.error]).toEqual([
        value,
        400,
        'VALIDATION_FAILED',
      ]);
    }
    expect(
      (
        await http()
          .get(`/admin/users/${encodeURIComponent(email)}`)
          .set(as(admin))
      ).body.email,
    ).toBe(email);
  });

  it('finds users by email, sub or username, lists them with one filter, and answers 404 for none', async () => {
    const email = await signedUp('findable');
    const byEmail = await http()
      .get(`/admin/users/${encodeURIComponent(email)}`)
      .set(as(admin));
    expect(byEmail.status).toBe(200);
    expect(byEmail.headers['cache-control']).toBe('no-store');
    expect(byEmail.body).toMatchObject({ email, status: 'CONFIRMED', enabled: true });
    const bySub = await http().get(`/admin/users/${byEmail.body.sub}`).set(as(admin));
    expect(bySub.body.email).toBe(email);

    const listed = await http()
      .get('/admin/users')
      .query({ email: email.slice(0, 16) })
      .set(as(admin));
    expect(listed.status).toBe(200);
    expect(listed.headers['cache-control']).toBe('no-store');
    expect(listed.body.items.map((u: { email: string }) => u.email)).toContain(email);

    const twoFilters = await http()
      .get('/admin/users')
      .query({ email: 'a', status: 'CONFIRMED' })
      .set(as(admin));
    expect(twoFilters.status).toBe(400);
    const injection = await http()
      .get('/admin/users')
      .query({ email: 'a" or "1"="1' })
      .set(as(admin));
    expect(injection.status).toBe(400);

    const missing = await http()
      .get(`/admin/users/${encodeURIComponent(uniqueEmail('nobody'))}`)
      .set(as(admin));
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('USER_NOT_FOUND');
  });

  it('disables and enables, sets a password, confirms, changes attributes, and deletes a user', async () => {
    const email = await signedUp('managed');
    const path = `/admin/users/${encodeURIComponent(email)}`;
    const me = async (token: string) => (await http().get('/auth/me').set(as(token))).status;
    const before = await tokenOf(email);
    expect(await me(before)).toBe(200);
    expect((await http().post(`${path}/disable`).set(as(admin))).status).toBe(204);
    // Disabling ends the sessions the user has: the token is refused at once.
    expect(await me(before)).toBe(401);
    expect((await http().get(path).set(as(admin))).body.enabled).toBe(false);
    expect((await http().post(`${path}/enable`).set(as(admin))).status).toBe(204);
    expect((await http().get(path).set(as(admin))).body.enabled).toBe(true);

    const set = await http()
      .put(`${path}/password`)
      .set(as(admin))
      .send({ password: OTHER_PASSWORD, permanent: true });
    expect(set.status).toBe(204);
    expect(await me(await tokenOf(email, OTHER_PASSWORD))).toBe(200);

    const attributes = await http()
      .patch(`${path}/attributes`)
      .set(as(admin))
      .send({ attributes: { name: 'Renamed', email, email_verified: 'true' } });
    expect([attributes.status, attributes.body.error]).toEqual([200, undefined]);
    expect(attributes.body).toMatchObject({ emailVerified: true, attributes: { name: 'Renamed' } });
    const refused = await http()
      .patch(`${path}/attributes`)
      .set(as(admin))
      .send({ attributes: { sub: 'x' } });
    expect(refused.body.error).toBe('ATTRIBUTE_NOT_ALLOWED');

    const unconfirmed = uniqueEmail('unconfirmed');
    await http().post('/auth/sign-up').send({ email: unconfirmed, password: STRONG_PASSWORD });
    const confirmed = await http()
      .post(`/admin/users/${encodeURIComponent(unconfirmed)}/confirm`)
      .set(as(admin));
    expect(confirmed.status).toBe(204);
    await tokenOf(unconfirmed);

    expect((await http().delete(path).set(as(admin))).status).toBe(204);
    expect((await http().get(path).set(as(admin))).status).toBe(404);
  });

  it('resets a password: sign-in needs the emailed code and a new password, other sessions end', async () => {
    const email = await signedUp('reset-by-admin');
    const path = `/admin/users/${encodeURIComponent(email)}`;
    const session = (await http().post('/auth/login').send({ email, password: STRONG_PASSWORD }))
      .body as { accessToken: string; refreshToken: string };
    rememberSecret(session.refreshToken, 'refresh token');

    expect((await http().post(`${path}/reset-password`).set(as(admin))).status).toBe(204);
    expect((await http().get(path).set(as(admin))).body.status).toBe('RESET_REQUIRED');
    const refused = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    expect([refused.status, refused.body.error]).toEqual([403, 'PASSWORD_RESET_REQUIRED']);
    expect((await http().get('/auth/me').set(as(session.accessToken))).status).toBe(401);

    const code = await pool.code(email);
    const confirmed = await http()
      .post('/auth/confirm-forgot-password')
      .send({ email, code, newPassword: OTHER_PASSWORD });
    expect(confirmed.status).toBe(204);
    expect(await tokenOf(email, OTHER_PASSWORD)).toEqual(expect.any(String));
    expect((await http().get(path).set(as(admin))).body.status).toBe('CONFIRMED');
  });

  it('signs a user out everywhere: their refresh tokens stop working at Cognito too', async () => {
    const email = await signedUp('signed-out-by-admin');
    const session = (await http().post('/auth/login').send({ email, password: STRONG_PASSWORD }))
      .body as { accessToken: string; refreshToken: string };
    rememberSecret(session.refreshToken, 'refresh token');
    const { username } = (await http().get('/auth/me').set(as(session.accessToken))).body as {
      username: string;
    };
    await pool.refreshAtCognito(session.refreshToken, username);

    const path = `/admin/users/${encodeURIComponent(email)}`;
    expect((await http().post(`${path}/sign-out`).set(as(admin))).status).toBe(204);
    await expect(pool.refreshAtCognito(session.refreshToken, username)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    const refreshed = await http()
      .post('/auth/refresh')
      .send({ refreshToken: session.refreshToken, username });
    expect([refreshed.status, refreshed.body.error]).toEqual([401, 'INVALID_REFRESH_TOKEN']);
    expect((await http().get('/auth/me').set(as(session.accessToken))).status).toBe(401);
    expect(await tokenOf(email)).toEqual(expect.any(String));
  });

  it('manages groups and their members; the new group shows in the member’s next token', async () => {
    const email = await signedUp('grouped');
    const name = `editors-${Date.now()}`;
    const created = await http()
      .post('/admin/groups')
      .set(as(admin))
      .send({ name, description: 'Editors', precedence: 5, roleArn: EDITORS_ROLE });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      description: 'Editors',
      precedence: 5,
      roleArn: EDITORS_ROLE,
    });
    expect(
      (await http().get('/admin/groups').set(as(admin))).body.items.map(
        (g: { name: string }) => g.name,
      ),
    ).toContain(name);
    const updated = await http()
      .patch(`/admin/groups/${name}`)
      .set(as(admin))
      .send({ description: 'Chief editors' });
    expect(updated.body).toMatchObject({
      name,
      description: 'Chief editors',
      precedence: 5,
      roleArn: EDITORS_ROLE,
    });
    const badRole = await http()
      .patch(`/admin/groups/${name}`)
      .set(as(admin))
      .send({ roleArn: 'editors' });
    expect([badRole.status, badRole.body.error]).toEqual([400, 'VALIDATION_FAILED']);

    const user = encodeURIComponent(email);
    logs.clear();
    expect((await http().put(`/admin/groups/${name}/members/${user}`).set(as(admin))).status).toBe(
      204,
    );
    const members = await http().get(`/admin/groups/${name}/members`).set(as(admin));
    expect(members.body.items.map((u: { email: string }) => u.email)).toEqual([email]);
    const groups = await http().get(`/admin/users/${user}/groups`).set(as(admin));
    expect(groups.body.items.map((g: { name: string }) => g.name)).toEqual([name]);
    const me = await http()
      .get('/auth/me')
      .set(as(await tokenOf(email)));
    expect(me.body.groups).toEqual([name]);

    expect(
      (await http().delete(`/admin/groups/${name}/members/${user}`).set(as(admin))).status,
    ).toBe(204);
    expect((await http().get(`/admin/users/${user}/groups`).set(as(admin))).body.items).toEqual([]);
    expect((await http().delete(`/admin/groups/${name}`).set(as(admin))).status).toBe(204);
    const changes = logs.events('admin.group_change');
    expect(changes.map((line) => [line.outcome, line.route])).toEqual([
      ['success', 'PUT /admin/groups/:group/members/:user'],
      ['success', 'DELETE /admin/groups/:group/members/:user'],
    ]);
    expect(changes[0]).toMatchObject({ sub: expect.any(String), ip: expect.any(String) });
  });

  describe('linked federated identities', () => {
    const identities = (email: string) => `/admin/users/${encodeURIComponent(email)}/identities`;
    const one = (email: string, provider: string, id: string) =>
      `${identities(email)}/${encodeURIComponent(provider)}/${encodeURIComponent(id)}`;
    const read = async (email: string) =>
      (
        await http()
          .get(`/admin/users/${encodeURIComponent(email)}`)
          .set(as(admin))
      ).body as { identities: unknown[] };

    it('links an identity, shows it in the user read, and unlinks it, ending the user’s sessions', async () => {
      const email = await signedUp('linked');
      const other = await signedUp('linked-other');
      const session = await tokenOf(email);
      const me = async () => (await http().get('/auth/me').set(as(session))).status;
      const id = `google-sub-${Date.now()}`;
      expect((await read(email)).identities).toEqual([]);
      logs.clear();

      const linked = await http()
        .post(identities(email))
        .set(as(admin))
        .send({ providerName: 'Google', providerUserId: id });
      expect([linked.status, linked.body]).toEqual([204, {}]);
      expect((await read(email)).identities).toEqual([
        {
          providerName: 'Google',
          providerUserId: id,
          providerType: 'Google',
          primary: false,
          dateCreated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ]);
      // Linking adds a way in; the sessions the user has stay.
      expect(await me()).toBe(200);

      const taken = await http()
        .post(identities(other))
        .set(as(admin))
        .send({ providerName: 'Google', providerUserId: id });
      expect([taken.status, taken.body.error]).toEqual([409, 'IDENTITY_ALREADY_LINKED']);
      expect(JSON.stringify(taken.body)).not.toMatch(
        /AliasExists|already linked to another user\./,
      );
      expect((await read(other)).identities).toEqual([]);
      // Another user's path cannot unlink it, nor end that user's sessions.
      const elsewhere = await http()
        .delete(one(other, 'Google', id))
        .set(as(admin));
      expect([elsewhere.status, elsewhere.body.error]).toEqual([404, 'IDENTITY_NOT_LINKED']);
      expect(await me()).toBe(200);

      const unlinked = await http()
        .delete(one(email, 'Google', id))
        .set(as(admin));
      expect(unlinked.status).toBe(204);
      expect((await read(email)).identities).toEqual([]);
      // Unlinking ends every session of the user: one may have come through that identity.
      expect(await me()).toBe(401);
      const again = await http()
        .delete(one(email, 'Google', id))
        .set(as(admin));
      expect([again.status, again.body.error]).toEqual([404, 'IDENTITY_NOT_LINKED']);

      expect(
        logs.events('admin.identity_change').map((line) => [line.outcome, line.route]),
      ).toEqual([
        ['success', 'POST /admin/users/:user/identities'],
        ['failure', 'POST /admin/users/:user/identities'],
        ['failure', 'DELETE /admin/users/:user/identities/:providerName/:providerUserId'],
        ['success', 'DELETE /admin/users/:user/identities/:providerName/:providerUserId'],
        ['failure', 'DELETE /admin/users/:user/identities/:providerName/:providerUserId'],
      ]);
      const audit = logs.records().filter((line) => line.context === 'AdminAudit');
      expect(audit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'POST /admin/users/:user/identities',
            target: { user: email },
            outcome: 'success',
          }),
          expect.objectContaining({
            action: 'DELETE /admin/users/:user/identities/:providerName/:providerUserId',
            target: { user: email, providerName: 'Google', providerUserId: id },
            outcome: 'success',
          }),
        ]),
      );
    });

    it('refuses a sixth identity with 409 IDENTITY_LINK_LIMIT', async () => {
      const email = await signedUp('linked-many');
      const id = `many-${Date.now()}`;
      for (let i = 1; i <= 5; i += 1) {
        const linked = await http()
          .post(identities(email))
          .set(as(admin))
          .send({ providerName: `Provider${i}`, providerUserId: id });
        expect(linked.status).toBe(204);
      }
      const sixth = await http()
        .post(identities(email))
        .set(as(admin))
        .send({ providerName: 'Provider6', providerUserId: id });
      expect([sixth.status, sixth.body.error]).toEqual([409, 'IDENTITY_LINK_LIMIT']);
      expect((await read(email)).identities).toHaveLength(5);
    });

    it('answers 401 without a token, 403 without the group, 404 for an unknown user, 400 for bad values', async () => {
      const email = await signedUp('linked-guarded');
      const body = { providerName: 'Google', providerUserId: 'sub-1' };
      expect((await http().post(identities(email)).send(body)).status).toBe(401);
      expect((await http().delete(one(email, 'Google', 'sub-1'))).status).toBe(401);
      const forbidden = await http().post(identities(email)).set(as(member)).send(body);
      expect([forbidden.status, forbidden.body.error]).toEqual([403, 'FORBIDDEN']);
      expect(
        (
          await http()
            .delete(one(email, 'Google', 'sub-1'))
            .set(as(member))
        ).status,
      ).toBe(403);

      const nobody = uniqueEmail('linked-nobody');
      const unknown = await http().post(identities(nobody)).set(as(admin)).send(body);
      expect([unknown.status, unknown.body.error]).toEqual([404, 'USER_NOT_FOUND']);
      const unknownUnlink = await http()
        .delete(one(nobody, 'Google', 'sub-1'))
        .set(as(admin));
      expect([unknownUnlink.status, unknownUnlink.body.error]).toEqual([404, 'USER_NOT_FOUND']);

      for (const bad of [
        { providerName: 'Cognito', providerUserId: 'sub-1' },
        { providerName: 'COGNITO', providerUserId: 'sub-1' },
        { providerName: '', providerUserId: 'sub-1' },
        { providerName: 'P'.repeat(33), providerUserId: 'sub-1' },
        { providerName: 'Has Space', providerUserId: 'sub-1' },
        { providerName: 'Google', providerUserId: '' },
        { providerName: 'Google', providerUserId: 'x'.repeat(129) },
        { providerName: 'Google', providerUserId: 'line\nbreak' },
        { providerName: 'Google' },
        { providerName: 42, providerUserId: 'sub-1' },
        { ...body, extra: true },
      ]) {
        const refused = await http().post(identities(email)).set(as(admin)).send(bad);
        expect([bad, refused.status, refused.body.error]).toEqual([bad, 400, 'VALIDATION_FAILED']);
      }
      for (const [provider, id] of [
        ['Cognito', 'sub-1'],
        ['P'.repeat(33), 'sub-1'],
        ['Google', 'x'.repeat(129)],
      ]) {
        const refused = await http()
          .delete(one(email, provider, id))
          .set(as(admin));
        expect([provider, refused.status, refused.body.error]).toEqual([
          provider,
          400,
          'VALIDATION_FAILED',
        ]);
      }
      // The longest values are taken.
      const longest = await http()
        .post(identities(email))
        .set(as(admin))
        .send({ providerName: 'P'.repeat(32), providerUserId: 'x'.repeat(128) });
      expect(longest.status).toBe(204);
      expect((await read(email)).identities).toEqual([
        expect.objectContaining({ providerName: 'P'.repeat(32), providerType: 'OIDC' }),
      ]);
      const unlinked = await http()
        .delete(one(email, 'P'.repeat(32), 'x'.repeat(128)))
        .set(as(admin));
      expect(unlinked.status).toBe(204);
      expect((await read(email)).identities).toEqual([]);
    });
  });

  it('writes one audit line per administrative request, with the actor and the target but no body', async () => {
    logs.clear();
    const email = await signedUp('audited');
    await http()
      .put(`/admin/users/${encodeURIComponent(email)}/password`)
      .set(as(admin))
      .send({ password: 'Audit-Passw0rd!', permanent: true });
    await http()
      .get(`/admin/users/${encodeURIComponent(uniqueEmail('ghost'))}`)
      .set(as(admin));
    expect(logs.records().filter((line) => line.context === 'AdminAudit')).toEqual([
      expect.objectContaining({
        event: 'admin.action',
        action: 'PUT /admin/users/:user/password',
        actor: expect.any(String),
        target: { user: email },
        outcome: 'success',
        reqId: expect.any(String),
      }),
      expect.objectContaining({ action: 'GET /admin/users/:user', outcome: 404 }),
    ]);
    expect(logs.lines.join('\n')).not.toContain('Audit-Passw0rd!');
  });

  it('counts invitations and resets sent to one user against that user’s hourly message budget', async () => {
    const limited = await withEnv({ RATE_LIMIT_MESSAGES: '2' }, () =>
      startTestApp(undefined, logs),
    );
    try {
      const http = () => request(limited.getHttpServer());
      const email = uniqueEmail('invitee');
      const invited = await http().post('/admin/users').set(as(admin)).send({ email });
      expect(invited.status).toBe(201);
      // Sent or refused by the emulator (it has no resend): either way it counts.
      const resent = await http()
        .post(`/admin/users/${encodeURIComponent(email)}/resend-invitation`)
        .set(as(admin));
      expect(resent.status).not.toBe(429);
      const reset = await http()
        .post(`/admin/users/${encodeURIComponent(email.toUpperCase())}/reset-password`)
        .set(as(admin));
      expect(reset.status).toBe(429);
      expect(reset.body.error).toBe('TOO_MANY_REQUESTS');
      expect(Number(reset.headers['retry-after'])).toBeGreaterThan(60);
      // Without an invitation nothing is sent, so nothing counts.
      const quiet = uniqueEmail('quiet');
      for (let i = 0; i < 3; i += 1) {
        await http()
          .post('/admin/users')
          .set(as(admin))
          .send({ email: quiet, sendInvitation: false });
      }
      expect(
        (
          await http()
            .post(`/admin/users/${encodeURIComponent(quiet)}/resend-invitation`)
            .set(as(admin))
        ).status,
      ).not.toBe(429);
    } finally {
      await release(limited);
    }
  });
});
