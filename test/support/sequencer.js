const Sequencer = require('@jest/test-sequencer').default;

/** Jest's usual order, except that the log canary runs last: it reads what the others logged. */
class CanaryLastSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const isCanary = (test) => test.path.endsWith('log-canary.e2e-spec.ts');
    return [...sorted.filter((test) => !isCanary(test)), ...sorted.filter(isCanary)];
  }
}

module.exports = CanaryLastSequencer;
