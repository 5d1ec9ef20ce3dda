import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import { Targets } from 'cognito-local/lib/targets/targets';

/** An operation of the emulator, by its `X-Amz-Target` name (`RespondToAuthChallenge`, ...). */
export type TargetName = keyof typeof Targets;
type Handler<N extends TargetName> = ReturnType<(typeof Targets)[N]>;
/** The request an operation takes (the AWS SDK v2 input shape cognito-local types it with). */
export type TargetRequest<N extends TargetName> = Parameters<Handler<N>>[1];
/** The answer an operation gives. */
export type TargetResponse<N extends TargetName> = Awaited<ReturnType<Handler<N>>>;
type Operation<N extends TargetName> = (
  ctx: Context,
  request: TargetRequest<N>,
) => Promise<TargetResponse<N>>;

/**
 * Puts `wrapper` in front of one of cognito-local's operations. Its router looks each operation
 * up in the `Targets` table for every request, with the emulator's services, so replacing the
 * table's entry before the server starts is the whole hook: nothing of cognito-local is copied.
 */
export function wrapTarget<N extends TargetName>(
  name: N,
  wrapper: (original: Operation<N>, services: Services) => Operation<N>,
): void {
  const table = Targets as unknown as Record<TargetName, (services: Services) => Operation<N>>;
  const original = table[name];
  table[name] = (services) => wrapper(original(services), services);
}
