import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticator } from 'otplib';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { BrowserPage } from './support/browser';
import { rememberSecret } from './support/suite-log';
import { release } from './support/teardown';
import { findFreePort } from '../src/cognito/local/emulator-process';
import {
  STRONG_PASSWORD,
  embeddedEnv,
  startTestApp,
  uniqueEmail,
  withEnv,
} from './support/test-app';
import { TestPool } from './support/test-pool';

const pool = new TestPool();
// The confirmation codes are read from the emulator, as a person reads them from its output.
const describeEmulated = pool.emulated ? describe : describe.skip;

/** Waits until the page's status line (role=status) says `text`. */
function shows(page: Page, text: string | RegExp): Promise<void> {
  return page.getByRole('status').filter({ hasText: text }).waitFor();
}

/**
 * The reference page at /demo in Chromium, used as a person would: by its labels and buttons,
 * with the keyboard where a person would press Enter. Each test fails on any console error or
 * failed request it does not expect, and saves a screenshot when it fails.
 */
describeEmulated('The reference page /demo in a real browser (e2e, Chromium)', () => {
  let app: NestFastifyApplication;
  let browser: BrowserPage;
  let page: Page;
  let demo: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp();
    const server = app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // localhost: Chromium keeps the Secure __Host- session cookies there, as on https.
    demo = `http://localhost:${(server.address() as AddressInfo).port}/demo`;
    browser = await BrowserPage.open();
    page = browser.page;
    rememberSecret(STRONG_PASSWORD, 'password');
  });
  afterAll(() => release(browser, app));

  beforeEach(async () => {
    await page.context().clearCookies();
    browser.problems.length = 0;
  });
  afterEach(() => expect(browser.problems).toEqual([]));

  /** An account made through the API, not the page, for the tests that start signed out. */
  async function confirmedAccount(label: string): Promise<string> {
    const email = uniqueEmail(label);
    await http().post('/auth/sign-up').send({ email, password: STRONG_PASSWORD }).expect(201);
    const code = await pool.code(email);
    await http().post('/auth/confirm-sign-up').send({ email, code }).expect(204);
    return email;
  }

  async function open(): Promise<void> {
    // Signed out, the page's first question (GET /account) is answered 401.
    browser.expect(/\/account$/, 401);
    await page.goto(demo);
    await shows(page, /Signed (in|out)/);
  }

  function hasFocus(selector: string): Promise<boolean> {
    return page
      .locator(selector)
      .evaluate((node) => (node as unknown as { matches(css: string): boolean }).matches(':focus'));
  }

  async function signIn(email: string): Promise<void> {
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password', { exact: true }).first().fill(STRONG_PASSWORD);
    // The keyboard: Enter submits the form.
    await page.getByLabel('Password', { exact: true }).first().press('Enter');
  }

  it('sign-up -> confirmation -> sign-in -> profile -> sign-out, with errors shown', async () => {
    await browser.run('demo-page-sign-up', async () => {
      await open();
      await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
      const email = uniqueEmail('demo-page');
      const signUp = page.locator('#sign-up-form');
      await signUp.getByLabel('Email').fill(email);
      await signUp.getByLabel('Password').fill(STRONG_PASSWORD);
      await signUp.getByRole('button', { name: 'Sign up' }).click();
      await shows(page, 'confirmation code was sent');

      // A wrong code: the API's message and code, visible, and the form still there.
      browser.expect(/\/auth\/confirm-sign-up$/, 400);
      const confirm = page.locator('#confirm-form');
      await confirm.getByLabel('Code').fill('000000');
      await confirm.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('alert').filter({ hasText: 'CODE_MISMATCH' }).waitFor();

      const code = await pool.code(email);
      rememberSecret(code, 'code');
      await confirm.getByLabel('Code').fill(code);
      await confirm.getByRole('button', { name: 'Confirm' }).click();
      await shows(page, 'Confirmed');
      expect(await page.getByRole('alert').isHidden()).toBe(true);

      // A wrong password first: one answer for every cause, shown.
      browser.expect(/\/auth\/login$/, 401);
      await page.locator('#login-email').fill(email);
      await page.locator('#login-password').fill('Wrong-Passw0rd!');
      await page.locator('#login-password').press('Enter');
      await page.getByRole('alert').filter({ hasText: 'INVALID_CREDENTIALS' }).waitFor();

      await page.locator('#login-password').fill(STRONG_PASSWORD);
      await page.locator('#login-password').press('Enter');
      await shows(page, `Signed in as ${email}`);
      // The form that had the focus is hidden: the keyboard goes on from the new part's heading.
      expect(await hasFocus('#signed-in-title')).toBe(true);
      await page.screenshot({ path: 'test-results/demo-page-signed-in.png', fullPage: true });

      await page.getByLabel('Name').fill('Alice Example');
      await page.getByRole('button', { name: 'Save' }).click();
      await shows(page, 'Profile saved');
      const account = await http().post('/auth/login').send({ email, password: STRONG_PASSWORD });
      const profile = await http()
        .get('/account')
        .set('authorization', `Bearer ${account.body.accessToken as string}`);
      expect(profile.body.attributes.name).toBe('Alice Example');

      await page.getByRole('button', { name: 'Refresh the tokens' }).click();
      await shows(page, 'New tokens');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await shows(page, 'Signed out');
      expect(await hasFocus('#signed-out-title')).toBe(true);
      expect((await page.context().cookies()).map((c) => c.name)).not.toContain(
        '__Host-access_token',
      );
    });
  }, 60000);

  it('authenticator set-up shows the QR code as an image; the next sign-in asks for the code', async () => {
    await browser.run('demo-page-mfa', async () => {
      const email = await confirmedAccount('demo-mfa');

      await open();
      await signIn(email);
      await shows(page, `Signed in as ${email}`);
      await page.getByLabel('Password (to confirm it is you)').fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Set up an authenticator' }).click();
      const qr = page.getByRole('img', { name: 'QR code to scan with an authenticator app' });
      await qr.first().waitFor();
      // A picture a phone can scan, not a string.
      expect(
        await page
          .locator('#totp-qr-image')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBeGreaterThanOrEqual(200);
      await page.screenshot({ path: 'test-results/demo-page-totp.png', fullPage: true });
      const secret = (await page.locator('#totp-secret').textContent()) ?? '';
      await page.getByLabel('Code from the app').fill(authenticator.generate(secret));
      await page.getByRole('button', { name: 'Verify and turn MFA on' }).click();
      await shows(page, 'MFA is on');
      expect(await page.locator('#mfa-state').textContent()).toBe('on');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await shows(page, 'Signed out');
      await signIn(email);
      await page.getByRole('heading', { name: 'Next step: SOFTWARE_TOKEN_MFA' }).waitFor();
      // The code field has the focus: type and press Enter.
      await page.keyboard.type(authenticator.generate(secret));
      await page.keyboard.press('Enter');
      await shows(page, `Signed in as ${email}`);
    });
  }, 60000);

  it('AWS credentials without an identity pool: the API’s refusal, shown', async () => {
    await browser.run('demo-page-aws', async () => {
      const email = await confirmedAccount('demo-aws');
      await open();
      await signIn(email);
      await shows(page, `Signed in as ${email}`);
      browser.expect(/\/auth\/aws-credentials$/, 404);
      await page.getByRole('button', { name: 'Get AWS credentials' }).click();
      await page.getByRole('alert').filter({ hasText: 'IDENTITY_POOL_NOT_CONFIGURED' }).waitFor();
    });
  }, 60000);

  it('serves only its own files', async () => {
    expect((await http().get('/demo/assets/app.js')).headers['content-type']).toMatch(
      /^text\/javascript/,
    );
    const odd = await http().get('/demo/assets/..%2F..%2Fpackage.json');
    expect([odd.status, odd.body.error]).toEqual([404, 'NOT_FOUND']);
    expect((await http().get('/demo/assets/index.ts')).status).toBe(404);
  });
});

