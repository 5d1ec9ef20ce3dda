/**
 * Runs `run` with stack capture off: every error built during it (synchronously) has no stack
 * trace. For refusals that are expected and frequent (an invalid token is a 401, not a bug):
 * nobody reads their stack, and capturing one costs microseconds on every refused request.
 */
export function withoutStack<T>(run: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return run();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
