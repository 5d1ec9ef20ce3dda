import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  getMetadataStorage,
  validateSync,
} from 'class-validator';
import { SOCIAL_PROVIDERS } from '../common/user/social-providers';
import { normaliseEmail } from '../common/validation/email-address';
import { passwordPolicyViolations } from '../common/validation/password-policy';

/** Parses the usual spellings of a boolean environment variable; anything else fails validation. */
function toBoolean({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
}

/** Treats `VAR=` (present but empty) as unset, which is what a copied `.env.example` contains. */
function emptyAsUndefined({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/** `Name` or `Name:type`; a name as Cognito allows it for an identity provider (no `_`, `,`, `:`). */
const PROVIDER = String.raw`[^\s,:_]{1,32}(:(social|saml|oidc|cognito))?`;
const PROVIDER_LIST = new RegExp(String.raw`^${PROVIDER}(\s*,\s*${PROVIDER})*$`);

/** An identity pool id: `<region>:<id>` (Amazon Cognito's ids are UUIDs). */
const IDENTITY_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d):[0-9a-f-]+$/;

const URL_OPTIONS = {
  require_tld: false,
  require_protocol: true,
  protocols: ['http', 'https'],
};

/** The variable may be unset; `VAR=` counts as unset, so the rules below it are skipped. */
function OptionalEnv(): PropertyDecorator {
  // Composed by hand, as the decorators below are: this file is also loaded by the command-line
  // tools, which need no Nest. Registered in the order `@Transform @IsOptional` stacked had.
  return (target, key) => {
    IsOptional()(target, key);
    Transform(emptyAsUndefined)(target, key);
  };
}

function IsBooleanish(): PropertyDecorator {
  return (target, key) => {
    Transform(toBoolean)(target, key);
    IsIn([true, false], { message: `${String(key)} must be true or false` })(target, key);
  };
}

/** An optional whole number within `[min, max]`; `VAR=` counts as unset. */
function IsOptionalInt(min: number, max: number): PropertyDecorator {
  // Registered in the order the stacked decorators had (bottom-up), so parsing is unchanged.
  return (target, key) => {
    Max(max)(target, key);
    Min(min)(target, key);
    IsInt()(target, key);
    // Not @Type(() => Number): class-transformer converts before any @Transform runs, so `VAR=`
    // would become 0 before it could count as unset.
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
    )(target, key);
    OptionalEnv()(target, key);
  };
}

/**
 * Every environment variable the service reads. Each one is optional here; the defaults and the
 * rules that tie several variables together live in {@link parseEnvironment}.
 */
export class EnvironmentVariables {
  @OptionalEnv()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: 'development' | 'production' | 'test';

  @IsOptionalInt(0, 65535)
  PORT?: number;

  @OptionalEnv()
  @IsString()
  @MinLength(1)
  HOST?: string;

  @OptionalEnv()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL?: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

  @OptionalEnv()
  @IsIn(['auto', 'json', 'pretty'])
  LOG_FORMAT?: 'auto' | 'json' | 'pretty';

  @OptionalEnv()
  @IsBooleanish()
  SWAGGER_ENABLED?: boolean;

  @OptionalEnv()
  @Matches(/^[\w-]+_[0-9a-zA-Z]+$/, {
    message: 'COGNITO_USER_POOL_ID must look like <region>_<id>, e.g. eu-west-1_AbCdEfGhI',
  })
  COGNITO_USER_POOL_ID?: string;

  @OptionalEnv()
  @Matches(/^[\w+]+$/, { message: 'COGNITO_CLIENT_ID must be an app client id' })
  @MaxLength(128)
  COGNITO_CLIENT_ID?: string;

  @OptionalEnv()
  @IsString()
  @MaxLength(128)
  COGNITO_CLIENT_SECRET?: string;

  @OptionalEnv()
  @Matches(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'AWS_REGION must be a region, e.g. eu-west-1' })
  AWS_REGION?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'COGNITO_ENDPOINT must be an http(s) URL' })
  COGNITO_ENDPOINT?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'COGNITO_ISSUER must be an http(s) URL' })
  COGNITO_ISSUER?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'COGNITO_JWKS_URI must be an http(s) URL' })
  COGNITO_JWKS_URI?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, {
    message: 'COGNITO_DOMAIN must be the http(s) URL of the managed login domain',
  })
  COGNITO_DOMAIN?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'OAUTH_REDIRECT_URI must be an http(s) URL' })
  OAUTH_REDIRECT_URI?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'OAUTH_LOGOUT_URI must be an http(s) URL' })
  OAUTH_LOGOUT_URI?: string;

  @OptionalEnv()
  @Matches(/^[\w.:/-]+(\s+[\w.:/-]+)*$/, {
    message: 'OAUTH_SCOPES must be scopes separated by spaces, e.g. openid email profile',
  })
  OAUTH_SCOPES?: string;

  @OptionalEnv()
  @Matches(PROVIDER_LIST, {
    message:
      'OAUTH_PROVIDERS must be a comma-separated list of provider names as the pool names them, ' +
      'each optionally typed, e.g. Google,SignInWithApple,Corp:saml,Okta:oidc,COGNITO',
  })
  OAUTH_PROVIDERS?: string;

  @OptionalEnv()
  @Matches(/^[^\s,]+(\s*,\s*[^\s,]+)*$/, {
    message:
      'OAUTH_RETURN_ORIGINS must be a comma-separated list of origins (https://app.example.com) ' +
      'or app schemes (com.example.app:)',
  })
  OAUTH_RETURN_ORIGINS?: string;

  @OptionalEnv()
  @Matches(IDENTITY_POOL_ID, {
    message:
      'COGNITO_IDENTITY_POOL_ID must look like <region>:<id>, e.g. eu-west-1:0d9a5f1e-3c2b-4a8e-9f61-2b7c4d3e1a90',
  })
  @MaxLength(55)
  COGNITO_IDENTITY_POOL_ID?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'COGNITO_IDENTITY_ENDPOINT must be an http(s) URL' })
  COGNITO_IDENTITY_ENDPOINT?: string;

  @OptionalEnv()
  @IsBooleanish()
  COGNITO_IDENTITY_ALLOW_GUESTS?: boolean;

  @IsOptionalInt(100, 60000)
  COGNITO_REQUEST_TIMEOUT_MS?: number;

  @IsOptionalInt(1, 10)
  COGNITO_MAX_ATTEMPTS?: number;

  @OptionalEnv()
  @IsString()
  COGNITO_LOCAL_DATA_DIR?: string;

  @IsOptionalInt(0, 65535)
  COGNITO_LOCAL_PORT?: number;

  @OptionalEnv()
  @IsBooleanish()
  COGNITO_LOCAL_PRINT_CODES?: boolean;

  @OptionalEnv()
  @IsString()
  COGNITO_LOCAL_ADMIN_EMAIL?: string;

  @OptionalEnv()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  COGNITO_LOCAL_ADMIN_PASSWORD?: string;

  @OptionalEnv()
  @Matches(/^custom:[\w-]{1,20}(,custom:[\w-]{1,20})*$/, {
    message:
      'ACCOUNT_CUSTOM_ATTRIBUTES must be a comma-separated list like custom:team,custom:plan',
  })
  ACCOUNT_CUSTOM_ATTRIBUTES?: string;

  @OptionalEnv()
  @Matches(/^[^:\p{Cc}]{1,64}$/u, { message: 'TOTP_ISSUER must be a short name without a colon' })
  TOTP_ISSUER?: string;

  @OptionalEnv()
  @IsIn(['body', 'cookie', 'both'])
  TOKEN_DELIVERY?: 'body' | 'cookie' | 'both';

  @OptionalEnv()
  @IsBooleanish()
  COOKIE_SECURE?: boolean;

  @OptionalEnv()
  @Matches(/^\.?[a-z0-9.-]+$/i, { message: 'COOKIE_DOMAIN must be a domain name' })
  COOKIE_DOMAIN?: string;

  @OptionalEnv()
  @IsBooleanish()
  AUTH_TOKEN_CACHE?: boolean;

  @IsOptionalInt(1, 10_000_000)
  AUTH_TOKEN_CACHE_SIZE?: number;

  @OptionalEnv()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['redis', 'rediss'] },
    { message: 'REDIS_URL must be a redis:// or rediss:// URL' },
  )
  REDIS_URL?: string;

  @OptionalEnv()
  @IsString()
  STATE_DIR?: string;

  @OptionalEnv()
  @Matches(/^(false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, {
    message:
      'TRUST_PROXY must be false, a hop count, or a comma-separated list of proxy addresses or CIDR ranges',
  })
  TRUST_PROXY?: string;

  @OptionalEnv()
  @Matches(/^https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*$/, {
    message:
      'CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.com',
  })
  CORS_ORIGINS?: string;

  @IsOptionalInt(1, 1_000_000)
  RATE_LIMIT_IP?: number;

  @IsOptionalInt(1, 1_000_000)
  RATE_LIMIT_ACCOUNT?: number;

  @IsOptionalInt(1, 86_400)
  RATE_LIMIT_WINDOW_SECONDS?: number;

  @IsOptionalInt(1, 1_000_000)
  RATE_LIMIT_MESSAGES?: number;

  @IsOptionalInt(1, 1_000_000)
  RATE_LIMIT_PASSWORD_FAILURES?: number;

  @IsOptionalInt(1, 1_000_000)
  RATE_LIMIT_PASSWORD_FAILURES_ACCOUNT?: number;

  @IsOptionalInt(1, 86_400)
  RATE_LIMIT_PASSWORD_WINDOW_SECONDS?: number;

  @IsOptionalInt(0, 120_000)
  SHUTDOWN_DELAY_MS?: number;

  @OptionalEnv()
  @IsString()
  CHALLENGE_SESSION_KEY?: string;

  @IsOptionalInt(60, 900)
  CHALLENGE_SESSION_SECONDS?: number;

  @IsOptionalInt(6, 99)
  PASSWORD_MIN_LENGTH?: number;

  @OptionalEnv()
  @Matches(/^[a-zA-Z0-9_.-]{3,255}$/, {
    message: 'SYNC_TABLE must be a DynamoDB table name: 3 to 255 of a-z, A-Z, 0-9, _ . -',
  })
  SYNC_TABLE?: string;

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'SYNC_DYNAMODB_ENDPOINT must be an http(s) URL' })
  SYNC_DYNAMODB_ENDPOINT?: string;

  @OptionalEnv()
  @Matches(/^[a-z]{2}(-[a-z]+)+-\d$/, {
    message: 'SYNC_DYNAMODB_REGION must be a region, e.g. eu-west-1',
  })
  SYNC_DYNAMODB_REGION?: string;

  @OptionalEnv()
  @IsIn(['dynamodb', 'cognito-sync'], { message: 'SYNC_BACKEND must be dynamodb or cognito-sync' })
  SYNC_BACKEND?: 'dynamodb' | 'cognito-sync';

  @OptionalEnv()
  @IsUrl(URL_OPTIONS, { message: 'COGNITO_SYNC_ENDPOINT must be an http(s) URL' })
  COGNITO_SYNC_ENDPOINT?: string;

  @OptionalEnv()
  @IsBooleanish()
  PASSWORD_REQUIRE_UPPERCASE?: boolean;

  @OptionalEnv()
  @IsBooleanish()
  PASSWORD_REQUIRE_LOWERCASE?: boolean;

  @OptionalEnv()
  @IsBooleanish()
  PASSWORD_REQUIRE_NUMBERS?: boolean;

  @OptionalEnv()
  @IsBooleanish()
  PASSWORD_REQUIRE_SYMBOLS?: boolean;
}

