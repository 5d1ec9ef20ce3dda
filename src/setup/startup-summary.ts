import type { CognitoConnection } from '../cognito/cognito-connection';

/** What the start-up summary is made of. */
export interface StartupFacts {
  /** The API's own address, as it listens. */
  url: string;
  swaggerEnabled: boolean;
  nodeEnv: string;
  connection: Pick<CognitoConnection, 'mode' | 'userPoolId' | 'region' | 'endpoint'>;
  /** The embedded mode's own lines (EmbeddedCognito.summary): codes, stand-ins. */
  embedded?: readonly string[];
}

function mode({ connection }: StartupFacts): string {
  const pool = connection.userPoolId;
  switch (connection.mode) {
    case 'embedded':
      return `embedded (the local Cognito emulator on ${connection.endpoint}, pool ${pool})`;
    case 'endpoint':
      return `custom endpoint ${connection.endpoint} (pool ${pool})`;
    case 'aws':
      return `AWS (pool ${pool} in ${connection.region})`;
  }
}

/**
 * The few lines the process writes at `info` once it listens (the framework's own start-up lines
 * are `debug`): where the API and Swagger UI are, the Cognito mode and, in development, the
 * reference page, where confirmation codes appear and how to make an administrator. One log line
 * each.
 */
export function startupSummary(facts: StartupFacts): string[] {
  const { url } = facts;
  const lines = [`API listening on ${url}; Cognito mode: ${mode(facts)}.`];
  lines.push(
    facts.swaggerEnabled
      ? `Swagger UI: ${url}/docs (OpenAPI JSON: ${url}/docs-json)`
      : 'Swagger UI is off (SWAGGER_ENABLED=false).',
  );
  if (facts.nodeEnv !== 'production') {
    lines.push(`Reference page (the typed client in use): ${url}/demo`);
  }
  lines.push(...(facts.embedded ?? []));
  if (facts.nodeEnv !== 'production') {
    lines.push('Make an account an administrator with `npm run admin -- grant <email>`.');
  }
  return lines;
}
