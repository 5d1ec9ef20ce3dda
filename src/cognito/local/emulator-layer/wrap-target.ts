import type {
  AdminDisableProviderForUserRequest,
  AdminDisableProviderForUserResponse,
  AdminLinkProviderForUserRequest,
  AdminLinkProviderForUserResponse,
  AdminResetUserPasswordRequest,
  AdminResetUserPasswordResponse,
  AdminUserGlobalSignOutRequest,
  AdminUserGlobalSignOutResponse,
  GlobalSignOutRequest,
  GlobalSignOutResponse,
  ResendConfirmationCodeRequest,
  ResendConfirmationCodeResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import { Targets } from 'cognito-local/lib/targets/targets';
import type {
  LocalFederatedSignInRequest,
  LocalFederatedSignInResponse,
  LocalUserInfoRequest,
  LocalUserInfoResponse,
  ManagedLoginRequest,
} from './managed-login.layer';

type OwnTargetName = keyof typeof Targets;
type OwnRequest<N extends OwnTargetName> = Parameters<ReturnType<(typeof Targets)[N]>>[1];
type OwnResponse<N extends OwnTargetName> = Awaited<ReturnType<ReturnType<(typeof Targets)[N]>>>;

/**
 * Operations cognito-local 5.3.0 does not have, which the layer adds with `addTarget` (its
 * router answers every name missing from its `Targets` table with `CognitoLocal#Unsupported`).
 */
interface AddedTargets {
  AdminDisableProviderForUser: [
    AdminDisableProviderForUserRequest,
    AdminDisableProviderForUserResponse,
  ];
  AdminLinkProviderForUser: [AdminLinkProviderForUserRequest, AdminLinkProviderForUserResponse];
  AdminResetUserPassword: [AdminResetUserPasswordRequest, AdminResetUserPasswordResponse];
  AdminUserGlobalSignOut: [AdminUserGlobalSignOutRequest, AdminUserGlobalSignOutResponse];
  GlobalSignOut: [GlobalSignOutRequest, GlobalSignOutResponse];
  ResendConfirmationCode: [ResendConfirmationCodeRequest, ResendConfirmationCodeResponse];
  /**
   * Not Amazon Cognito APIs: the embedded mode's stand-in for the pool's managed login
   * (../managed-login) signs users in through these (managed-login.layer.ts).
   */
  LocalFederatedSignIn: [LocalFederatedSignInRequest, LocalFederatedSignInResponse];
  LocalManagedLoginInitiateAuth: [
    ManagedLoginRequest<OwnRequest<'InitiateAuth'>>,
    OwnResponse<'InitiateAuth'>,
  ];
  LocalUserInfo: [LocalUserInfoRequest, LocalUserInfoResponse];
  LocalManagedLoginRespondToAuthChallenge: [
    ManagedLoginRequest<OwnRequest<'RespondToAuthChallenge'>>,
    OwnResponse<'RespondToAuthChallenge'>,
  ];
}

/** An operation of the emulator, by its `X-Amz-Target` name (`RespondToAuthChallenge`, ...). */
export type TargetName = OwnTargetName | keyof AddedTargets;
type Handler<N extends OwnTargetName> = ReturnType<(typeof Targets)[N]>;
/** The request an operation takes (cognito-local's own: the AWS SDK v2 input shape it types). */
export type TargetRequest<N extends TargetName> = N extends OwnTargetName
  ? Parameters<Handler<N>>[1]
  : N extends keyof AddedTargets
    ? AddedTargets[N][0]
    : never;
/** The answer an operation gives. */
export type TargetResponse<N extends TargetName> = N extends OwnTargetName
  ? Awaited<ReturnType<Handler<N>>>
  : N extends keyof AddedTargets
    ? AddedTargets[N][1]
    : never;
export type Operation<N extends TargetName> = (
  ctx: Context,
  request: TargetRequest<N>,
) => Promise<TargetResponse<N>>;

type Table = Record<TargetName, ((services: Services) => Operation<TargetName>) | undefined>;
const table = Targets as unknown as Table;

/**
 * Puts `wrapper` in front of one of the emulator's operations. Its router looks each operation
 * up in the `Targets` table for every request, with the emulator's services, so replacing the
 * table's entry before the server starts is the whole hook: nothing of cognito-local is copied.
 */
export function wrapTarget<N extends TargetName>(
  name: N,
  wrapper: (original: Operation<N>, services: Services) => Operation<N>,
): void {
  const original = table[name] as ((services: Services) => Operation<N>) | undefined;
  if (!original) throw new Error(`The emulator has no ${name} to wrap`);
  table[name] = (services: Services) => wrapper(original(services), services);
}

/**
 * Adds an operation cognito-local lacks. Its router accepts any name its `Targets` table has, so
 * the entry is all it takes. A version that brings its own operation of that name fails here, at
 * start, so the layer's stand-in is reviewed against it rather than silently replacing it.
 */
export function addTarget<N extends keyof AddedTargets>(
  name: N,
  operation: (services: Services) => Operation<N>,
): void {
  if (table[name]) throw new Error(`cognito-local has its own ${name} now: review the layer's`);
  table[name] = operation;
}

/**
 * The operation `name` as the router would run it now, behind every wrapper installed so far: for
 * an added operation that carries out one of the emulator's own (its checks included).
 */
export function targetOf<N extends TargetName>(name: N, services: Services): Operation<N> {
  const factory = table[name] as ((services: Services) => Operation<N>) | undefined;
  if (!factory) throw new Error(`The emulator has no ${name}`);
  return factory(services);
}
