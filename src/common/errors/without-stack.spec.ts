import { withoutStack } from './without-stack';

describe(withoutStack.name, () => {
  it('builds the error without stack frames and leaves stack capture on for everything else', () => {
    const limit = Error.stackTraceLimit;
    const quiet = withoutStack(() => new TypeError('refused'));
    expect(quiet).toBeInstanceOf(TypeError);
    expect(quiet.message).toBe('refused');
    expect(quiet.stack?.split('\n').filter((line) => line.trim().startsWith('at '))).toEqual([]);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('normal').stack).toMatch(/\n\s+at /);
  });

  it('restores stack capture when building the error throws', () => {
    const limit = Error.stackTraceLimit;
    expect(() =>
      withoutStack(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
