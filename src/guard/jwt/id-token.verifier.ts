import { HttpStatus, Injectable } from '@nestjs/common';
import { FetchError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { CognitoConnection } from '../../cognito/cognito-connection';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { AuthUser } from '../auth-user';
import { RevocationService } from '../revocation/revocation.service';
import { KeysUnavailableError, poolTokenVerifier } from './access-token.verifier';

/** What a verified ID token says about its user's AWS roles and sign-in. */
export interface IdTokenClaims {
  sub: string;
  /** The sign-in it belongs to (`origin_jti`), shared with that sign-in's access tokens. */
  originTokenId?: string;
  /** `cognito:roles`: the IAM roles of the user's groups (a JSON array or a comma-separated string). */
  roles: string[];
  /** `cognito:preferred_role`: the role of the group with the best precedence. */
  preferredRole?: string;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
}

function invalid(): AppException {
  return new AppException(
    HttpStatus.UNAUTHORIZED,
    ErrorCode.ID_TOKEN_INVALID,
    'The ID token is invalid, expired or revoked, or is not of this sign-in. Sign in again.',
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Cognito writes `cognito:roles` as a JSON array; its guide calls it a comma-separated string. */
function roleList(value: unknown): string[] {
  const entries = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return entries
    .filter((entry): entry is string => typeof entry === 'string')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * Verifies a user pool's ID tokens for the session that presents them: RS256 signature with the
 * pool's keys, `exp`, `iss`, `aud` = the app client, `token_use = id`, the header and `iat` checks
 * of the access-token verifier, then that the token is the signed-in user's (same `sub`, and same
 * sign-in when both carry `origin_jti`) and not revoked (a logout revokes its sign-in's ID tokens
 * with its access tokens; a session cutoff, all of the user's). 401 `ID_TOKEN_INVALID` otherwise;
 * 503 when the keys cannot be fetched.
 */
@Injectable()
export class IdTokenVerifier {
  private readonly verifier;

  constructor(
    connection: CognitoConnection,
    private readonly revocations: RevocationService,
  ) {
    this.verifier = poolTokenVerifier(connection, 'id');
  }

  /** The claims of `idToken` when it is valid and belongs to the session of `user`. */
  async verify(idToken: string, user: AuthUser): Promise<IdTokenClaims> {
    let payload: JwtPayload;
    try {
      payload = await this.verifier.verify(idToken);
    } catch (error) {
      if (error instanceof FetchError) throw new KeysUnavailableError(error);
      throw invalid();
    }
    const claims: IdTokenClaims = {
      sub: text(payload.sub) ?? '',
      originTokenId: text(payload.origin_jti),
      roles: roleList(payload['cognito:roles']),
      preferredRole: text(payload['cognito:preferred_role']),
      expiresAt: Number(payload.exp),
    };
    const otherSignIn =
      claims.originTokenId !== undefined &&
      user.originTokenId !== undefined &&
      claims.originTokenId !== user.originTokenId;
    if (claims.sub !== user.sub || otherSignIn) throw invalid();
    const revoked = this.revocations.isRevoked({
      sub: claims.sub,
      tokenId: text(payload.jti),
      originTokenId: claims.originTokenId,
      authTime: typeof payload.auth_time === 'number' ? payload.auth_time : undefined,
      issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
    });
    if (revoked) throw invalid();
    return claims;
  }
}
