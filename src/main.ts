import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, installGracefulShutdown } from './app.setup';
import { appConfig, ConfigurationError, loadConfiguration } from './config';
import { CognitoConnection } from './cognito/cognito-connection';
import { assertPortAvailable, PortUnavailableError } from './common/net/port';
import { DataFolderInUseError } from './cognito/local/data-folder-lock';

async function bootstrap(): Promise<void> {
  // A taken port is refused before anything starts or is written: the embedded mode would
  // otherwise start an emulator and remember its port, which a running instance may still need.
  const settings = loadConfiguration().app;
  await assertPortAvailable(settings.port, settings.host);
  const app = await createApp();
  const { port, host, shutdownDelayMs } = app.get<{
    port: number;
    host: string;
    shutdownDelayMs: number;
  }>(appConfig.KEY);
  installGracefulShutdown(app, shutdownDelayMs);
  try {
    await app.listen(port, host);
  } catch (error) {
    // Taken in the meantime.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new PortUnavailableError(port, host, code);
    }
    throw error;
  }
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
  if (
    error instanceof ConfigurationError ||
    error instanceof PortUnavailableError ||
    error instanceof DataFolderInUseError
  ) {
    process.stderr.write(`${error.message}\n`);
  } else {
    new Logger('Bootstrap').fatal(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  }
  process.exit(1);
});
