import { ConfigurationError, parseEnvironment } from './environment';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe(parseEnvironment.name, () => {
  it('defaults to the embedded emulator on 127.0.0.1:3000 with a strict cookie and password setup', () => {
    const config = parseEnvironment({});
    expect(config.app).toMatchObject({ port: 3000, host: '127.0.0.1', nodeEnv: 'development' });
    expect(config.cognito.mode).toBe('embedded');
    expect(config.cognito.local).toEqual({ dataDir: '.cognito-local', port: 0, printCodes: true });
    expect(config.auth).toMatchObject({ tokenDelivery: 'both', cookieSecure: true });
    expect(config.auth.passwordPolicy).toEqual({
      minimumLength: 8,
      requireUppercase: true,
      requireLowercase: true,
      requireNumbers: true,
      requireSymbols: true,
    });
  });

  it('normalises the local administrator’s email like the API does, and refuses a lookalike', () => {
    expect(
      parseEnvironment({ COGNITO_LOCAL_ADMIN_EMAIL: ' ＢＯＳＳ@Example.com ' }).cognito.local
        .adminEmail,
    ).toBe('boss@example.com');
    expect(problemsOf({ COGNITO_LOCAL_ADMIN_EMAIL: 'bo\u200bss@example.com' })).toEqual([
      'COGNITO_LOCAL_ADMIN_EMAIL must not contain invisible or text-direction characters',
    ]);
  });

  it("refuses a local administrator's password that breaks the password policy, without echoing it", () => {
    const problems = problemsOf({ COGNITO_LOCAL_ADMIN_PASSWORD: 'lowercase-only' });
    expect(problems).toEqual([
      'COGNITO_LOCAL_ADMIN_PASSWORD must meet the password policy: an uppercase letter, a number',
    ]);
    expect(
      problemsOf({ COGNITO_LOCAL_ADMIN_PASSWORD: 'short-Pw1', PASSWORD_MIN_LENGTH: '12' }),
    ).toEqual([
      'COGNITO_LOCAL_ADMIN_PASSWORD must meet the password policy: at least 12 characters',
    ]);
    expect(
      parseEnvironment({ COGNITO_LOCAL_ADMIN_PASSWORD: 'Local-Admin-Passw0rd' }).cognito.local
        .adminPassword,
    ).toBe('Local-Admin-Passw0rd');
  });

  it('treats empty values as unset, as a copied .env.example has them', () => {
    expect(
      parseEnvironment({ PORT: '', COGNITO_USER_POOL_ID: '', TOKEN_DELIVERY: '' }).cognito.mode,
    ).toBe('embedded');
  });

  it('selects the AWS mode from a pool id and derives the region and issuer', () => {
    const { cognito } = parseEnvironment({
      COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123',
      COGNITO_CLIENT_ID: 'abc123',
      COGNITO_CLIENT_SECRET: 's3cret',
    });
    expect(cognito).toMatchObject({
      mode: 'aws',
      region: 'eu-west-1',
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      jwksUri:
        'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json',
      clientSecret: 's3cret',
    });
  });

  it('selects the custom endpoint mode, with the issuer under the endpoint unless set', () => {
    const base = {
      COGNITO_ENDPOINT: 'http://127.0.0.1:9229/',
      COGNITO_USER_POOL_ID: 'local_abc',
      COGNITO_CLIENT_ID: 'c1',
    };
    expect(parseEnvironment(base).cognito).toMatchObject({
      mode: 'endpoint',
      endpoint: 'http://127.0.0.1:9229',
      issuer: 'http://127.0.0.1:9229/local_abc',
    });
    expect(
      parseEnvironment({ ...base, COGNITO_ISSUER: 'http://localhost:9229/local_abc' }).cognito
        .issuer,
    ).toBe('http://localhost:9229/local_abc');
  });

  it('names every invalid variable in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      TOKEN_DELIVERY: 'pigeon',
      COOKIE_SECURE: 'maybe',
      COGNITO_ENDPOINT: 'not a url',
      PASSWORD_MIN_LENGTH: '3',
    });
    const text = problems.join('\n');
    for (const name of [
      'PORT',
      'TOKEN_DELIVERY',
      'COOKIE_SECURE',
      'COGNITO_ENDPOINT',
      'PASSWORD_MIN_LENGTH',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('reads the proxy, CORS and rate-limit settings, and refuses to trust every proxy', () => {
    expect(parseEnvironment({}).http).toEqual({
      trustProxy: false,
      corsOrigins: [],
      rateLimit: {
        perIp: 30,
        perAccount: 5,
        windowSeconds: 60,
        messagesPerHour: 10,
        passwordFailures: { perAddress: 5, perAccount: 20, windowSeconds: 900 },
      },
    });
    const http = parseEnvironment({
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      RATE_LIMIT_IP: '100',
      RATE_LIMIT_ACCOUNT: '3',
      RATE_LIMIT_WINDOW_SECONDS: '300',
      RATE_LIMIT_MESSAGES: '4',
      RATE_LIMIT_PASSWORD_FAILURES: '3',
      RATE_LIMIT_PASSWORD_FAILURES_ACCOUNT: '12',
      RATE_LIMIT_PASSWORD_WINDOW_SECONDS: '600',
    }).http;
    expect(http).toEqual({
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      rateLimit: {
        perIp: 100,
        perAccount: 3,
        windowSeconds: 300,
        messagesPerHour: 4,
        passwordFailures: { perAddress: 3, perAccount: 12, windowSeconds: 600 },
      },
    });
    expect(parseEnvironment({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(problemsOf({ TRUST_PROXY: 'true' }).join('\n')).toContain('TRUST_PROXY=true');
    const text = problemsOf({ CORS_ORIGINS: 'app.example.com', RATE_LIMIT_IP: '0' }).join('\n');
    expect(text).toContain('CORS_ORIGINS');
    expect(text).toContain('RATE_LIMIT_IP');
  });

  it('requires an app client id with a pool id', () => {
    expect(problemsOf({ COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123' })).toContain(
      'COGNITO_CLIENT_ID is required when a user pool is configured',
    );
  });

  it('requires a region it cannot read from the pool id', () => {
    expect(problemsOf({ COGNITO_USER_POOL_ID: 'local_abc', COGNITO_CLIENT_ID: 'c' })).toContain(
      'AWS_REGION is required: it cannot be read from COGNITO_USER_POOL_ID',
    );
  });

  it('refuses the embedded emulator in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).join()).toMatch(
      /embedded emulator is for development only/,
    );
  });

  it('refuses a non-HTTPS issuer and insecure cookies in production', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      COGNITO_ENDPOINT: 'http://127.0.0.1:9229',
      COGNITO_USER_POOL_ID: 'local_abc',
      COGNITO_CLIENT_ID: 'c1',
      COOKIE_SECURE: 'false',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'NODE_ENV=production refuses the non-HTTPS token issuer http://127.0.0.1:9229/local_abc',
        'NODE_ENV=production refuses COOKIE_SECURE=false',
      ]),
    );
  });

  it('accepts production against Amazon Cognito', () => {
    expect(
      parseEnvironment({
        NODE_ENV: 'production',
        COGNITO_USER_POOL_ID: 'us-east-2_Abc',
        COGNITO_CLIENT_ID: 'c',
        CHALLENGE_SESSION_KEY: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq8N6Ga9xXk5cE=',
      }).cognito.mode,
    ).toBe('aws');
  });

  it('reads the challenge session key as hex or base64, and its lifetime', () => {
    const hex = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
    const bytes = Buffer.from(hex, 'hex');
    for (const written of [
      hex,
      hex.toUpperCase(),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      ` ${hex}\n`,
    ]) {
      expect(
        parseEnvironment({ CHALLENGE_SESSION_KEY: written }).auth.challengeSessions.key,
      ).toEqual(bytes);
    }
    expect(parseEnvironment({}).auth.challengeSessions).toEqual({
      key: undefined,
      ttlSeconds: 180,
    });
    expect(
      parseEnvironment({ CHALLENGE_SESSION_SECONDS: '600' }).auth.challengeSessions.ttlSeconds,
    ).toBe(600);
  });

  it('refuses a short, non-random or unreadable challenge session key, naming what is wanted', () => {
    const wanted =
      'CHALLENGE_SESSION_KEY must be at least 32 random bytes written as hex or base64, e.g. ' +
      'the output of `openssl rand -base64 32`';
    for (const key of [
      'secret',
      Buffer.alloc(31, 1).toString('hex'),
      '0'.repeat(64),
      'ab'.repeat(40),
      'correct horse battery staple correct horse battery staple',
    ]) {
      expect([key, problemsOf({ CHALLENGE_SESSION_KEY: key })]).toEqual([key, [wanted]]);
    }
    expect(problemsOf({ CHALLENGE_SESSION_SECONDS: '30' }).join()).toContain(
      'CHALLENGE_SESSION_SECONDS',
    );
  });

  it('requires the challenge session key in production, where instances must share it', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        COGNITO_USER_POOL_ID: 'us-east-2_Abc',
        COGNITO_CLIENT_ID: 'c',
      }),
    ).toEqual([
      'NODE_ENV=production needs CHALLENGE_SESSION_KEY, the key that seals the sessions of ' +
        'sign-in steps, the same on every instance: at least 32 random bytes written as hex or ' +
        'base64, e.g. the output of `openssl rand -base64 32`',
    ]);
  });
});

