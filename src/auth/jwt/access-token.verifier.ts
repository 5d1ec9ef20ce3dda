import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { FetchError, JwtBaseError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { CognitoConnection } from '../../cognito/cognito-connection';
import type { AuthUser } from '../auth-user';
import { JwksFetcher } from './jwks-fetcher';

/** The token is not acceptable: answer 401. */
export class InvalidAccessTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidAccessTokenError';
  }
}

/** The signing keys could not be fetched: answer 503, never let the request through. */
export class KeysUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The token signing keys could not be fetched', { cause });
    this.name = 'KeysUnavailableError';
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function toAuthUser(payload: JwtPayload): AuthUser {
  return {
    sub: text(payload.sub),
    username: text(payload.username) || text(payload.sub),
    groups: stringList(payload['cognito:groups']),
    scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
    clientId: text(payload.client_id),
    tokenId: typeof payload.jti === 'string' ? payload.jti : undefined,
    tokenExpiresAt: Number(payload.exp),
  };
}

/**
 * Verifies Cognito access tokens with aws-jwt-verify: RS256 signature with the pool's keys, `exp`,
 * `iss`, `token_use = access` and `client_id`. Access tokens carry `client_id`, not `aud`, so no
 * audience is checked. The same code serves every mode; only the issuer and key address differ.
 */
@Injectable()
export class AccessTokenVerifier implements OnModuleInit {
  private readonly logger = new Logger('AccessTokenVerifier');
  private readonly verifier;

  constructor(connection: CognitoConnection) {
    this.verifier = JwtVerifier.create(
      {
        issuer: connection.issuer,
        jwksUri: connection.jwksUri,
        audience: null,
        customJwtCheck: ({ payload }) =>
          validateCognitoJwtFields(payload, {
            tokenUse: 'access',
            clientId: connection.clientId,
            groups: null,
          }),
      },
      { jwksCache: new SimpleJwksCache({ fetcher: new JwksFetcher() }) },
    );
  }

  /** Loads the signing keys at start so the first requests need no fetch. */
  async onModuleInit(): Promise<void> {
    try {
      await this.verifier.hydrate();
    } catch (error) {
      this.logger.warn(
        `Signing keys not loaded at start (${(error as Error).message}); they will be fetched on first use`,
      );
    }
  }

  async verify(token: string): Promise<AuthUser> {
    try {
      return toAuthUser(await this.verifier.verify(token));
    } catch (error) {
      if (error instanceof FetchError) throw new KeysUnavailableError(error);
      if (error instanceof JwtBaseError) throw new InvalidAccessTokenError(error.message);
      // Malformed input can surface as other errors from parsing; it is still not a valid token.
      throw new InvalidAccessTokenError((error as Error).message);
    }
  }
}
