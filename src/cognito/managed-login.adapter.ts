import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as oidc from 'openid-client';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { cognitoConfig, isLoopbackHttp } from '../config';
import { CognitoConnection, RESOLVED_POOL, type ResolvedPool } from './cognito-connection';
import {
  callbackRefused,
  ManagedLoginPort,
  notConfigured,
  type AuthorizationRequest,
  type CodeExchange,
  type FederatedSignIn,
} from './managed-login.port';

/** The managed login's endpoints, on its domain, as Amazon Cognito serves them. */
export function domainEndpoints(domain: string) {
  return {
    authorization_endpoint: `${domain}/oauth2/authorize`,
    token_endpoint: `${domain}/oauth2/token`,
    userinfo_endpoint: `${domain}/oauth2/userInfo`,
    revocation_endpoint: `${domain}/oauth2/revoke`,
    end_session_endpoint: `${domain}/logout`,
  };
}

function unavailable(cause: unknown): AppException {
  return new AppException(
    HttpStatus.SERVICE_UNAVAILABLE,
    ErrorCode.UPSTREAM_UNAVAILABLE,
    'The identity service is unavailable. Try again shortly.',
    { cause, retryAfterSeconds: 5 },
  );
}

/**
 * Whether openid-client's error says the managed login could not answer, rather than that it
 * refused: a timeout, a 5xx (which it reports as a non-conform response, not as an OAuth error
 * body), or no connection (fetch's TypeError, which arrives wrapped, without a code, when it comes
 * from another realm).
 */
function upstreamDown(error: oidc.ClientError): boolean {
  if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') return true;
  // Duck-typed: a Response or an error of another realm is no instance of this realm's classes.
  const cause = error.cause as { status?: unknown; name?: unknown } | undefined;
  if (typeof cause?.status === 'number') return cause.status >= 500;
  return error.code === undefined && cause?.name === 'TypeError';
}

/**
 * The app's OAuth 2.0 client of the pool's managed login, on openid-client (authorization code
 * with PKCE S256, state and nonce; the client secret sent with HTTP Basic). The same code runs in
 * every mode: only the domain differs (COGNITO_DOMAIN, the issuer's discovery document, or the
 * embedded stand-in). The client secret stays in this module, like the SDK adapter's.
 */
@Injectable()
export class ManagedLoginAdapter extends ManagedLoginPort {
  private readonly logger = new Logger('ManagedLogin');
  private configuration?: Promise<oidc.Configuration>;

