import signingKey from 'cognito-local/lib/keys/cognitoLocal.private.json';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';
import { createSign } from 'node:crypto';
import { unverifiedClaims } from '../../../common/jwt/unverified-claims';
import { wrapTarget, type TargetRequest } from './wrap-target';
import { wrapTokenGenerator } from './wrap-token-generator';

/** The sign-in that tokens belong to: every token of one sign-in, refreshed ones too, shares it. */
interface SignIn {
  /** `origin_jti`: the id of the sign-in, shared by its access and ID tokens and their refreshes. */
  originJti: string;
  /** `auth_time`: when the user signed in (seconds since the epoch). */
  authTime: number;
}

/** The context cognito-local passes from an operation to its token generator, with the sign-in. */
interface RefreshContext extends Context {
  readonly signIn?: SignIn;
}

/**
 * The sign-in a refresh token was issued with. The emulator's refresh tokens are readable JWTs
 * made with the sign-in (Cognito's are opaque): their `jti` names the sign-in and their `iat` is
 * its time.
 */
function signInOf(refreshToken: string | undefined): SignIn | undefined {
  const { jti, iat } = unverifiedClaims(refreshToken) ?? {};
  return typeof jti === 'string' && typeof iat === 'number'
    ? { originJti: jti, authTime: iat }
    : undefined;
}

/** `token` with its claims replaced, signed again with the emulator's key and header. */
export function resigned(token: string, claims: Record<string, unknown>): string {
  const body = `${token.split('.')[0]}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(signingKey.pem, 'base64url')}`;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
};

/** Cognito's default for access and ID tokens when the app client sets none: one hour. */
const DEFAULT_VALIDITY_SECONDS = 3600;

/** How long a token lives, from the app client's setting (its unit defaults to hours). */
function validitySeconds(validity: number | undefined, unit: string | undefined): number {
  if (validity === undefined) return DEFAULT_VALIDITY_SECONDS;
  return validity * (UNIT_SECONDS[unit ?? 'hours'] ?? UNIT_SECONDS.hours);
}

function stamped(token: string, signIn: SignIn, lifetime: number): string {
  const claims = unverifiedClaims(token) ?? {};
  const issuedAt = typeof claims.iat === 'number' ? claims.iat : signIn.authTime;
  return resigned(token, {
    ...claims,
    auth_time: signIn.authTime,
    origin_jti: signIn.originJti,
    exp: issuedAt + lifetime,
  });
}

/** Runs a refresh with the sign-in its refresh token belongs to, for the token generator. */
function withSignIn(
  ctx: Context,
  request: TargetRequest<'InitiateAuth'> | TargetRequest<'AdminInitiateAuth'>,
): RefreshContext {
  const refreshing =
    request.AuthFlow === 'REFRESH_TOKEN_AUTH' || request.AuthFlow === 'REFRESH_TOKEN';
  const signIn = refreshing ? signInOf(request.AuthParameters?.REFRESH_TOKEN) : undefined;
  return signIn ? { ...ctx, signIn } : ctx;
}

/**
 * Amazon Cognito: the access and ID tokens of one sign-in share an `origin_jti` and each has its
 * own `jti`; tokens that a refresh issues keep the sign-in's `origin_jti` and `auth_time` (the
 * time the user authenticated, not the refresh); access and ID tokens live as long as the app
 * client says (AccessTokenValidity, IdTokenValidity, TokenValidityUnits), one hour by default.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
 *
 * cognito-local 5.3.0 puts no `origin_jti` in tokens, stamps a refresh with a new `auth_time` (so
 * "signed in within the last minutes" could be had by refreshing) and, without a client setting,
 * makes tokens of 24 hours.
 */
export function installTokenClaims(): void {
  wrapTokenGenerator(
    (generate) => async (ctx, user, groups, client: AppClient, metadata, source) => {
      const tokens = await generate(ctx, user, groups, client, metadata, source);
      // A sign-in is named after the refresh token it issues; a refresh continues its token's.
      const signIn = (ctx as RefreshContext).signIn ?? signInOf(tokens.RefreshToken);
      if (!signIn) return tokens;
      const units = client.TokenValidityUnits;
      return {
        AccessToken: stamped(
          tokens.AccessToken,
          signIn,
          validitySeconds(client.AccessTokenValidity, units?.AccessToken),
        ),
        IdToken: stamped(
          tokens.IdToken,
          signIn,
          validitySeconds(client.IdTokenValidity, units?.IdToken),
        ),
        RefreshToken: tokens.RefreshToken,
      };
    },
  );

  wrapTarget(
    'InitiateAuth',
    (original) => (ctx, request) => original(withSignIn(ctx, request), request),
  );
  wrapTarget(
    'AdminInitiateAuth',
    (original) => (ctx, request) => original(withSignIn(ctx, request), request),
  );
}
