import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../src/cognito/local/emulator-process';
import { BrowserPage } from './support/browser';
import { release } from './support/teardown';
import { embeddedEnv, startTestApp, uniqueEmail, withEnv } from './support/test-app';

/**
 * A frontend on its own origin, as a single-page app would be: it draws one button per provider
 * from GET /auth/oauth/providers (each a plain link to /auth/oauth/authorize), shows who is signed
 * in (GET /auth/me with the session cookies), and signs out through POST /auth/oauth/logout, then
 * sends the browser to the managed login's /logout, which comes back to /signed-out.
 */
function frontendPage(api: string, origin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frontend</title><link rel="icon" href="data:,"></head>
<body><main><h1>Frontend</h1><p id="who">Loading…</p><nav id="providers"></nav>
<button id="logout" hidden>Sign out</button></main>
<script>
const api = ${JSON.stringify(api)};
const csrf = () => (document.cookie.match(/(?:^|; )(?:__Host-)?XSRF-TOKEN=([^;]*)/) || [])[1] || '';
async function show() {
  const me = await fetch(api + '/auth/me', { credentials: 'include' });
  if (me.ok) {
    const body = await me.json();
    document.getElementById('who').textContent = 'Signed in as ' + body.email;
    document.getElementById('logout').hidden = false;
    return;
  }
  // Read to the end: a body left unread is aborted when the page goes, a failed request.
  await me.text();
  document.getElementById('who').textContent = 'Signed out';
  const providers = await (await fetch(api + '/auth/oauth/providers')).json();
  for (const provider of providers) {
    const link = document.createElement('a');
    link.textContent = 'Sign in with ' + provider.name;
    link.href = api + '/auth/oauth/authorize?provider=' + encodeURIComponent(provider.name) +
      '&returnTo=' + encodeURIComponent(${JSON.stringify(origin)} + '/signed-in');
    document.getElementById('providers').append(link, ' ');
  }
}
document.getElementById('logout').addEventListener('click', async () => {
  const answer = await fetch(api + '/auth/oauth/logout', {
    method: 'POST', credentials: 'include', headers: { 'X-XSRF-TOKEN': csrf() },
  });
  const { logoutUrl } = await answer.json();
  window.location.assign(logoutUrl);
});
show();
</script></body></html>`;
}

/** Listens on loopback; the address as the browser will name it, with `host`. */
async function listen(server: Server, host: string, port = 0): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

describe.each([
  {
    // The settings of a quick start: the callback derived from where the app listens, and
    // cookies without the Secure flag, which a plain-http page is given.
    setting: 'on 127.0.0.1 with the embedded defaults, the stand-in on the same site',
    host: '127.0.0.1',
    env: (): Record<string, string | undefined> => ({ COOKIE_SECURE: 'false' }),
  },
  {
    // As with Amazon Cognito, whose managed login is on another site than the app: the redirect
    // back from it is a cross-site navigation. Secure __Host- cookies (the default), which
    // Chromium gives a page on http://localhost as it would an https one.
    setting: 'on localhost with Secure cookies, the stand-in (127.0.0.1) on another site',
    host: 'localhost',
    env: (port: number): Record<string, string | undefined> => ({
      OAUTH_REDIRECT_URI: `http://localhost:${port}/auth/oauth/callback`,
    }),
  },
])('Sign in with a provider in a real browser (e2e, Chromium), $setting', ({ host, env }) => {
  let app: NestFastifyApplication;
  let frontend: Server;
  let browser: BrowserPage;
  let api: string;
  let origin: string;

  beforeAll(async () => {
    frontend = createServer();
    origin = await listen(frontend, host);
    const port = await findFreePort();
    const dataDir = join(mkdtempSync(join(tmpdir(), 'browser-')), 'data');
    app = await withEnv(
      {
        ...embeddedEnv(dataDir),
        COOKIE_SECURE: undefined,
        OAUTH_REDIRECT_URI: undefined,
        ...env(port),
        CORS_ORIGINS: origin,
        OAUTH_RETURN_ORIGINS: origin,
        OAUTH_LOGOUT_URI: `${origin}/signed-out`,
      },
      () => startTestApp(),
    );
    api = await listen(app.getHttpServer(), host, port);
    frontend.on('request', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(frontendPage(api, origin));
    });
    browser = await BrowserPage.open();
  });

  afterAll(async () => {
    await browser?.close();
    frontend?.close();
    await release(app);
  });

  it('signs in through the local provider, is signed in at the API, and signs out everywhere', async () => {
    const email = uniqueEmail('browser');
    let accessToken: string | undefined;
    // Signed out, the page asks who is signed in and gets 401: expected, twice.
    browser.expect(/\/auth\/me$/, 401);

    await browser.run(`federation-sign-in-${host}`, async (page) => {
      await page.goto(origin);
      await page.getByText('Signed out').waitFor();
      await page.getByRole('link', { name: 'Sign in with LocalProvider' }).click();

      // The stand-in's page: clearly local, then the simulated provider's form.
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.textContent('body')).toMatch(/local/i);
      await page.getByLabel('Email', { exact: false }).first().fill(email);
      await page.getByRole('button', { name: /LocalProvider/ }).click();

      await page.waitForURL(`${origin}/signed-in`);
      await page.getByText(`Signed in as ${email}`).waitFor();
      const session = await page.context().cookies(api);
      const access = session.find((cookie) => cookie.name.endsWith('access_token'));
      accessToken = access?.value;
      expect(access?.name).toBe(host === 'localhost' ? '__Host-access_token' : 'access_token');
      expect(access).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
      });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${origin}/signed-out`);
      await page.getByText('Signed out').waitFor();
    });

    // The API agrees: the session cookies are gone, and the session's access token is refused.
    const cookies = await browser.page.context().cookies(api);
    expect(cookies.filter((cookie) => cookie.name.endsWith('access_token'))).toEqual([]);
    expect(accessToken).toBeDefined();
    const me = await fetch(`${api}/auth/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(401);
    expect(browser.problems).toEqual([]);
  }, 60_000);
});