describe('sign-in with a provider (federation)', () => {
  const pool = { COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123', COGNITO_CLIENT_ID: 'abc123' };

  it('is on in the embedded mode with its stand-in’s providers, and off for a pool without a domain', () => {
    expect(parseEnvironment({}).federation).toEqual({
      enabled: true,
      domain: undefined,
      redirectUri: undefined,
      logoutUri: undefined,
      scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      providers: [
        { name: 'LocalProvider', type: 'social' },
        { name: 'COGNITO', type: 'cognito' },
      ],
      returnOrigins: [],
    });
    expect(parseEnvironment(pool).federation).toMatchObject({ enabled: false, providers: [] });
  });

  it('reads the domain, callback, scopes, typed providers and return origins', () => {
    const federation = parseEnvironment({
      ...pool,
      COGNITO_DOMAIN: 'https://auth.example.com/',
      OAUTH_REDIRECT_URI: 'https://api.example.com/auth/oauth/callback',
      OAUTH_SCOPES: 'openid email aws.cognito.signin.user.admin',
      OAUTH_PROVIDERS: 'Google, SignInWithApple,Corp:saml,Okta,COGNITO',
      OAUTH_RETURN_ORIGINS: 'https://app.example.com, com.example.app:, myapp://',
    }).federation;
    expect(federation).toEqual({
      enabled: true,
      domain: 'https://auth.example.com',
      redirectUri: 'https://api.example.com/auth/oauth/callback',
      logoutUri: undefined,
      scopes: ['openid', 'email', 'aws.cognito.signin.user.admin'],
      providers: [
        { name: 'Google', type: 'social' },
        { name: 'SignInWithApple', type: 'social' },
        { name: 'Corp', type: 'saml' },
        { name: 'Okta', type: 'oidc' },
        { name: 'COGNITO', type: 'cognito' },
      ],
      returnOrigins: ['https://app.example.com', 'com.example.app:', 'myapp:'],
    });
  });

  it('refuses what would make the flow unsafe or impossible, naming each variable', () => {
    expect(problemsOf({ ...pool, COGNITO_DOMAIN: 'https://auth.example.com' })).toEqual([
      expect.stringContaining('OAUTH_REDIRECT_URI is required'),
    ]);
    expect(
      problemsOf({
        ...pool,
        COGNITO_DOMAIN: 'http://auth.example.com',
        OAUTH_REDIRECT_URI: 'http://api.example.com/auth/oauth/callback',
        OAUTH_SCOPES: 'email profile',
        OAUTH_RETURN_ORIGINS: 'https://app.example.com/path,javascript:',
        OAUTH_PROVIDERS: 'Bad_Name',
      }),
    ).toEqual([
      expect.stringContaining('OAUTH_PROVIDERS must be'),
      'COGNITO_DOMAIN must be https (plain http only on a loopback address)',
      'OAUTH_REDIRECT_URI must be https (plain http only on a loopback address)',
      'OAUTH_SCOPES must include openid: the sign-in is checked with the ID token',
      expect.stringContaining('https://app.example.com/path is neither'),
      expect.stringContaining('javascript: is neither'),
    ]);
    expect(problemsOf({ COGNITO_DOMAIN: 'https://auth.example.com' })).toEqual([
      expect.stringContaining('COGNITO_DOMAIN applies to a configured pool'),
    ]);
    expect(
      problemsOf({
        ...pool,
        COGNITO_DOMAIN: 'https://auth.example.com/login',
        OAUTH_REDIRECT_URI: 'https://api.example.com/auth/oauth/callback',
      }),
    ).toEqual(['COGNITO_DOMAIN must be an origin only, e.g. https://auth.example.com']);
    expect(problemsOf({ OAUTH_PROVIDERS: 'LocalProvider,Google' })).toEqual([
      'OAUTH_PROVIDERS: the embedded stand-in offers only LocalProvider and COGNITO, not Google',
    ]);
    expect(
      problemsOf({
        ...pool,
        NODE_ENV: 'production',
        CHALLENGE_SESSION_KEY: 'pQ8xZ2mN4vB7cK1sT9wE3rY6uI0oL5aH/dF+gJ2kX4c=',
        OAUTH_REDIRECT_URI: 'http://localhost:3000/auth/oauth/callback',
      }),
    ).toEqual([
      expect.stringContaining('NODE_ENV=production refuses the non-HTTPS OAUTH_REDIRECT_URI'),
    ]);
    expect(
      problemsOf({
        ...pool,
        NODE_ENV: 'production',
        CHALLENGE_SESSION_KEY: 'pQ8xZ2mN4vB7cK1sT9wE3rY6uI0oL5aH/dF+gJ2kX4c=',
        OAUTH_REDIRECT_URI: 'https://api.example.com/auth/oauth/callback',
        OAUTH_RETURN_ORIGINS: 'http://app.example.com,https://app.example.com,com.example.app:',
      }),
    ).toEqual([
      'NODE_ENV=production refuses the non-HTTPS OAUTH_RETURN_ORIGINS entry http://app.example.com',
    ]);
  });

  it('allows plain http callbacks on loopback addresses in development, as Cognito does', () => {
    expect(
      parseEnvironment({ ...pool, OAUTH_REDIRECT_URI: 'http://localhost:3000/auth/oauth/callback' })
        .federation,
    ).toMatchObject({ enabled: true, redirectUri: 'http://localhost:3000/auth/oauth/callback' });
  });
});

describe('identity pools', () => {
  const pool = { COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123', COGNITO_CLIENT_ID: 'abc123' };
  const identityPoolId = 'eu-central-1:0d9a5f1e-3c2b-4a8e-9f61-2b7c4d3e1a90';

  it('is on in the embedded mode (its stand-in), guests off; off for a pool without an identity pool', () => {
    expect(parseEnvironment({}).identity).toEqual({ enabled: true, allowGuests: false });
    expect(parseEnvironment({ COGNITO_IDENTITY_ALLOW_GUESTS: 'true' }).identity).toEqual({
      enabled: true,
      allowGuests: true,
    });
    expect(parseEnvironment(pool).identity).toEqual({ enabled: false, allowGuests: false });
  });

  it('reads the pool id, its region, the endpoint (the user pool’s by default) and guests', () => {
    expect(
      parseEnvironment({
        ...pool,
        COGNITO_IDENTITY_POOL_ID: identityPoolId,
        COGNITO_IDENTITY_ALLOW_GUESTS: 'yes',
      }).identity,
    ).toEqual({
      enabled: true,
      poolId: identityPoolId,
      region: 'eu-central-1',
      endpoint: undefined,
      allowGuests: true,
    });
    const endpointMode = { ...pool, COGNITO_ENDPOINT: 'http://127.0.0.1:5000/' };
    expect(
      parseEnvironment({ ...endpointMode, COGNITO_IDENTITY_POOL_ID: identityPoolId }).identity
        .endpoint,
    ).toBe('http://127.0.0.1:5000');
    expect(
      parseEnvironment({
        ...endpointMode,
        COGNITO_IDENTITY_POOL_ID: identityPoolId,
        COGNITO_IDENTITY_ENDPOINT: 'http://127.0.0.1:6000/',
      }).identity.endpoint,
    ).toBe('http://127.0.0.1:6000');
  });

  it('refuses a malformed id, settings without a pool, the embedded mode’s own, and http in production', () => {
    expect(
      problemsOf({ ...pool, COGNITO_IDENTITY_POOL_ID: 'eu-west-1_notanidentitypool' }),
    ).toEqual([expect.stringMatching(/^COGNITO_IDENTITY_POOL_ID must look like <region>:<id>/)]);
    expect(problemsOf({ ...pool, COGNITO_IDENTITY_ALLOW_GUESTS: 'true' })).toEqual([
      'COGNITO_IDENTITY_ENDPOINT and COGNITO_IDENTITY_ALLOW_GUESTS need COGNITO_IDENTITY_POOL_ID',
    ]);
    expect(problemsOf({ COGNITO_IDENTITY_POOL_ID: identityPoolId })).toEqual([
      expect.stringContaining('the embedded mode serves its own identity pool'),
    ]);
    expect(
      problemsOf({
        ...pool,
        COGNITO_IDENTITY_ALLOW_GUESTS: 'maybe',
        COGNITO_IDENTITY_POOL_ID: identityPoolId,
      }),
    ).toEqual(['COGNITO_IDENTITY_ALLOW_GUESTS must be true or false']);
    expect(
      problemsOf({
        ...pool,
        NODE_ENV: 'production',
        CHALLENGE_SESSION_KEY: 'q83vEjRWeJ8Sq2uZ5Xp0b7Lc1dFhK9mN4tYwA6gHiJo=',
        COGNITO_IDENTITY_POOL_ID: identityPoolId,
        COGNITO_IDENTITY_ENDPOINT: 'http://127.0.0.1:6000',
      }),
    ).toEqual([
      'NODE_ENV=production refuses the non-HTTPS COGNITO_IDENTITY_ENDPOINT http://127.0.0.1:6000',
    ]);
  });
});

describe('user data sync', () => {
  const pool = { COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123', COGNITO_CLIENT_ID: 'abc123' };

  it('defaults to DynamoDB, the default table and the user pool’s region, with no endpoint', () => {
    expect(parseEnvironment({}).sync).toEqual({
      backend: 'dynamodb',
      cognitoSyncEndpoint: undefined,
      table: 'nest-cognito-auth-sync',
      endpoint: undefined,
      region: 'us-east-1',
    });
    expect(parseEnvironment(pool).sync).toEqual({
      backend: 'dynamodb',
      cognitoSyncEndpoint: undefined,
      table: 'nest-cognito-auth-sync',
      endpoint: undefined,
      region: 'eu-west-1',
    });
    expect(parseEnvironment({ ...pool, AWS_REGION: 'eu-north-1' }).sync.region).toBe('eu-north-1');
  });

  it('reads the table, the endpoint and the region', () => {
    expect(
      parseEnvironment({
        ...pool,
        SYNC_TABLE: 'My_App.sync-data',
        SYNC_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000/',
        SYNC_DYNAMODB_REGION: 'ap-southeast-2',
      }).sync,
    ).toEqual({
      backend: 'dynamodb',
      cognitoSyncEndpoint: undefined,
      table: 'My_App.sync-data',
      endpoint: 'http://127.0.0.1:8000',
      region: 'ap-southeast-2',
    });
  });

  it('refuses a table name DynamoDB would refuse, and a bad region or URL', () => {
    for (const table of ['ab', 'a'.repeat(256), 'my table', 'sync/data', 'données']) {
      expect(problemsOf({ ...pool, SYNC_TABLE: table })).toEqual([
        'SYNC_TABLE must be a DynamoDB table name: 3 to 255 of a-z, A-Z, 0-9, _ . -',
      ]);
    }
    expect(parseEnvironment({ ...pool, SYNC_TABLE: 'a'.repeat(255) }).sync.table).toHaveLength(255);
    expect(
      problemsOf({
        ...pool,
        SYNC_DYNAMODB_REGION: 'Europe',
        SYNC_DYNAMODB_ENDPOINT: 'ftp://127.0.0.1',
      }),
    ).toEqual([
      'SYNC_DYNAMODB_ENDPOINT must be an http(s) URL',
      'SYNC_DYNAMODB_REGION must be a region, e.g. eu-west-1',
    ]);
  });

  it('refuses an endpoint in the embedded mode, which runs its own, and http in production', () => {
    expect(problemsOf({ SYNC_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual([
      expect.stringContaining('the embedded mode keeps user data in its own local DynamoDB'),
    ]);
    const production = {
      ...pool,
      NODE_ENV: 'production',
      CHALLENGE_SESSION_KEY: 'q83vEjRWeJ8Sq2uZ5Xp0b7Lc1dFhK9mN4tYwA6gHiJo=',
    };
    expect(problemsOf({ ...production, SYNC_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual([
      'NODE_ENV=production refuses the non-HTTPS SYNC_DYNAMODB_ENDPOINT http://127.0.0.1:8000',
    ]);
    expect(
      parseEnvironment({ ...production, SYNC_DYNAMODB_ENDPOINT: 'https://dynamodb.example.com' })
        .sync.endpoint,
    ).toBe('https://dynamodb.example.com');
  });

  describe('SYNC_BACKEND=cognito-sync', () => {
    const identityPool = {
      ...pool,
      COGNITO_IDENTITY_POOL_ID: 'eu-west-1:0d9a5f1e-3c2b-4a8e-9f61-2b7c4d3e1a90',
      SYNC_BACKEND: 'cognito-sync',
    };

    it('uses Cognito Sync at the identity pool’s address unless COGNITO_SYNC_ENDPOINT is set', () => {
      expect(parseEnvironment(identityPool).sync).toMatchObject({
        backend: 'cognito-sync',
        cognitoSyncEndpoint: undefined,
      });
      expect(
        parseEnvironment({ ...identityPool, COGNITO_IDENTITY_ENDPOINT: 'http://127.0.0.1:5000' })
          .sync.cognitoSyncEndpoint,
      ).toBe('http://127.0.0.1:5000');
      expect(
        parseEnvironment({
          ...identityPool,
          COGNITO_IDENTITY_ENDPOINT: 'http://127.0.0.1:5000',
          COGNITO_SYNC_ENDPOINT: 'http://127.0.0.1:6000/',
        }).sync.cognitoSyncEndpoint,
      ).toBe('http://127.0.0.1:6000');
    });

    it('needs an identity pool, and refuses the embedded mode and the DynamoDB settings', () => {
      expect(problemsOf({ ...pool, SYNC_BACKEND: 'cognito-sync' })).toEqual([
        expect.stringContaining('SYNC_BACKEND=cognito-sync needs COGNITO_IDENTITY_POOL_ID'),
      ]);
      expect(problemsOf({ SYNC_BACKEND: 'cognito-sync' })).toEqual([
        expect.stringContaining('the embedded mode keeps user data in its own local DynamoDB'),
      ]);
      expect(
        problemsOf({ ...identityPool, SYNC_TABLE: 'my-table', SYNC_DYNAMODB_REGION: 'eu-west-1' }),
      ).toEqual([
        'SYNC_TABLE, SYNC_DYNAMODB_REGION apply to SYNC_BACKEND=dynamodb, not cognito-sync',
      ]);
      expect(problemsOf({ ...pool, COGNITO_SYNC_ENDPOINT: 'http://127.0.0.1:6000' })).toEqual([
        'COGNITO_SYNC_ENDPOINT needs SYNC_BACKEND=cognito-sync',
      ]);
      expect(problemsOf({ ...pool, SYNC_BACKEND: 'appsync' })).toEqual([
        'SYNC_BACKEND must be dynamodb or cognito-sync',
      ]);
    });

    it('refuses an http COGNITO_SYNC_ENDPOINT in production', () => {
      const production = {
        ...identityPool,
        NODE_ENV: 'production',
        CHALLENGE_SESSION_KEY: 'q83vEjRWeJ8Sq2uZ5Xp0b7Lc1dFhK9mN4tYwA6gHiJo=',
      };
      expect(problemsOf({ ...production, COGNITO_SYNC_ENDPOINT: 'http://127.0.0.1:6000' })).toEqual(
        ['NODE_ENV=production refuses the non-HTTPS COGNITO_SYNC_ENDPOINT http://127.0.0.1:6000'],
      );
    });
  });
});
