import { JwtTokenGenerator, type TokenGenerator } from 'cognito-local/lib/services/tokenGenerator';

/** cognito-local's token generator: `(ctx, user, groups, appClient, clientMetadata, source)`. */
export type GenerateTokens = TokenGenerator['generate'];

/**
 * Puts `wrapper` in front of cognito-local's token generator, the one service behind every
 * answer that holds tokens (InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, its OAuth
 * token endpoint). Its server makes one JwtTokenGenerator when it starts, so replacing the class's
 * `generate` before then is the whole hook, as `wrapTarget` is for operations: nothing of
 * cognito-local is copied.
 */
export function wrapTokenGenerator(wrapper: (original: GenerateTokens) => GenerateTokens): void {
  const prototype = JwtTokenGenerator.prototype;
  // Always called with the generator it belongs to as `this` (below).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = prototype.generate;
  prototype.generate = function generate(this: JwtTokenGenerator, ...args) {
    return wrapper((...inner) => original.apply(this, inner))(...args);
  };
}
