import { PinoNestLogger, ROUTINE_FRAMEWORK_CONTEXTS } from './pino-nest.logger';
import { createRootLogger } from './root-logger';

function capture(level: 'log' | 'debug') {
  const lines: string[] = [];
  const nest = new PinoNestLogger(
    createRootLogger(level, { write: (chunk: string) => lines.push(chunk) }),
  );
  const records = () =>
    lines
      .join('')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; msg: string; context?: string });
  return { nest, records };
}

/** What Nest itself logs while it starts, each through its own context. */
function startNest(nest: PinoNestLogger): void {
  nest.log('Starting Nest application...', 'NestFactory');
  nest.log('AppModule dependencies initialized', 'InstanceLoader');
  nest.log('AuthController {/auth}:', 'RoutesResolver');
  nest.log('Mapped {/auth/login, POST} route', 'RouterExplorer');
  nest.log('Nest application successfully started', 'NestApplication');
}

describe(`${PinoNestLogger.name} levels`, () => {
  it('writes the framework’s routine start-up lines at debug, so the default level leaves them out', () => {
    const quiet = capture('log');
    startNest(quiet.nest);
    quiet.nest.log('Swagger UI: http://127.0.0.1:3000/docs', 'Bootstrap');
    expect(quiet.records()).toEqual([
      expect.objectContaining({ level: 'info', context: 'Bootstrap' }),
    ]);

    const verbose = capture('debug');
    startNest(verbose.nest);
    const routine = verbose.records();
    expect(routine).toHaveLength(5);
    expect(routine.every((record) => record.level === 'debug')).toBe(true);
    expect(routine.map((record) => record.context)).toEqual([...ROUTINE_FRAMEWORK_CONTEXTS]);
    expect(routine[3]).toMatchObject({ msg: 'Mapped {/auth/login, POST} route' });
  });

  it('keeps the framework’s warnings and errors at their level, and other contexts’ lines at info', () => {
    const { nest, records } = capture('log');
    nest.warn('Duplicate route', 'RouterExplorer');
    nest.error('Nest can’t resolve dependencies', 'ExceptionHandler');
    nest.error('failed to start', 'Error: x\n    at y (z.js:1:1)', 'NestApplication');
    nest.log('Mapped {/auth/login, POST} route', 'Routes of my own');
    nest.log('no context at all');
    expect(records()).toEqual([
      expect.objectContaining({ level: 'warn', context: 'RouterExplorer' }),
      expect.objectContaining({ level: 'error', context: 'ExceptionHandler' }),
      expect.objectContaining({ level: 'error', context: 'NestApplication' }),
      expect.objectContaining({ level: 'info', context: 'Routes of my own' }),
      expect.objectContaining({ level: 'info', msg: 'no context at all' }),
    ]);
  });
});
