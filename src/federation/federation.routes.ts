import { applyDecorators, Get, HttpStatus, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { Responds } from '../common/http/responds.decorator';
import { SecurityEvent } from '../common/logging/security-events';
import { EndsSession } from '../auth/auth.routes';
import { Public, RateLimited } from '../guard';
import { TokensResponseDto } from '../auth/dto/responses.dto';
import { LoginCodeDto, LogoutUrlResponseDto, ProviderDto } from './dto/federation.dto';

/**
 * The routes of FederationController, one decorator each: protection, rate limit and security
 * event, method and path, status, and the Swagger documentation.
 */

const NOT_CONFIGURED_404 =
  'Sign-in with a provider is not set up (`FEDERATION_NOT_CONFIGURED`): see COGNITO_DOMAIN.';
const FOR_BROWSERS =
  'For a browser to open (a link or `window.location`), not for fetch or Swagger UI: the answer ' +
  'is a redirect.';

export const ProvidersRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    Get('providers'),
    ApiOperation({
      summary: 'The providers to offer',
      description:
        'The identity providers this service offers (OAUTH_PROVIDERS), for a frontend to draw ' +
        'its "Sign in with ..." buttons; each button opens GET /auth/oauth/authorize with ' +
        '`provider` = the name. Empty when OAUTH_PROVIDERS is unset (one button without ' +
        '`provider` then opens the managed login page) or sign-in with a provider is not set up.',
    }),
    Responds(HttpStatus.OK, { type: ProviderDto, isArray: true }),
  );

export const AuthorizeRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.oauth_start'),
    RateLimited({ perAccount: false }),
    Get('authorize'),
    ApiOperation({
      summary: 'Start a sign-in with a provider',
      description:
        `${FOR_BROWSERS} Sends the browser to the managed login's /oauth2/authorize (code flow ` +
        'with PKCE S256, state and nonce; `identity_provider` = `provider`, or the managed login ' +
        'page without it). The verifier, state, nonce and `returnTo` go in one sealed, HttpOnly, ' +
        'SameSite=Lax `__Host-` cookie, valid for 10 minutes. Bearer clients add ' +
        '`codeChallenge` (see POST /auth/oauth/token).',
    }),
    ApiResponse({
      status: HttpStatus.FOUND,
      description: 'To the managed login; `Location` is its /oauth2/authorize address.',
    }),
    ApiErrors({
      400:
        'A `provider` not offered (`PROVIDER_NOT_OFFERED`), a `returnTo` that is neither a path of ' +
        'this site nor on OAUTH_RETURN_ORIGINS (`RETURN_TO_NOT_ALLOWED`), or an invalid query ' +
        '(`VALIDATION_FAILED`).',
      404: NOT_CONFIGURED_404,
      429: 'Too many requests from this address (`TOO_MANY_REQUESTS`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const CallbackRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.oauth_callback'),
    RateLimited({ perAccount: false }),
    Get('callback'),
    ApiOperation({
      summary: 'Where the managed login sends the browser back',
      description:
        `${FOR_BROWSERS} The app client's callback URL (OAUTH_REDIRECT_URI). Checks the state ` +
        "against this browser's cookie (once), redeems the code with the verifier and the " +
        'client secret, verifies the ID token (signature, issuer, audience, nonce) and the ' +
        'access token as the guard does, sets the session cookies exactly as a password sign-in ' +
        'does, and redirects to `returnTo`. A bearer sign-in sets no cookie and redirects to ' +
        '`returnTo?loginCode=...`. Any failure answers the error body (never a redirect, never a ' +
        'session); the state cookie is spent once the state matches.',
    }),
    ApiResponse({
      status: HttpStatus.FOUND,
      description: 'Signed in: to `returnTo`, with the session cookies (or with `loginCode`).',
    }),
    ApiErrors({
      400:
        'No sign-in of this browser matches (missing, expired, foreign or used state: ' +
        '`OAUTH_STATE_INVALID`), the provider refused (`OAUTH_PROVIDER_ERROR`), or the code or ' +
        'tokens did not check out (`OAUTH_CALLBACK_INVALID`).',
      404: NOT_CONFIGURED_404,
      429: 'Too many requests from this address (`TOO_MANY_REQUESTS`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const LoginCodeRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('auth.oauth_code_exchange'),
    RateLimited({ perAccount: false }),
    Post('token'),
    ApiOperation({
      summary: 'Exchange a login code for tokens (bearer clients)',
      description:
        'A bearer client (mobile app, SPA keeping its own tokens) starts with GET ' +
        '/auth/oauth/authorize?codeChallenge=S256(verifier) and gets `loginCode` on its ' +
        '`returnTo`; it exchanges it here, once and within a minute, with the verifier. No token ' +
        'ever appears in a URL. A wrong verifier spends the code.',
    }),
    ApiBody({
      type: LoginCodeDto,
      examples: {
        exchange: {
          summary: 'The login code from returnTo, and the verifier',
          value: {
            loginCode: 'q0Jv3Yp2n8hX5mB1sT7cK4wE9rL6uI2oA3dF8gH1jZk',
            codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
          },
        },
      },
    }),
    Responds(HttpStatus.OK, { type: TokensResponseDto }),
    ApiErrors({
      400:
        'Unknown, used or expired code, or a verifier that does not match ' +
        '(`LOGIN_CODE_INVALID`); an invalid body (`VALIDATION_FAILED`).',
      404: NOT_CONFIGURED_404,
      429: 'Too many requests from this address (`TOO_MANY_REQUESTS`).',
    }),
  );

export const OAuthLogoutRoute = (): MethodDecorator =>
  applyDecorators(
    EndsSession(),
    ApiOperation({
      summary: 'Sign out, and get the managed login’s sign-out address',
      description:
        'Ends the session exactly as POST /auth/logout does (even when Cognito cannot be ' +
        'reached), then answers the managed login’s /logout address (client_id and ' +
        "OAUTH_LOGOUT_URI): send the browser there to end the managed login's own session too, or " +
        'the next sign-in with the provider may not ask again. `logoutUrl` is null when that ' +
        'address cannot be learnt now (the discovery document unreachable).',
    }),
    Responds(HttpStatus.OK, { type: LogoutUrlResponseDto }),
    ApiErrors({
      400: 'The body is invalid (`VALIDATION_FAILED`).',
      404: NOT_CONFIGURED_404,
      429: 'Too many requests from this address (`TOO_MANY_REQUESTS`).',
    }),
  );
