import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';

/**
 * Fetches a JWKS over HTTPS, or over HTTP for a local emulator (production refuses non-HTTPS
 * issuers at start). aws-jwt-verify's own fetcher only speaks HTTPS; caching, the rate limit on
 * refetches and key selection stay the library's.
 */
export class JwksFetcher implements Fetcher {
  constructor(private readonly timeoutMs = 3000) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new FetchError(uri, (error as Error).message);
    }
    if (response.status !== 200) {
      throw new NonRetryableFetchError(uri, `Status code is ${response.status}, expected 200`);
    }
    return response.arrayBuffer();
  }
}
