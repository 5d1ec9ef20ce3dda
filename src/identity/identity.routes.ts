import { applyDecorators, HttpStatus, Post } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { Responds } from '../common/http/responds.decorator';
import { SecurityEvent } from '../common/logging/security-events';
import { Authenticated, Public, RateLimited } from '../guard';
import {
  AwsCredentialsDto,
  AwsCredentialsRequestDto,
  GuestCredentialsRequestDto,
} from './dto/aws-credentials.dto';

/**
 * The routes of IdentityController, one decorator each: protection, rate limit and security
 * event, method and path, status, and the Swagger documentation.
 */

/**
 * The request bodies Swagger UI offers. The first is what it pre-fills: an empty body, so a cookie
 * session's ID token cookie is used as it is (a pre-filled token would replace it).
 */
const CREDENTIALS_BODY_EXAMPLES = {
  cookie: { summary: 'Cookie session (browsers): empty body', value: {} },
  bearer: {
    summary: 'Bearer client: the ID token from sign-in',
    value: { idToken: 'eyJraWQiOiJ...' },
  },
  role: {
    summary: 'One of the roles in the ID token (cognito:roles)',
    value: { roleArn: 'arn:aws:iam::123456789012:role/app-editors' },
  },
};

/** The first is what Swagger UI pre-fills: a new guest. */
const GUEST_BODY_EXAMPLES = {
  new: { summary: 'A new guest identity: empty body', value: {} },
  returning: {
    summary: 'The same guest again: the identityId of an earlier answer',
    value: { identityId: 'eu-west-1:7b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' },
  },
};

const NOT_CONFIGURED_404 =
  'No identity pool is set up (`IDENTITY_POOL_NOT_CONFIGURED`): see COGNITO_IDENTITY_POOL_ID.';
const KEEP_SECRET =
  'The answer is `no-store` and is never logged; keep the credentials in memory, not in storage ' +
  'a script of another origin could read.';

export const AwsCredentialsRoute = (): MethodDecorator =>
  applyDecorators(
    Authenticated(),
    SecurityEvent('identity.aws_credentials'),
    Post(),
    ApiOperation({
      summary: 'Temporary AWS credentials for the signed-in user',
      description:
        'The identity pool turns the ID token of this sign-in into temporary credentials of the ' +
        "user's IAM role (GetId + GetCredentialsForIdentity, the enhanced flow), e.g. to upload " +
        'to S3 from the browser. Cookie sessions send no body: the ID token cookie (set at sign-in ' +
        'and refresh, sent to this path only) is used; bearer clients send `idToken`. The ID token ' +
        'must be valid, of this pool and app client, of the same user and sign-in as the access ' +
        'token, and not revoked. The same credentials are answered again until 5 minutes before ' +
        `they expire (1 hour on Amazon Cognito), and forgotten when a session of the user ends. ${KEEP_SECRET}`,
    }),
    ApiBody({
      type: AwsCredentialsRequestDto,
      required: false,
      examples: CREDENTIALS_BODY_EXAMPLES,
    }),
    Responds(HttpStatus.OK, { type: AwsCredentialsDto }),
    ApiErrors({
      400: 'An invalid body (`VALIDATION_FAILED`).',
      401:
        'No ID token (`ID_TOKEN_REQUIRED`), or one that is invalid, expired, revoked, of another ' +
        'user, sign-in, app client or pool, or refused by the identity pool (`ID_TOKEN_INVALID`).',
      403: 'A `roleArn` the ID token does not offer (`ROLE_NOT_ALLOWED`).',
      404: NOT_CONFIGURED_404,
      409: 'The sign-in is linked to another identity of the pool (`IDENTITY_CONFLICT`).',
      429: 'The identity pool throttles (`TOO_MANY_REQUESTS`, with `Retry-After`).',
      500: 'The identity pool’s set-up is wrong: roles, providers (`INTERNAL_ERROR`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const GuestCredentialsRoute = (): MethodDecorator =>
  applyDecorators(
    Public(),
    SecurityEvent('identity.guest_credentials'),
    RateLimited({ perAccount: false }),
    Post('guest'),
    ApiOperation({
      summary: 'Temporary AWS credentials for a guest',
      description:
        "The identity pool's unauthenticated role, for visitors who have not signed in; only " +
        'when COGNITO_IDENTITY_ALLOW_GUESTS=true and the pool allows unauthenticated identities. ' +
        'Send back the `identityId` of an earlier answer to keep the same guest identity. ' +
        `Rate limited per client address. ${KEEP_SECRET}`,
    }),
    ApiBody({ type: GuestCredentialsRequestDto, required: false, examples: GUEST_BODY_EXAMPLES }),
    Responds(HttpStatus.OK, { type: AwsCredentialsDto }),
    ApiErrors({
      400:
        'An invalid body (`VALIDATION_FAILED`), or an `identityId` the pool does not know ' +
        '(`INVALID_PARAMETER`).',
      403: 'Guests are not offered, or not this identity (`GUESTS_NOT_ALLOWED`).',
      404: NOT_CONFIGURED_404,
      429: 'Too many requests from this address (`TOO_MANY_REQUESTS`).',
      500: 'The identity pool’s set-up is wrong: roles, providers (`INTERNAL_ERROR`).',
      ...UPSTREAM_ERRORS,
    }),
  );
