import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The Chromium to drive: CHROMIUM_PATH, else `chromium` on the PATH (Debian's, which `npm test`
 * installs when it is missing), as scripts/prerequisites.js checks.
 */
export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ??
  (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir || '.', 'chromium'))
    .find((path) => existsSync(path)) ??
  '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', 'test-results');

/** An answer a test expects to fail, so it is not counted as a problem. */
interface Expected {
  url: RegExp;
  status: number;
}

/**
 * One Chromium page that records every problem a person would not see at first sight: console
 * errors, uncaught page errors, failed requests and answers of 400 and above, except those the
 * test declares expected. A test ends with `expect(browser.problems).toEqual([])`.
 */
export class BrowserPage {
  readonly problems: string[] = [];
  private readonly expected: Expected[] = [];

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // Chromium logs every failed resource; those are judged by their answers below.
      if (message.text().startsWith('Failed to load resource')) return;
      this.problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      const reason = request.failure()?.errorText;
      this.problems.push(`request failed: ${request.url()} ${reason} (page ${page.url()})`);
    });
    page.on('response', (response) => {
      const status = response.status();
      if (status < 400) return;
      if (this.expected.some((e) => e.status === status && e.url.test(response.url()))) return;
      this.problems.push(`answer ${status}: ${response.request().method()} ${response.url()}`);
    });
  }

  static async open(): Promise<BrowserPage> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      // Chromium's sandbox refuses to run as root (a CI container).
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    // Well inside the test's own time limit, so a step that waits in vain fails with its name
    // and a screenshot rather than the test timing out.
    page.setDefaultTimeout(8000);
    return new BrowserPage(browser, page);
  }

  /** An answer the test expects (a 401 once signed out), not to be counted as a problem. */
  expect(url: RegExp, status: number): void {
    this.expected.push({ url, status });
  }

  /** Runs the test's steps; on failure, saves a screenshot to test-results/<name>.png. */
  async run(name: string, steps: (page: Page) => Promise<void>): Promise<void> {
    try {
      await steps(this.page);
    } catch (error) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await this.page.screenshot({ path, fullPage: true }).catch(() => undefined);
      const seen = this.problems.length > 0 ? `\nproblems seen: ${this.problems.join('; ')}` : '';
      throw new Error(`${(error as Error).message}\n(screenshot: ${path})${seen}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
