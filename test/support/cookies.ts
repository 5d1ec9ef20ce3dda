import type { Response } from 'supertest';

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
  cookies: string[] = ['access_token', 'refresh_token', 'refresh_username'],
): { cookie: string; 'x-xsrf-token': string } {
  const token = decodeURIComponent(cookieValue(login, 'XSRF-TOKEN').split('=')[1]);
  return {
    cookie: [...cookies, 'csrf_secret', 'XSRF-TOKEN']
      .map((name) => cookieValue(login, name))
      .join('; '),
    'x-xsrf-token': token,
  };
}
