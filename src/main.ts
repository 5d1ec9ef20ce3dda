import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, installGracefulShutdown } from './app.setup';
import { appConfig, ConfigurationError } from './config';
import { CognitoConnection } from './cognito/cognito-connection';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { port, host, shutdownDelayMs } = app.get<{
    port: number;
    host: string;
    shutdownDelayMs: number;
  }>(appConfig.KEY);
  installGracefulShutdown(app, shutdownDelayMs);
  await app.listen(port, host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  const logger = new Logger('Bootstrap');
  const connection = app.get(CognitoConnection);
  logger.log(`Cognito mode: ${connection.mode} (pool ${connection.userPoolId})`);
  logger.log(`API listening on ${url}`);
  if (app.get<{ swaggerEnabled: boolean }>(appConfig.KEY).swaggerEnabled) {
    logger.log(`Swagger UI: ${url}/docs (OpenAPI JSON: ${url}/docs-json)`);
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    new Logger('Bootstrap').fatal(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  }
  process.exit(1);
});