export type CognitoMode = 'embedded' | 'endpoint' | 'aws';
export type ProviderType = 'social' | 'saml' | 'oidc' | 'cognito';

/** An identity provider a frontend may offer, as the pool names it. */
export interface OAuthProvider {
  name: string;
  type: ProviderType;
}
export type TokenDelivery = 'body' | 'cookie' | 'both';

export interface PasswordPolicy {
  minimumLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

/** The whole validated configuration, with defaults applied. */
export interface Configuration {
  app: {
    nodeEnv: 'development' | 'production' | 'test';
    port: number;
    host: string;
    logLevel: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';
    /** `auto`: readable lines on a terminal in development, JSON everywhere else. */
    logFormat: 'auto' | 'json' | 'pretty';
    swaggerEnabled: boolean;
    /** How long readiness answers 503 after SIGTERM before the server stops accepting. */
    shutdownDelayMs: number;
  };
  http: {
    /** Fastify's `trustProxy`: false (the socket address), a hop count, or proxy addresses. */
    trustProxy: boolean | number | string[];
    /** Browser origins allowed to call the API (CORS), and whose cookie requests pass CSRF. */
    corsOrigins: string[];
    /** Requests per window on each auth route: per client address, and per account. */
    rateLimit: {
      perIp: number;
      perAccount: number;
      windowSeconds: number;
      /** Codes and invitations sent per account per hour, all routes together. */
      messagesPerHour: number;
      /**
       * Wrong passwords, all password-checking routes together: per account from one client
       * address, and per account from all addresses, per window.
       */
      passwordFailures: { perAddress: number; perAccount: number; windowSeconds: number };
    };
  };
  cognito: {
    mode: CognitoMode;
    /** Set in the endpoint and AWS modes; the embedded mode learns it when the emulator starts. */
    userPoolId?: string;
    clientId?: string;
    clientSecret?: string;
    region: string;
    endpoint?: string;
    issuer?: string;
    jwksUri?: string;
    requestTimeoutMs: number;
    maxAttempts: number;
    local: {
      dataDir: string;
      port: number;
      printCodes: boolean;
      /** An administrator account to create at first start (embedded mode only). */
      adminEmail?: string;
      adminPassword?: string;
    };
  };
  auth: {
    tokenDelivery: TokenDelivery;
    cookieSecure: boolean;
    cookieDomain?: string;
    passwordPolicy: PasswordPolicy;
    /** Verified tokens are remembered (until `exp`) so each signature is checked once. */
    tokenCache: { enabled: boolean; maxEntries: number };
    /** `custom:` attributes users may change themselves, besides the standard ones. */
    customAttributes: string[];
    /** The name authenticator apps show for this service. */
    totpIssuer: string;
    /**
     * How the sessions of sign-in steps are sealed: the key (unset: the embedded mode keeps one
     * in its data folder, other modes make one per process) and how long a sealed session lasts.
     */
    challengeSessions: { key?: Buffer; ttlSeconds: number };
  };
  /**
   * Sign-in with a provider through the pool's managed login (the app is its OAuth 2.0 client).
   * On in the embedded mode (its stand-in) and wherever COGNITO_DOMAIN or OAUTH_REDIRECT_URI is set.
   */
  federation: {
    enabled: boolean;
    /** The managed login's origin; unset: the embedded stand-in's, or read from discovery. */
    domain?: string;
    /** The app's callback; unset only in the embedded mode, which derives it from its address. */
    redirectUri?: string;
    /** Where the managed login's /logout sends the browser; unset: the callback's origin. */
    logoutUri?: string;
    scopes: string[];
    providers: OAuthProvider[];
    /** Origins (and app schemes) besides this app's own paths that `returnTo` may name. */
    returnOrigins: string[];
  };
  /**
   * Identity pools: the signed-in user's ID token (or a guest) becomes temporary AWS credentials.
   * On in the embedded mode (its stand-in) and wherever COGNITO_IDENTITY_POOL_ID is set.
   */
  identity: {
    enabled: boolean;
    /** Unset in the embedded mode, which learns it when its stand-in starts. */
    poolId?: string;
    /** The identity pool's region: from its id. */
    region?: string;
    /** COGNITO_IDENTITY_ENDPOINT, else COGNITO_ENDPOINT; unset: Amazon Cognito. */
    endpoint?: string;
    /** Whether POST /auth/aws-credentials/guest hands out unauthenticated credentials. */
    allowGuests: boolean;
  };
  /**
   * Shared state for several instances (token revocations) in Redis; without `url`, one instance
   * keeps it in memory and in a file under `stateDir`, so a restart forgets no revocation.
   */
  redis: { url?: string; stateDir: string };
  /**
   * User data sync (datasets of records per user): kept in a DynamoDB table (the embedded mode
   * keeps it in its own local DynamoDB), or in Amazon Cognito Sync for the identity pool.
   */
  sync: {
    /** SYNC_BACKEND: `dynamodb` (the default) or `cognito-sync`. */
    backend: 'dynamodb' | 'cognito-sync';
    /**
     * Cognito Sync's address: COGNITO_SYNC_ENDPOINT, else the identity pool's endpoint; unset:
     * Amazon Cognito Sync in the identity pool's region. Only with the `cognito-sync` backend.
     */
    cognitoSyncEndpoint?: string;
    /** The DynamoDB table's name. */
    table: string;
    /** A DynamoDB-compatible endpoint (DynamoDB Local, LocalStack); unset: Amazon DynamoDB. */
    endpoint?: string;
    /** The table's region: SYNC_DYNAMODB_REGION, else the user pool's. */
    region: string;
  };
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Cognito user pool ids start with their region: `eu-west-1_AbCdEfGhI`. */
function regionOfPoolId(poolId: string): string | undefined {
  const prefix = poolId.split('_')[0];
  return /^[a-z]{2}(-[a-z]+)+-\d$/.test(prefix) ? prefix : undefined;
}

/**
 * Validates the environment once and returns the typed configuration. Every problem is collected
 * and reported together, so one failed start names all of them.
 */
export function parseEnvironment(env: NodeJS.ProcessEnv): Configuration {
  const vars = plainToInstance(
    EnvironmentVariables,
    { ...env },
    { excludeExtraneousValues: false },
  );
  const problems = validateSync(vars, { skipMissingProperties: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );

  const nodeEnv = vars.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const poolId = vars.COGNITO_USER_POOL_ID;
  const clientId = vars.COGNITO_CLIENT_ID;
  const endpoint = vars.COGNITO_ENDPOINT?.replace(/\/+$/, '');

  let mode: CognitoMode;
  if (endpoint) mode = 'endpoint';
  else if (poolId) mode = 'aws';
  else mode = 'embedded';

  if (mode === 'embedded') {
    if (clientId) problems.push('COGNITO_CLIENT_ID is set but COGNITO_USER_POOL_ID is not');
    if (production) {
      problems.push(
        'NODE_ENV=production needs COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID: the embedded ' +
          'emulator is for development only (its signing key is public, so anyone can forge its tokens)',
      );
    }
  } else {
    if (!poolId) problems.push(`COGNITO_USER_POOL_ID is required when COGNITO_ENDPOINT is set`);
    if (!clientId) problems.push('COGNITO_CLIENT_ID is required when a user pool is configured');
  }

  const region = vars.AWS_REGION ?? (poolId ? regionOfPoolId(poolId) : undefined) ?? 'us-east-1';
  if (mode === 'aws' && !vars.AWS_REGION && poolId && !regionOfPoolId(poolId)) {
    problems.push('AWS_REGION is required: it cannot be read from COGNITO_USER_POOL_ID');
  }

  let issuer = vars.COGNITO_ISSUER?.replace(/\/+$/, '');
  if (!issuer && poolId) {
    issuer =
      mode === 'endpoint'
        ? `${endpoint}/${poolId}`
        : `https://cognito-idp.${region}.amazonaws.com/${poolId}`;
  }
  if (production && issuer && !issuer.startsWith('https://')) {
    problems.push(`NODE_ENV=production refuses the non-HTTPS token issuer ${issuer}`);
  }
  const jwksUri = vars.COGNITO_JWKS_URI ?? (issuer ? `${issuer}/.well-known/jwks.json` : undefined);
  if (production && jwksUri && !jwksUri.startsWith('https://')) {
    problems.push(`NODE_ENV=production refuses the non-HTTPS JWKS address ${jwksUri}`);
  }
  if (vars.TRUST_PROXY === 'true') {
    // Fastify would then believe any client's X-Forwarded-For, and rate limits could be dodged.
    problems.push('TRUST_PROXY=true would trust every client; name the proxies or a hop count');
  }
  if (vars.COGNITO_LOCAL_ADMIN_EMAIL && mode !== 'embedded') {
    problems.push('COGNITO_LOCAL_ADMIN_EMAIL applies to the embedded emulator only');
  }
  // Normalised like every email the API takes, so the administrator signs in with what they typed.
  const adminEmail = vars.COGNITO_LOCAL_ADMIN_EMAIL
    ? normaliseEmail(vars.COGNITO_LOCAL_ADMIN_EMAIL)
    : undefined;
  if (adminEmail && 'problem' in adminEmail) {
    problems.push(`COGNITO_LOCAL_ADMIN_EMAIL ${adminEmail.problem}`);
  }
  const passwordPolicy: PasswordPolicy = {
    minimumLength: vars.PASSWORD_MIN_LENGTH ?? 8,
    requireUppercase: vars.PASSWORD_REQUIRE_UPPERCASE ?? true,
    requireLowercase: vars.PASSWORD_REQUIRE_LOWERCASE ?? true,
    requireNumbers: vars.PASSWORD_REQUIRE_NUMBERS ?? true,
    requireSymbols: vars.PASSWORD_REQUIRE_SYMBOLS ?? true,
  };
  // The embedded pool enforces the policy, as Amazon Cognito does: a password it would refuse
  // is named here (never echoed) rather than failing the administrator's creation at start.
  const adminPasswordUnmet = vars.COGNITO_LOCAL_ADMIN_PASSWORD
    ? passwordPolicyViolations(vars.COGNITO_LOCAL_ADMIN_PASSWORD, passwordPolicy)
    : [];
  if (adminPasswordUnmet.length > 0) {
    problems.push(
      `COGNITO_LOCAL_ADMIN_PASSWORD must meet the password policy: ${adminPasswordUnmet.join(', ')}`,
    );
  }
  if (production && vars.COOKIE_SECURE === false) {
    problems.push('NODE_ENV=production refuses COOKIE_SECURE=false');
  }
  const challengeKey =
    vars.CHALLENGE_SESSION_KEY === undefined ? undefined : decodeKey(vars.CHALLENGE_SESSION_KEY);
  if (vars.CHALLENGE_SESSION_KEY !== undefined && !challengeKey) {
    problems.push(`CHALLENGE_SESSION_KEY must be ${KEY_FORMAT}`);
  }
  if (production && vars.CHALLENGE_SESSION_KEY === undefined) {
    problems.push(
      'NODE_ENV=production needs CHALLENGE_SESSION_KEY, the key that seals the sessions of ' +
        `sign-in steps, the same on every instance: ${KEY_FORMAT}`,
    );
  }

  const federation = parseFederation(vars, mode, production, problems);
  const identity = parseIdentity(vars, mode, endpoint, production, problems);
  const sync = parseSync(vars, mode, region, identity, production, problems);

  if (problems.length > 0) throw new ConfigurationError(problems);

  return {
    app: {
      nodeEnv,
      port: vars.PORT ?? 3000,
      host: vars.HOST ?? '127.0.0.1',
      logLevel: vars.LOG_LEVEL ?? 'log',
      logFormat: vars.LOG_FORMAT ?? 'auto',
      swaggerEnabled: vars.SWAGGER_ENABLED ?? true,
      shutdownDelayMs: vars.SHUTDOWN_DELAY_MS ?? 0,
    },
    http: {
      trustProxy: parseTrustProxy(vars.TRUST_PROXY),
      corsOrigins: splitList(vars.CORS_ORIGINS),
      rateLimit: {
        perIp: vars.RATE_LIMIT_IP ?? 30,
        perAccount: vars.RATE_LIMIT_ACCOUNT ?? 5,
        windowSeconds: vars.RATE_LIMIT_WINDOW_SECONDS ?? 60,
        messagesPerHour: vars.RATE_LIMIT_MESSAGES ?? 10,
        passwordFailures: {
          perAddress: vars.RATE_LIMIT_PASSWORD_FAILURES ?? 5,
          perAccount: vars.RATE_LIMIT_PASSWORD_FAILURES_ACCOUNT ?? 20,
          windowSeconds: vars.RATE_LIMIT_PASSWORD_WINDOW_SECONDS ?? 900,
        },
      },
    },
    cognito: {
      mode,
      userPoolId: poolId,
      clientId,
      clientSecret: vars.COGNITO_CLIENT_SECRET,
      region,
      endpoint,
      issuer,
      jwksUri,
      requestTimeoutMs: vars.COGNITO_REQUEST_TIMEOUT_MS ?? 3000,
      maxAttempts: vars.COGNITO_MAX_ATTEMPTS ?? 3,
      local: {
        dataDir: vars.COGNITO_LOCAL_DATA_DIR ?? '.cognito-local',
        port: vars.COGNITO_LOCAL_PORT ?? 0,
        printCodes: vars.COGNITO_LOCAL_PRINT_CODES ?? true,
        adminEmail: adminEmail && 'email' in adminEmail ? adminEmail.email : undefined,
        adminPassword: vars.COGNITO_LOCAL_ADMIN_PASSWORD,
      },
    },
    auth: {
      tokenDelivery: vars.TOKEN_DELIVERY ?? 'both',
      cookieSecure: vars.COOKIE_SECURE ?? true,
      cookieDomain: vars.COOKIE_DOMAIN,
      passwordPolicy,
      tokenCache: {
        enabled: vars.AUTH_TOKEN_CACHE ?? true,
        maxEntries: vars.AUTH_TOKEN_CACHE_SIZE ?? 10_000,
      },
      customAttributes: vars.ACCOUNT_CUSTOM_ATTRIBUTES?.split(',') ?? [],
      totpIssuer: vars.TOTP_ISSUER ?? 'nest-cognito-auth',
      challengeSessions: {
        key: challengeKey,
        ttlSeconds: vars.CHALLENGE_SESSION_SECONDS ?? 180,
      },
    },
    federation,
    identity,
    redis: {
      url: vars.REDIS_URL,
      stateDir: vars.STATE_DIR ?? vars.COGNITO_LOCAL_DATA_DIR ?? '.cognito-local',
    },
    sync,
  };
}

const DEFAULT_SCOPES = 'openid email profile aws.cognito.signin.user.admin';

/** The simulated provider of the embedded stand-in, and the pool's own sign-in. */
const EMBEDDED_PROVIDERS: OAuthProvider[] = [
  { name: 'LocalProvider', type: 'social' },
  { name: 'COGNITO', type: 'cognito' },
];

function parseProviders(value: string | undefined): OAuthProvider[] {
  return splitList(value).map((entry) => {
    const [name, type] = entry.split(':') as [string, ProviderType | undefined];
    if (type) return { name, type };
    if (name === 'COGNITO') return { name, type: 'cognito' };
    return { name, type: SOCIAL_PROVIDERS.has(name) ? 'social' : 'oidc' };
  });
}

/** `scheme://host[:port]` with nothing after it but an optional `/`. */
function isOrigin(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && !parsed.search && !parsed.hash && !parsed.username;
  } catch {
    return false;
  }
}

/** A plain-http address on a loopback host, which Amazon Cognito allows for development. */
export const isLoopbackHttp = (url: string) =>
  /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url);

/** A scheme (`com.example.app:`) or an http(s) origin, as `returnTo` is compared with it. */
function returnOrigin(entry: string): string | undefined {
  if (
    /^[a-z][a-z0-9+.-]*:(\/\/)?$/i.test(entry) &&
    !/^(https?|javascript|data|file):/i.test(entry)
  ) {
    return entry.replace(/\/\/$/, '').toLowerCase();
  }
  try {
    const url = new URL(entry);
    if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search) {
      return undefined;
    }
    return url.origin;
  } catch {
    return undefined;
  }
}

