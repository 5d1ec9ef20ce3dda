import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';

const MAX_LENGTH = 2048;
const BASE = 'http://return-to.invalid';

function refused(): AppException {
  return new AppException(
    HttpStatus.BAD_REQUEST,
    ErrorCode.RETURN_TO_NOT_ALLOWED,
    'returnTo must be a path of this site (/account) or an address on OAUTH_RETURN_ORIGINS.',
  );
}

/**
 * Where a sign-in may send the browser back: a path of this site (`/account?tab=2`), or an
 * address whose origin (or app scheme, `com.example.app:`) is on OAUTH_RETURN_ORIGINS. Anything
 * else (`//evil.example`, `/\evil.example`, `https://evil.example`, `javascript:`...) -> 400
 * `RETURN_TO_NOT_ALLOWED`, so the sign-in cannot be made to hand the user to someone else.
 */
export function checkedReturnTo(value: string | undefined, allowed: readonly string[]): string {
  if (value === undefined || value === '') return '/';
  // Browsers drop tabs and newlines and read `\` as `/`: such a path could leave the site.
  if (value.length > MAX_LENGTH || /[\s\\\p{Cc}]/u.test(value)) throw refused();
  if (value.startsWith('/')) {
    // Returned as the URL parser reads it, dot segments resolved: `/..//evil.example` would
    // otherwise come out of a later parse as `//evil.example`, another site.
    const path = new URL(value, BASE);
    if (value.startsWith('//') || path.origin !== BASE || path.pathname.startsWith('//')) {
      throw refused();
    }
    return `${path.pathname}${path.search}${path.hash}`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refused();
  }
  if (url.username || url.password) throw refused();
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  const origin = web ? url.origin : url.protocol.toLowerCase();
  if (!allowed.includes(origin)) throw refused();
  return url.href;
}
