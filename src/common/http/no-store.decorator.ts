import { Header } from '@nestjs/common';
import { HEADERS_METADATA, PATH_METADATA } from '@nestjs/common/constants';

const CACHE_CONTROL = 'cache-control';

interface HeaderMetadata {
  name: string;
  value: unknown;
}

/** Whether a route handler answers with `Cache-Control: no-store` (read from Nest's metadata). */
export function isNoStore(handler: object): boolean {
  const headers = (Reflect.getMetadata(HEADERS_METADATA, handler) ?? []) as HeaderMetadata[];
  return headers.some((h) => h.name.toLowerCase() === CACHE_CONTROL && h.value === 'no-store');
}

function hasCacheControl(handler: object): boolean {
  const headers = (Reflect.getMetadata(HEADERS_METADATA, handler) ?? []) as HeaderMetadata[];
  return headers.some((h) => h.name.toLowerCase() === CACHE_CONTROL);
}

/**
 * `Cache-Control: no-store` on the answers of a route, or of every route of a controller: for
 * answers that carry a secret or personal data (tokens, the profile, a TOTP secret, admin reads of
 * users), which no browser or proxy cache may keep. It is Nest's own `@Header` metadata, so the
 * route inventory test can check every route; a route of the controller that sets its own
 * `Cache-Control` keeps it. Error answers are `no-store` whatever the route (sendError).
 */
export function NoStore(): ClassDecorator & MethodDecorator {
  const noStore = Header('Cache-Control', 'no-store');
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (key !== undefined && descriptor !== undefined) {
      return noStore(target, key, descriptor);
    }
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name);
      const handler: unknown = method?.value;
      if (
        name === 'constructor' ||
        typeof handler !== 'function' ||
        Reflect.getMetadata(PATH_METADATA, handler) === undefined ||
        hasCacheControl(handler)
      ) {
        continue;
      }
      noStore(prototype, name, method as PropertyDescriptor);
    }
    return undefined;
  }) as ClassDecorator & MethodDecorator;
}