function parseFederation(
  vars: EnvironmentVariables,
  mode: CognitoMode,
  production: boolean,
  problems: string[],
): Configuration['federation'] {
  const domain = vars.COGNITO_DOMAIN?.replace(/\/+$/, '');
  const redirectUri = vars.OAUTH_REDIRECT_URI;
  const enabled = mode === 'embedded' || domain !== undefined || redirectUri !== undefined;
  if (mode === 'embedded' && domain) {
    problems.push('COGNITO_DOMAIN applies to a configured pool; the embedded mode serves its own');
  }
  if (domain && !isOrigin(domain)) {
    problems.push('COGNITO_DOMAIN must be an origin only, e.g. https://auth.example.com');
  }
  if (mode !== 'embedded' && enabled && !redirectUri) {
    problems.push(
      'OAUTH_REDIRECT_URI is required for sign-in with a provider: the URL of /auth/oauth/callback ' +
        "as the app client's allowed callback URLs list it",
    );
  }
  for (const [name, url] of [
    ['COGNITO_DOMAIN', domain],
    ['OAUTH_REDIRECT_URI', redirectUri],
    ['OAUTH_LOGOUT_URI', vars.OAUTH_LOGOUT_URI],
  ] as const) {
    // Amazon Cognito itself allows plain http only for localhost callbacks.
    if (production && url && !url.startsWith('https://')) {
      problems.push(`NODE_ENV=production refuses the non-HTTPS ${name} ${url}`);
    } else if (url && !url.startsWith('https://') && !isLoopbackHttp(url)) {
      problems.push(`${name} must be https (plain http only on a loopback address)`);
    }
  }
  // aws.cognito.signin.user.admin: without it Cognito refuses the access token for the user's own
  // operations (GetUser...), so /auth/me and /account would not work for these sessions.
  const scopes = (vars.OAUTH_SCOPES ?? DEFAULT_SCOPES).split(/\s+/);
  if (!scopes.includes('openid')) {
    problems.push('OAUTH_SCOPES must include openid: the sign-in is checked with the ID token');
  }
  const returnOrigins: string[] = [];
  for (const entry of splitList(vars.OAUTH_RETURN_ORIGINS)) {
    const origin = returnOrigin(entry);
    if (origin && production && origin.startsWith('http:')) {
      // A login code on its way to a plain-http page can be read by anyone on the network.
      problems.push(
        `NODE_ENV=production refuses the non-HTTPS OAUTH_RETURN_ORIGINS entry ${entry}`,
      );
    } else if (origin) {
      returnOrigins.push(origin);
    } else {
      problems.push(
        `OAUTH_RETURN_ORIGINS: ${entry} is neither an http(s) origin nor an app scheme`,
      );
    }
  }
  const providers = vars.OAUTH_PROVIDERS
    ? parseProviders(vars.OAUTH_PROVIDERS)
    : mode === 'embedded'
      ? EMBEDDED_PROVIDERS
      : [];
  const unserved = providers.filter(
    (provider) => mode === 'embedded' && !EMBEDDED_PROVIDERS.some((p) => p.name === provider.name),
  );
  if (unserved.length > 0) {
    problems.push(
      `OAUTH_PROVIDERS: the embedded stand-in offers only LocalProvider and COGNITO, not ${unserved
        .map((p) => p.name)
        .join(', ')}`,
    );
  }
  return {
    enabled,
    domain,
    redirectUri,
    logoutUri: vars.OAUTH_LOGOUT_URI,
    scopes,
    providers,
    returnOrigins,
  };
}

