import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { authenticator } from 'otplib';
import type { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { BrowserPage } from './support/browser';
import { release } from './support/teardown';
import { STRONG_PASSWORD, startTestApp, uniqueEmail } from './support/test-app';
import { TestPool } from './support/test-pool';

const pool = new TestPool();
// The confirmation codes are read from the emulator, as a person reads them from its output.
const describeEmulated = pool.emulated ? describe : describe.skip;

/** What Swagger UI shows of an answer: its status and its body. */
interface Shown {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A person in Swagger UI at /docs: opens an operation, presses "Try it out", types the body and
 * the parameters it is given (touching nothing else), presses "Execute" and reads the answer the
 * page shows.
 */
class SwaggerUi {
  constructor(private readonly page: Page) {}

  async open(docs: string): Promise<void> {
    await this.page.goto(docs);
    await this.page.locator('.information-container .title').waitFor();
  }

  private operation(operationId: string): Locator {
    const tag = operationId.split('_')[0];
    return this.page.locator(`#operations-${tag}-${operationId}`);
  }

  async execute(
    operationId: string,
    input: { body?: Record<string, unknown>; params?: Record<string, string> } = {},
  ): Promise<Shown> {
    const block = this.operation(operationId);
    if (!((await block.getAttribute('class')) ?? '').split(' ').includes('is-open')) {
      await block.locator('.opblock-summary-control').click();
    }
    // Once tried out, the button reads "Cancel" (and a "Reset" one appears).
    if ((await block.locator('button.try-out__btn.cancel').count()) === 0) {
      await block.locator('button.try-out__btn').click();
    }
    if (input.body) {
      await block.locator('textarea.body-param__text').fill(JSON.stringify(input.body));
    }
    for (const [name, value] of Object.entries(input.params ?? {})) {
      await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    // An answer of an earlier Execute is cleared first, so the one read is this one's.
    const clear = block.locator('button.btn-clear');
    if (await clear.isVisible()) await clear.click();
    await block.locator('button.execute').click();
    const answer = block.locator('.live-responses-table .response');
    await answer.locator('.response-col_status').waitFor();
    const status = Number((await answer.locator('.response-col_status').textContent())?.trim());
    // The body under its heading (a 204 has none), not the headers below it.
    const shown = answer.locator(
      'xpath=.//h5[normalize-space()="Response body"]/following-sibling::*[1]//pre',
    );
    if ((await shown.count()) === 0) return { status, body: {} };
    const text = (await shown.first().textContent()) ?? '';
    return { status, body: JSON.parse(text) as Record<string, unknown> };
  }

  /** Pastes a bearer token into Authorize, or removes it there ("Logout" in the dialog). */
  async authorize(token: string | undefined): Promise<void> {
    await this.page.locator('.auth-wrapper button.authorize').click();
    const dialog = this.page.locator('.dialog-ux .modal-ux');
    const bearer = dialog.locator('.auth-container').filter({ hasText: 'bearer' });
    if (token === undefined) {
      await bearer.locator('button', { hasText: 'Logout' }).click();
    } else {
      await bearer.locator('input').fill(token);
      await bearer.locator('button', { hasText: 'Authorize' }).click();
      await bearer.locator('button', { hasText: 'Logout' }).waitFor();
    }
    await dialog.locator('button', { hasText: 'Close' }).first().click();
    await dialog.waitFor({ state: 'detached' });
  }
}

describeEmulated('Swagger UI in a real browser (e2e, Chromium)', () => {
  let app: NestFastifyApplication;
  let browser: BrowserPage;
  let docs: string;
  let ui: SwaggerUi;
  const http = () => request(app.getHttpServer());

  /** An account made through the API, not the page: the tests that need one start signed out. */
  async function confirmedAccount(label: string): Promise<string> {
    const email = uniqueEmail(label);
    expect(
      (await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD })).status,
    ).toBe(201);
    const code = await pool.code(email);
    expect((await http().post('/auth/confirm-sign-up').send({ email, code })).status).toBe(204);
    return email;
  }

  beforeAll(async () => {
    app = await startTestApp();
    const server = app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // localhost: a page Chromium trusts as it would an https one, so it keeps the Secure
    // __Host- session cookies of the default settings.
    docs = `http://localhost:${(server.address() as AddressInfo).port}/docs`;
    browser = await BrowserPage.open();
    ui = new SwaggerUi(browser.page);
  });

  afterAll(async () => {
    await browser?.close();
    await release(app);
  });

  beforeEach(async () => {
    // Each test starts as a new visitor: no cookie, no kept Authorize token, no problem seen.
    browser.problems.length = 0;
    await browser.page.context().clearCookies();
    if (browser.page.url().startsWith('http')) {
      await browser.page.evaluate(() =>
        (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear(),
      );
    }
  });

  it('signs up, confirms, signs in, reads the profile and signs out with the cookie session only', async () => {
    const email = uniqueEmail('swagger-ui');
    await browser.run('swagger-ui-cookie-session', async (page) => {
      await ui.open(docs);
      const signUp = await ui.execute('auth_signUp', {
        body: { email, password: STRONG_PASSWORD },
      });
      expect(signUp.status).toBe(201);
      const code = await pool.code(email);
      expect((await ui.execute('auth_confirmSignUp', { body: { email, code } })).status).toBe(204);

      const login = await ui.execute('auth_login', { body: { email, password: STRONG_PASSWORD } });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ accessToken: expect.any(String) });
      // Nothing was pasted into Authorize: the profile comes with the session cookies.
      expect(await page.locator('.auth-wrapper button.authorize.locked').count()).toBe(0);
      const me = await ui.execute('auth_me');
      expect(me).toEqual({ status: 200, body: expect.objectContaining({ email }) });

      // The body as the page shows it (empty): the cookie session is the one that ends.
      const logout = await ui.execute('auth_logout');
      expect(logout.status).toBe(204);
      const cookies = await page.context().cookies();
      expect(cookies.filter((cookie) => cookie.name.endsWith('access_token'))).toEqual([]);
      // Signed out, the profile is refused: the answer this test expects.
      browser.expect(/\/auth\/me$/, 401);
      expect((await ui.execute('auth_me')).status).toBe(401);
    });
    expect(browser.problems).toEqual([]);
  }, 30_000);

  it('calls the API with a bearer token pasted into Authorize, until it is removed there', async () => {
    const email = await confirmedAccount('swagger-bearer');
    const login = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
    const accessToken = (login.body as { accessToken: string }).accessToken;
    await browser.run('swagger-ui-bearer', async (page) => {
      await ui.open(docs);
      await ui.authorize(accessToken);
      const me = await ui.execute('auth_me');
      expect(me).toEqual({ status: 200, body: expect.objectContaining({ email }) });
      // Kept across a reload, as the document's description says.
      await ui.open(docs);
      expect(await page.locator('.auth-wrapper button.authorize.locked').count()).toBe(1);

      await ui.authorize(undefined);
      expect(await page.locator('.auth-wrapper button.authorize.locked').count()).toBe(0);
      browser.expect(/\/auth\/me$/, 401);
      expect((await ui.execute('auth_me')).status).toBe(401);
    });
    expect(browser.problems).toEqual([]);
  }, 20_000);

  it('sets up an authenticator app, turns MFA on, and signs in with the TOTP step', async () => {
    const email = await confirmedAccount('swagger-mfa');
    await browser.run('swagger-ui-mfa', async () => {
      await ui.open(docs);
      const login = { email, password: STRONG_PASSWORD };
      expect((await ui.execute('auth_login', { body: login })).status).toBe(200);

      const setup = await ui.execute('account_startTotp', {
        body: { password: STRONG_PASSWORD },
      });
      expect(setup.status).toBe(200);
      const secret = setup.body.secretCode as string;
      expect(setup.body.qrCode).toMatch(/^data:image\/png;base64,/);
      const verify = await ui.execute('account_verifyTotp', {
        body: { code: authenticator.generate(secret) },
      });
      expect(verify.status).toBe(204);
      const mfa = await ui.execute('account_setMfa', {
        body: { totpEnabled: true, password: STRONG_PASSWORD },
      });
      expect(mfa).toEqual({ status: 200, body: expect.objectContaining({ totpEnabled: true }) });
      expect((await ui.execute('auth_logout')).status).toBe(204);

      const step = await ui.execute('auth_login', { body: login });
      expect(step).toEqual({
        status: 200,
        body: expect.objectContaining({ nextStep: 'SOFTWARE_TOKEN_MFA' }),
      });
      const challenge = await ui.execute('auth_challenge', {
        body: {
          email,
          nextStep: 'SOFTWARE_TOKEN_MFA',
          session: step.body.session,
          code: authenticator.generate(secret),
        },
      });
      expect(challenge).toEqual({
        status: 200,
        body: expect.objectContaining({ accessToken: expect.any(String) }),
      });
      const me = await ui.execute('auth_me');
      expect(me).toEqual({ status: 200, body: expect.objectContaining({ email }) });
    });
    expect(browser.problems).toEqual([]);
  }, 30_000);

  it('lists the users for an administrator with "Try it out" and no field touched', async () => {
    const email = await confirmedAccount('swagger-admin');
    // The first administrator is made with the documented command.
    const granted = spawnSync(
      process.execPath,
      [join(__dirname, '..', 'dist', 'cognito', 'admin.cli.js'), 'grant', email],
      {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        encoding: 'utf8',
      },
    );
    expect(granted.status).toBe(0);
    await browser.run('swagger-ui-admin-users', async (page) => {
      await ui.open(docs);
      const login = { email, password: STRONG_PASSWORD };
      expect((await ui.execute('auth_login', { body: login })).status).toBe(200);
      const users = await ui.execute('admin_listUsers');
      expect(users).toEqual({
        status: 200,
        body: expect.objectContaining({ items: expect.any(Array) }),
      });
      // What a person sees: the answer under the operation, and no filter filled in.
      await page.screenshot({
        path: join(__dirname, '..', 'test-results', 'swagger-ui-admin-users.png'),
        fullPage: false,
      });
    });
    expect(browser.problems).toEqual([]);
  }, 20_000);
});
