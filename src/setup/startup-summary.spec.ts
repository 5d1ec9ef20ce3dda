import { startupSummary, type StartupFacts } from './startup-summary';

const facts = (overrides: Partial<StartupFacts>): StartupFacts => ({
  url: 'http://127.0.0.1:3000',
  swaggerEnabled: true,
  nodeEnv: 'development',
  connection: { mode: 'aws', userPoolId: 'eu-west-1_Abc', region: 'eu-west-1' },
  ...overrides,
});

describe(startupSummary.name, () => {
  it('names the address, the mode and Swagger UI, then the embedded lines and the admin hint', () => {
    const lines = startupSummary(
      facts({
        connection: {
          mode: 'embedded',
          userPoolId: 'local_Abc',
          region: 'us-east-1',
          endpoint: 'http://127.0.0.1:9229',
        },
        embedded: ['codes here', 'stand-ins there'],
      }),
    );
    expect(lines).toEqual([
      'API listening on http://127.0.0.1:3000; Cognito mode: embedded (the local Cognito emulator on http://127.0.0.1:9229, pool local_Abc).',
      'Swagger UI: http://127.0.0.1:3000/docs (OpenAPI JSON: http://127.0.0.1:3000/docs-json)',
      'Reference page (the typed client in use): http://127.0.0.1:3000/demo',
      'codes here',
      'stand-ins there',
      'Make an account an administrator with `npm run admin -- grant <email>`.',
    ]);
  });

  it('names a custom endpoint or AWS, says when Swagger UI is off, and gives no CLI hint in production', () => {
    const custom = startupSummary(
      facts({
        connection: {
          mode: 'endpoint',
          userPoolId: 'us-east-1_X',
          region: 'us-east-1',
          endpoint: 'http://127.0.0.1:4566',
        },
      }),
    );
    expect(custom[0]).toContain(
      'Cognito mode: custom endpoint http://127.0.0.1:4566 (pool us-east-1_X)',
    );
    const aws = startupSummary(facts({ nodeEnv: 'production', swaggerEnabled: false }));
    expect(aws).toEqual([
      'API listening on http://127.0.0.1:3000; Cognito mode: AWS (pool eu-west-1_Abc in eu-west-1).',
      'Swagger UI is off (SWAGGER_ENABLED=false).',
    ]);
  });
});
