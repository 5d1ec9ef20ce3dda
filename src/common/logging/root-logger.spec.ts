import { PinoNestLogger } from './pino-nest.logger';
import { createRootLogger, logDestination, SECRET_FIELDS } from './root-logger';

function capture() {
  const lines: string[] = [];
  const logger = createRootLogger('debug', { write: (chunk: string) => lines.push(chunk) });
  const records = () =>
    lines
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe(createRootLogger.name, () => {
  it('redacts every secret field at the first three levels of a log object', () => {
    const { logger, lines, records } = capture();
    const secrets = Object.fromEntries(SECRET_FIELDS.map((field) => [field, `canary-${field}`]));
    logger.info({ ...secrets, body: secrets, request: { headers: secrets } }, 'redaction');
    const text = lines.join('');
    expect(text).not.toContain('canary-');
    const [record] = records();
    expect(record.password).toBe('[REDACTED]');
    expect((record.body as Record<string, unknown>).refreshToken).toBe('[REDACTED]');
    const headers = (record.request as { headers: Record<string, unknown> }).headers;
    expect(headers.authorization).toBe('[REDACTED]');
    expect(headers.cookie).toBe('[REDACTED]');
    expect(headers['set-cookie']).toBe('[REDACTED]');
    expect(headers['x-id-token']).toBe('[REDACTED]');
  });

  it('writes a request’s address without its query, which may carry a code', () => {
    const { logger, lines, records } = capture();
    const req = { method: 'GET', url: '/auth/oauth/callback?code=canary&state=canary' };
    logger.error({ req }, 'reply failed');
    expect(lines.join('')).not.toContain('canary');
    expect(records()[0]).toMatchObject({ req: { method: 'GET', url: '/auth/oauth/callback' } });
    expect(req.url).toContain('canary');
  });

  it('matches secret names in any letter case, inside arrays, and leaves the logged object untouched', () => {
    const { logger, lines, records } = capture();
    const headers = { Authorization: 'Bearer canary', 'Set-Cookie': ['canary'] };
    logger.info({ items: [{ SecretHash: 'canary' }], headers }, 'x');
    expect(lines.join('')).not.toContain('canary');
    expect(records()[0]).toMatchObject({
      items: [{ SecretHash: '[REDACTED]' }],
      headers: { Authorization: '[REDACTED]', 'Set-Cookie': '[REDACTED]' },
    });
    expect(headers.Authorization).toBe('Bearer canary');
  });

  it('writes JSON lines with an ISO time and the level name; CR/LF stay inside a field', () => {
    const { logger, lines, records } = capture();
    logger.warn({ email: 'a\r\n{"level":"fatal","msg":"forged"}' }, 'line\none');
    expect(lines.join('').trim().split('\n')).toHaveLength(1);
    expect(records()[0]).toMatchObject({
      level: 'warn',
      msg: 'line\none',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });
});

describe(PinoNestLogger.name, () => {
  it('maps Nest calls onto pino: context, stack, object messages and levels', () => {
    const { logger, records } = capture();
    const nest = new PinoNestLogger(logger);
    nest.log('started', 'Bootstrap');
    nest.error('failed', 'Error: x\n    at y (z.js:1:1)', 'Errors');
    nest.error('no stack', 'Errors');
    nest.warn({ msg: 'event', event: 'auth.login', password: 'canary' }, 'Security');
    nest.verbose('hidden at debug');
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'started', context: 'Bootstrap' }),
      expect.objectContaining({
        level: 'error',
        msg: 'failed',
        context: 'Errors',
        stack: expect.stringContaining('at y'),
      }),
      expect.objectContaining({ level: 'error', msg: 'no stack', context: 'Errors' }),
      expect.objectContaining({
        level: 'warn',
        msg: 'event',
        event: 'auth.login',
        context: 'Security',
        password: '[REDACTED]',
      }),
    ]);
  });
});

describe(logDestination.name, () => {
  const kind = (stream: object) => stream.constructor.name;

  it('writes JSON unless a developer watches a terminal, or asks for readable lines', () => {
    const of = (
      logFormat: 'auto' | 'json' | 'pretty',
      nodeEnv: 'development' | 'production',
      terminal: boolean,
    ) => kind(logDestination({ logFormat, nodeEnv }, terminal));
    const json = of('json', 'development', false);
    expect(of('auto', 'development', false)).toBe(json);
    expect(of('auto', 'production', true)).toBe(json);
    expect(of('json', 'development', true)).toBe(json);
    expect(of('auto', 'development', true)).not.toBe(json);
    expect(of('pretty', 'production', false)).not.toBe(json);
  });
});
