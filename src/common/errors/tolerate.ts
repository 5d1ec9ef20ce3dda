import { AppException } from './app.exception';
import type { ErrorCode } from './error-code';

/**
 * Runs `call`; an AppException with one of `codes` is an accepted outcome and its code is
 * returned instead of thrown. Anything else is thrown as it was.
 */
export async function tolerate(
  codes: readonly ErrorCode[],
  call: () => Promise<unknown>,
): Promise<ErrorCode | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    if (error instanceof AppException && codes.includes(error.code)) return error.code;
    throw error;
  }
}