function parseIdentity(
  vars: EnvironmentVariables,
  mode: CognitoMode,
  userPoolEndpoint: string | undefined,
  production: boolean,
  problems: string[],
): Configuration['identity'] {
  const poolId = vars.COGNITO_IDENTITY_POOL_ID;
  const allowGuests = vars.COGNITO_IDENTITY_ALLOW_GUESTS ?? false;
  if (mode === 'embedded') {
    if (poolId || vars.COGNITO_IDENTITY_ENDPOINT) {
      problems.push(
        'COGNITO_IDENTITY_POOL_ID and COGNITO_IDENTITY_ENDPOINT apply to a configured pool; ' +
          'the embedded mode serves its own identity pool',
      );
    }
    return { enabled: true, allowGuests };
  }
  if (!poolId) {
    if (vars.COGNITO_IDENTITY_ENDPOINT || vars.COGNITO_IDENTITY_ALLOW_GUESTS !== undefined) {
      problems.push(
        'COGNITO_IDENTITY_ENDPOINT and COGNITO_IDENTITY_ALLOW_GUESTS need COGNITO_IDENTITY_POOL_ID',
      );
    }
    return { enabled: false, allowGuests: false };
  }
  const endpoint = (vars.COGNITO_IDENTITY_ENDPOINT ?? userPoolEndpoint)?.replace(/\/+$/, '');
  if (production && endpoint && !endpoint.startsWith('https://')) {
    problems.push(
      `NODE_ENV=production refuses the non-HTTPS COGNITO_IDENTITY_ENDPOINT ${endpoint}`,
    );
  }
  return {
    enabled: true,
    poolId,
    region: IDENTITY_POOL_ID.exec(poolId)?.[1],
    endpoint,
    allowGuests,
  };
}

