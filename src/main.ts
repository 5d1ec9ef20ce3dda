import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, installGracefulShutdown } from './app.setup';
import { appConfig, ConfigurationError, loadConfiguration } from './config';
import { CognitoConnection } from './cognito/cognito-connection';
import { assertPortAvailable, PortUnavailableError } from './common/net/port';
import { DataFolderInUseError } from './cognito/local/data-folder-lock';
import { EmbeddedCognito } from './cognito/local/embedded-cognito';
import { startupSummary } from './setup/startup-summary';

async function bootstrap(): Promise<void> {
  // A taken port is refused before anything starts or is written: the embedded mode would
  // otherwise start an emulator and remember its port, which a running instance may still need.
  const settings = loadConfiguration().app;
  await assertPortAvailable(settings.port, settings.host);
  const app = await createApp();
  const { port, host, shutdownDelayMs, swaggerEnabled, nodeEnv } = app.get<{
    port: number;
    host: string;
    shutdownDelayMs: number;
    swaggerEnabled: boolean;
    nodeEnv: string;
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
  const summary = startupSummary({
    url,
    swaggerEnabled,
    nodeEnv,
    connection: app.get(CognitoConnection),
    embedded: app.get(EmbeddedCognito, { strict: false }).summary(),
  });
  for (const line of summary) logger.log(line);
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
