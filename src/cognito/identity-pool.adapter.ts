import {
  CognitoIdentityClient,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  type GetCredentialsForIdentityCommandOutput,
} from '@aws-sdk/client-cognito-identity';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { CognitoConnection, type IdentityPoolLocation } from './cognito-connection';
import { IDENTITY_POOL_SDK_CLIENT } from './cognito.tokens';
import { OPERATION_OVERRIDES, toAppException, type Overrides } from './cognito-errors';
import {
  IdentityPoolPort,
  identityPoolNotConfigured,
  type AwsCredentials,
  type IdentityPoolSettings,
  type UserCredentialsRequest,
} from './identity-pool.port';

/** The `Logins` key of a user pool: its issuer without the scheme. */
export function providerNameOf(issuer: string): string {
  return issuer.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

/** An answer that lacks what the call promises: the identity pool misbehaves. */
function incomplete(): AppException {
  return new AppException(
    HttpStatus.BAD_GATEWAY,
    ErrorCode.UPSTREAM_ERROR,
    'The identity service returned an unexpected error.',
  );
}

/** A guest's identity id that the pool does not know. */
const UNKNOWN_GUEST_IDENTITY: Overrides = {
  ResourceNotFoundException: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.INVALID_PARAMETER,
    message: 'identityId is not an identity of this identity pool. Leave it out to get a new one.',
  },
};

/**
 * The identity pool through `@aws-sdk/client-cognito-identity` (the enhanced flow). The client has
 * no logger and no answer of it is ever logged: the SDK marks the secret key as sensitive, not the
 * session token. Errors become the AppException of their row in the error table.
 */
@Injectable()
export class IdentityPoolAdapter extends IdentityPoolPort {
  private readonly logger = new Logger('IdentityPool');
  private readonly pool?: IdentityPoolLocation;
  readonly providerName: string;

  constructor(
    connection: CognitoConnection,
    @Inject(IDENTITY_POOL_SDK_CLIENT) private readonly client: CognitoIdentityClient,
  ) {
    super();
    this.pool = connection.identityPool;
    this.providerName = providerNameOf(connection.issuer);
  }

  get configured(): boolean {
    return this.pool !== undefined;
  }

  identityIdOf(idToken: string): Promise<string> {
    return this.identityId({ [this.providerName]: idToken }, OPERATION_OVERRIDES.identityPool);
  }

  async credentialsForUser({ idToken, roleArn }: UserCredentialsRequest): Promise<AwsCredentials> {
    const logins = { [this.providerName]: idToken };
    const overrides = OPERATION_OVERRIDES.identityPool;
    const identityId = await this.identityId(logins, overrides);
    return this.credentials(
      new GetCredentialsForIdentityCommand({
        IdentityId: identityId,
        Logins: logins,
        CustomRoleArn: roleArn,
      }),
      overrides,
    );
  }

  async credentialsForGuest(identityId?: string): Promise<AwsCredentials> {
    const overrides = OPERATION_OVERRIDES.guestIdentity;
    // A guest's Logins stay empty: AWS refuses Logins for unauthenticated identities.
    const id = identityId ?? (await this.identityId(undefined, overrides));
    return this.credentials(
      new GetCredentialsForIdentityCommand({ IdentityId: id }),
      identityId ? { ...overrides, ...UNKNOWN_GUEST_IDENTITY } : overrides,
    );
  }

  async describe(): Promise<IdentityPoolSettings> {
    const pool = this.location();
    const answer = await this.send(
      () =>
        this.client.send(new DescribeIdentityPoolCommand({ IdentityPoolId: pool.identityPoolId })),
      OPERATION_OVERRIDES.identityPool,
    );
    return {
      identityPoolId: answer.IdentityPoolId ?? pool.identityPoolId,
      allowsGuests: answer.AllowUnauthenticatedIdentities === true,
    };
  }

  private location(): IdentityPoolLocation {
    if (!this.pool) throw identityPoolNotConfigured();
    return this.pool;
  }

  private async identityId(
    logins: Record<string, string> | undefined,
    overrides: Overrides,
  ): Promise<string> {
    const { identityPoolId } = this.location();
    const answer = await this.send(
      () => this.client.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins })),
      overrides,
    );
    if (!answer.IdentityId) throw incomplete();
    return answer.IdentityId;
  }

  private async credentials(
    command: GetCredentialsForIdentityCommand,
    overrides: Overrides,
  ): Promise<AwsCredentials> {
    this.location();
    const answer: GetCredentialsForIdentityCommandOutput = await this.send(
      () => this.client.send(command),
      overrides,
    );
    const credentials = answer.Credentials;
    const expiration = credentials?.Expiration;
    if (
      !answer.IdentityId ||
      !credentials?.AccessKeyId ||
      !credentials.SecretKey ||
      !credentials.SessionToken ||
      !(expiration instanceof Date) ||
      Number.isNaN(expiration.getTime())
    ) {
      throw incomplete();
    }
    return {
      identityId: answer.IdentityId,
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretKey,
      sessionToken: credentials.SessionToken,
      expiration,
    };
  }

  /** One call; a failure becomes its mapped AppException, and a set-up problem is logged. */
  private async send<T>(call: () => Promise<T>, overrides: Overrides): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const mapped = toAppException(error, overrides);
      if (mapped.getStatus() === Number(HttpStatus.INTERNAL_SERVER_ERROR)) {
        const { name, message } = error as Error;
        this.logger.error(
          `The identity pool refused its own set-up (${name}: ${message}): check ` +
            'COGNITO_IDENTITY_POOL_ID, its authentication providers and the roles it assumes',
        );
      }
      throw mapped;
    }
  }
}