/** The table's name when SYNC_TABLE is unset. */
export const DEFAULT_SYNC_TABLE = 'nest-cognito-auth-sync';

function parseSync(
  vars: EnvironmentVariables,
  mode: CognitoMode,
  userPoolRegion: string,
  identity: Configuration['identity'],
  production: boolean,
  problems: string[],
): Configuration['sync'] {
  // An invalid value is reported by its validator already.
  const backend = vars.SYNC_BACKEND === 'cognito-sync' ? 'cognito-sync' : 'dynamodb';
  const endpoint = vars.SYNC_DYNAMODB_ENDPOINT?.replace(/\/+$/, '');
  if (mode === 'embedded' && endpoint) {
    problems.push(
      'SYNC_DYNAMODB_ENDPOINT applies to a configured pool; the embedded mode keeps user data ' +
        'in its own local DynamoDB, in its data folder',
    );
  }
  if (production && endpoint && !endpoint.startsWith('https://')) {
    problems.push(`NODE_ENV=production refuses the non-HTTPS SYNC_DYNAMODB_ENDPOINT ${endpoint}`);
  }
  const syncEndpoint = vars.COGNITO_SYNC_ENDPOINT?.replace(/\/+$/, '');
  if (backend === 'dynamodb') {
    if (syncEndpoint) problems.push('COGNITO_SYNC_ENDPOINT needs SYNC_BACKEND=cognito-sync');
  } else if (mode === 'embedded') {
    problems.push(
      'SYNC_BACKEND=cognito-sync applies to a configured pool with an identity pool; the ' +
        'embedded mode keeps user data in its own local DynamoDB',
    );
  } else {
    if (!identity.poolId) {
      problems.push(
        'SYNC_BACKEND=cognito-sync needs COGNITO_IDENTITY_POOL_ID: Cognito Sync keeps datasets ' +
          'per identity of an identity pool',
      );
    }
    const dynamoDbSettings = [
      'SYNC_TABLE',
      'SYNC_DYNAMODB_ENDPOINT',
      'SYNC_DYNAMODB_REGION',
    ] as const;
    const ignored = dynamoDbSettings.filter((name) => vars[name] !== undefined);
    if (ignored.length > 0) {
      problems.push(`${ignored.join(', ')} apply to SYNC_BACKEND=dynamodb, not cognito-sync`);
    }
    // Without it, Cognito Identity's endpoint applies, which parseIdentity checks.
    if (production && syncEndpoint && !syncEndpoint.startsWith('https://')) {
      problems.push(
        `NODE_ENV=production refuses the non-HTTPS COGNITO_SYNC_ENDPOINT ${syncEndpoint}`,
      );
    }
  }
  return {
    backend: mode === 'embedded' ? 'dynamodb' : backend,
    cognitoSyncEndpoint:
      backend === 'cognito-sync' && mode !== 'embedded'
        ? (syncEndpoint ?? identity.endpoint)
        : undefined,
    table: vars.SYNC_TABLE ?? DEFAULT_SYNC_TABLE,
    endpoint: mode === 'embedded' ? undefined : endpoint,
    region: vars.SYNC_DYNAMODB_REGION ?? userPoolRegion,
  };
}

