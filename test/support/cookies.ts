import type { Response } from 'supertest';
import { sessionCookieNames } from '../../src/guard';

/**
 * The session cookies' names in the tests' apps: Secure without a Domain (the defaults), so
 * `__Host-access_token`, `__Host-csrf_secret`, `__Host-XSRF-TOKEN`, and `__Secure-` for the
 * refresh cookies, which are scoped to two paths.
 */
export const COOKIE = sessionCookieNames({ cookieSecure: true });

/** Every Set-Cookie line of a response for one cookie name. */
export function setCookies(response: Response, name: string): string[] {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  return (header ?? []).filter((line) => line.startsWith(`${name}=`));
}

/** The `name=value` pair of a response's cookie, as a browser would send it back. */
export function cookieValue(response: Response, name: string): string {
  const line = setCookies(response, name)[0];
  if (!line) throw new Error(`no ${name} cookie`);
  return line.split(';')[0];
}

/**
 * What a browser page of the site sends with an unsafe cookie request after signing in: the
 * session cookies, and the XSRF-TOKEN cookie's value in the X-XSRF-TOKEN header.
 */
export function browserSession(
  login: Response,
  cookies: string[] = [COOKIE.access, COOKIE.refresh, COOKIE.refreshUsername],
): { cookie: string; 'x-xsrf-token': string } {
  const token = decodeURIComponent(cookieValue(login, COOKIE.csrfToken).split('=')[1]);
  return {
    cookie: [...cookies, COOKIE.csrfSecret, COOKIE.csrfToken]
      .map((name) => cookieValue(login, name))
      .join('; '),
    'x-xsrf-token': token,
  };
}