  constructor(
    private readonly connection: CognitoConnection,
    @Inject(RESOLVED_POOL) private readonly pool: ResolvedPool,
    @Inject(cognitoConfig.KEY) private readonly settings: ConfigType<typeof cognitoConfig>,
  ) {
    super();
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const config = await this.config();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: request.redirectUri,
      scope: request.scopes.join(' '),
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...(request.identityProvider ? { identity_provider: request.identityProvider } : {}),
    });
  }

  async exchangeCode(exchange: CodeExchange): Promise<FederatedSignIn> {
    const config = await this.config();
    let response;
    try {
      response = await oidc.authorizationCodeGrant(config, exchange.callbackUrl, {
        pkceCodeVerifier: exchange.codeVerifier,
        expectedState: exchange.state,
        expectedNonce: exchange.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw this.mapped(error);
    }
    const idClaims = response.claims();
    const { access_token, id_token, refresh_token, expires_in, token_type } = response;
    if (!idClaims || !id_token || !refresh_token || idClaims.token_use !== 'id') {
      // Cognito answers the code grant with all three tokens, the ID one with token_use=id.
      throw callbackRefused();
    }
    return {
      tokens: {
        accessToken: access_token,
        idToken: id_token,
        refreshToken: refresh_token,
        expiresIn: expires_in ?? 3600,
        tokenType: token_type === 'bearer' ? 'Bearer' : token_type,
      },
      idClaims,
    };
  }

  async logoutUrl(logoutUri: string): Promise<URL> {
    // Cognito's /logout takes client_id (added by the library) and logout_uri, not OIDC's names.
    return oidc.buildEndSessionUrl(await this.config(), { logout_uri: logoutUri });
  }

  /** The client's configuration, made once; a failed discovery is tried again next time. */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= this.configure().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private async configure(): Promise<oidc.Configuration> {
    const { clientId, issuer, jwksUri, domain } = this.connection;
    const secret = this.pool.clientSecret;
    const auth = secret ? oidc.ClientSecretBasic(secret) : oidc.None();
    const insecure = [domain, issuer, jwksUri].some((url) => url?.startsWith('http:'));
    const execute = [
      // openid-client trusts the token endpoint's TLS by default; the ID token's signature is
      // checked too (against the pool's JWKS), so a forged one never becomes a session.
      oidc.enableNonRepudiationChecks,
      ...(insecure ? [oidc.allowInsecureRequests] : []),
    ];
    let config: oidc.Configuration;
    if (domain) {
      config = new oidc.Configuration(
        {
          issuer,
          jwks_uri: jwksUri,
          ...domainEndpoints(domain),
          id_token_signing_alg_values_supported: ['RS256'],
        },
        clientId,
        secret,
        auth,
      );
      for (const step of execute) step(config);
    } else {
      // No COGNITO_DOMAIN: the pool's discovery document names its domain's endpoints.
      try {
        config = await oidc.discovery(new URL(issuer), clientId, secret, auth, {
          execute,
          timeout: this.timeoutSeconds,
        });
      } catch (error) {
        throw this.discoveryFailed(error);
      }
      if (!config.serverMetadata().authorization_endpoint) {
        this.logger.error(
          `The discovery document of ${issuer} names no managed login: set COGNITO_DOMAIN`,
        );
        throw notConfigured();
      }
    }
    config.timeout = this.timeoutSeconds;
    if (insecure && !this.allInsecureOnLoopback()) {
      this.logger.warn('The managed login is reached over plain http: for development only');
    }
    return config;
  }

  private get timeoutSeconds(): number {
    return Math.max(1, Math.ceil(this.settings.requestTimeoutMs / 1000));
  }

  private allInsecureOnLoopback(): boolean {
    const { domain, issuer, jwksUri } = this.connection;
    return [domain, issuer, jwksUri].every(
      (url) => !url?.startsWith('http:') || isLoopbackHttp(url),
    );
  }

  /** Discovery is this service's set-up: a document that does not check out is not the user's doing. */
  private discoveryFailed(error: unknown): AppException {
    if (error instanceof oidc.ClientError && upstreamDown(error)) return unavailable(error);
    if (error instanceof oidc.ClientError || error instanceof oidc.ResponseBodyError) {
      if (error instanceof oidc.ResponseBodyError && error.status >= 500) return unavailable(error);
      this.logger.error(
        `The discovery document of ${this.connection.issuer} was refused (${error.code}): ` +
          'set COGNITO_DOMAIN',
      );
      return new AppException(
        HttpStatus.BAD_GATEWAY,
        ErrorCode.UPSTREAM_ERROR,
        'The identity service’s sign-in settings could not be read.',
        { cause: error },
      );
    }
    return unavailable(error);
  }

  /** A library or network error as the one error body; the details stay in the server's log. */
  private mapped(error: unknown): AppException {
    if (error instanceof AppException) return error;
    if (error instanceof oidc.ResponseBodyError) {
      if (error.status >= 500) return unavailable(error);
      if (error.error === 'invalid_grant') return callbackRefused(error);
      // invalid_client, unauthorized_client...: this service's own set-up is wrong.
      this.logger.error(
        `The managed login refused the app client (${error.error}): check the app client's ` +
          'secret, callback URLs, OAuth flows and scopes',
      );
      return new AppException(
        HttpStatus.BAD_GATEWAY,
        ErrorCode.UPSTREAM_ERROR,
        'The identity service refused this service’s sign-in request.',
        { cause: error },
      );
    }
    if (error instanceof oidc.ClientError && upstreamDown(error)) return unavailable(error);
    if (error instanceof oidc.ClientError || error instanceof oidc.AuthorizationResponseError) {
      this.logger.warn(`A sign-in callback was refused: ${error.code ?? error.name}`);
      return callbackRefused(error);
    }
    if (error instanceof oidc.WWWAuthenticateChallengeError) return callbackRefused(error);
    return unavailable(error);
  }
}