/**
 * The page in the embedded mode, where sign-in with a provider (the local stand-in) and AWS
 * credentials (the local identity pool) exist: opened on localhost, as many people will.
 */
describe('The reference page /demo in the embedded mode (e2e, Chromium)', () => {
  let app: NestFastifyApplication;
  let browser: BrowserPage;
  let port: number;

  beforeAll(async () => {
    port = await findFreePort();
    const dataDir = join(mkdtempSync(join(tmpdir(), 'demo-embedded-')), 'data');
    app = await withEnv({ ...embeddedEnv(dataDir), OAUTH_REDIRECT_URI: undefined }, () =>
      startTestApp(),
    );
    await app.listen(port, '127.0.0.1');
    browser = await BrowserPage.open();
  });
  afterAll(() => release(browser, app));

  it('signs in with the local provider from localhost, gets AWS credentials, signs out', async () => {
    const email = uniqueEmail('demo-provider');
    await browser.run('demo-page-provider', async (page) => {
      browser.expect(/\/account$/, 401);
      await page.goto(`http://localhost:${port}/demo`);
      await shows(page, 'Signed out');
      await page.getByRole('link', { name: 'Sign in with LocalProvider' }).click();
      // The stand-in's simulated provider asks which email to sign in as.
      await page.getByLabel('Email', { exact: false }).first().fill(email);
      await page.getByRole('button', { name: /LocalProvider/ }).click();
      // Back on the page, on the callback's host, signed in by cookies.
      await page.waitForURL(`http://127.0.0.1:${port}/demo`);
      await shows(page, `Signed in as ${email}`);
      await page.getByRole('button', { name: 'Get AWS credentials' }).click();
      await page
        .locator('#aws-result')
        .filter({ hasText: /^Identity .*: key LOCA/ })
        .waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await shows(page, 'Signed out');
    });
    expect(browser.problems).toEqual([]);
  }, 60000);
});
