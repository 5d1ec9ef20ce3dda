import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import * as classValidator from 'class-validator';
import { configModuleOptions } from './config-module.options';
import { ConfigurationError, loadConfiguration, parseEnvironment } from './environment';
import {
  appConfig,
  authConfig,
  cognitoConfig,
  federationConfig,
  httpConfig,
  identityConfig,
  redisConfig,
  syncConfig,
} from '.';

const NAMESPACES = [
  appConfig,
  authConfig,
  cognitoConfig,
  httpConfig,
  redisConfig,
  federationConfig,
  identityConfig,
  syncConfig,
];

/** What an app build reads: the settings `createApp` takes first, then every config namespace. */
async function buildConfiguration(): Promise<{ port: number; namespaces: unknown[] }> {
  const { port } = loadConfiguration().app;
  const module = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(configModuleOptions)],
  }).compile();
  const namespaces = NAMESPACES.map((namespace) => module.get<unknown>(namespace.KEY));
  await module.close();
  return { port, namespaces };
}

describe('configModuleOptions', () => {
  const savedPort = process.env.PORT;
  afterEach(() => {
    jest.restoreAllMocks();
    if (savedPort === undefined) delete process.env.PORT;
    else process.env.PORT = savedPort;
  });

  it('builds the app’s settings and all eight namespaces from one parse of the environment', async () => {
    // A value no earlier test used, so nothing parsed before can answer.
    process.env.PORT = String(40000 + Math.floor(Math.random() * 20000));
    const validations = jest.spyOn(classValidator, 'validateSync');

    const { port, namespaces } = await buildConfiguration();

    expect(validations).toHaveBeenCalledTimes(1);
    expect(port).toBe(Number(process.env.PORT));
    const { app, auth, cognito, http, redis, federation, identity, sync } = parseEnvironment(
      process.env,
    );
    expect(namespaces).toEqual([app, auth, cognito, http, redis, federation, identity, sync]);
  });

  it('parses a changed environment anew for the next app, and still refuses an invalid one', async () => {
    process.env.PORT = '4101';
    expect((await buildConfiguration()).port).toBe(4101);
    process.env.PORT = '4102';
    const next = await buildConfiguration();
    expect(next.port).toBe(4102);
    expect(next.namespaces[0]).toMatchObject({ port: 4102 });
    process.env.PORT = 'eighty';
    expect(() => loadConfiguration()).toThrow(ConfigurationError);
  });
});