const KEY_FORMAT =
  'at least 32 random bytes written as hex or base64, e.g. the output of `openssl rand -base64 32`';

/**
 * The bytes of a key given as hex or base64 (standard or URL-safe), or undefined when it is
 * neither, shorter than 32 bytes, or plainly not random (a repeated pattern of few byte values).
 */
export function decodeKey(text: string): Buffer | undefined {
  const value = text.trim();
  let bytes: Buffer;
  if (/^(?:[0-9a-f]{2})+$/i.test(value)) bytes = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+$/.test(value)) {
    bytes = Buffer.from(value, 'base64');
  } else return undefined;
  // 32 random bytes have about 30 distinct values; fewer than 16 is a typed-in pattern.
  return bytes.length >= 32 && new Set(bytes).size >= 16 ? bytes : undefined;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `false`/unset: trust no proxy; a number: that many hops; else the proxies' addresses. */
function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return splitList(value);
}

/** The names {@link EnvironmentVariables} declares: every variable {@link parseEnvironment} reads. */
const VARIABLE_NAMES = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
      .map((metadata) => metadata.propertyName),
  ),
];

let lastLoaded: { values: string; configuration: Configuration } | undefined;

/**
 * The configuration of this process, from its environment. It is parsed once for each set of
 * values of the variables the service reads: main.ts, the app and its config namespaces all ask
 * for it, and an environment changed since (as tests change it between two apps) is parsed anew.
 */
export function loadConfiguration(): Configuration {
  const values = JSON.stringify(VARIABLE_NAMES.map((name) => process.env[name]));
  if (lastLoaded?.values !== values) {
    lastLoaded = { values, configuration: parseEnvironment(process.env) };
  }
  return lastLoaded.configuration;
}
