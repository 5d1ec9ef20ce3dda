/** Something a suite starts in `beforeAll`: an app, a server, an emulator or a stand-in. */
export type Started = { close(): unknown } | { stop(): unknown };

/**
 * Closes what a suite started, in the order given, skipping whatever `beforeAll` never got to
 * start: a suite whose set-up failed then reports that failure once, not again as a TypeError from
 * its `afterAll`. Every defined one is closed even when an earlier one fails; the first failure is
 * thrown afterwards.
 */
export async function release(...started: (Started | undefined)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const item of started) {
    if (!item) continue;
    try {
      await ('close' in item ? item.close() : item.stop());
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
