import { applyDecorators, Delete, Get, HttpStatus, Patch, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { Responds } from '../common/http/responds.decorator';
import { SecurityEvent } from '../common/logging/security-events';
import { changesContact, RateLimited, type LimitedRequest } from '../guard';
import {
  AdminUserDto,
  AdminUserPageDto,
  GroupDto,
  GroupPageDto,
  UpdateGroupDto,
} from './dto/admin.dto';
import {
  GROUP_PARAM,
  MESSAGE_LIMIT,
  NO_GROUP,
  NO_USER,
  PROVIDER_NAME_PARAM,
  PROVIDER_USER_ID_PARAM,
  USER_PARAM,
} from './dto/admin.examples';

/**
 * The routes of AdminController, one decorator each: rate limit and security event, method and
 * path, status, and the Swagger documentation. Every route is for the admin group only (the
 * controller's `@Groups()`).
 */

/** An invitation is emailed unless the body says not to. */
const invites = (request: LimitedRequest) =>
  (request.body as { sendInvitation?: unknown } | undefined)?.sendInvitation !== false;

/** A route on one user (`users/:user...`): its path parameter, 404 and the upstream errors. */
const OnUser = (...decorators: MethodDecorator[]): MethodDecorator =>
  applyDecorators(ApiParam(USER_PARAM), ...decorators, ApiErrors(NO_USER));

/** A route on one group (`groups/:group...`): its path parameter, 404 and the upstream errors. */
const OnGroup = (...decorators: MethodDecorator[]): MethodDecorator =>
  applyDecorators(ApiParam(GROUP_PARAM), ...decorators, ApiErrors(NO_GROUP));

export const ListUsersRoute = (): MethodDecorator =>
  applyDecorators(
    Get('users'),
    ApiOperation({
      summary: 'List users',
      description: 'One filter at a time: email (prefix), username, status or enabled. Paginated.',
    }),
    Responds(HttpStatus.OK, { type: AdminUserPageDto }),
    ApiErrors({
      400: 'Invalid query or several filters (`VALIDATION_FAILED`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const CreateUserRoute = (): MethodDecorator =>
  applyDecorators(
    RateLimited({ sendsMessage: invites }),
    Post('users'),
    ApiOperation({
      summary: 'Create (invite) a user',
      description:
        'With a temporary password (it must meet the password policy), or one Cognito generates ' +
        'and emails. The user sets a new password at first sign-in (login answers ' +
        'NEW_PASSWORD_REQUIRED).',
    }),
    Responds(HttpStatus.CREATED, { type: AdminUserDto }),
    ApiErrors({
      400: 'Invalid body (`VALIDATION_FAILED`), an attribute that cannot be set (`ATTRIBUTE_NOT_ALLOWED`), or a temporary password that misses the password policy (`PASSWORD_POLICY`).',
      409: 'The email is taken (`USER_ALREADY_EXISTS`).',
      429: MESSAGE_LIMIT,
      ...UPSTREAM_ERRORS,
    }),
  );

export const GetUserRoute = (): MethodDecorator =>
  OnUser(
    Get('users/:user'),
    ApiOperation({ summary: 'Get a user by username, sub or email' }),
    Responds(HttpStatus.OK, { type: AdminUserDto }),
  );

export const DeleteUserRoute = (): MethodDecorator =>
  OnUser(
    Delete('users/:user'),
    ApiOperation({
      summary: 'Delete a user',
      description:
        'Their sessions end, and their synced datasets (/sync) are deleted with the account.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Deleted.' }),
  );

export const UpdateAttributesRoute = (): MethodDecorator =>
  OnUser(
    RateLimited({ sendsMessage: changesContact }),
    Patch('users/:user/attributes'),
    ApiOperation({
      summary: 'Change a user’s attributes (email_verified included)',
      description:
        'A new email or phone number gets a verification code (unless marked verified): it counts ' +
        'against the user’s hourly message budget.',
    }),
    Responds(HttpStatus.OK, { type: AdminUserDto }),
    ApiErrors({
      400: 'An attribute that cannot be set (`ATTRIBUTE_NOT_ALLOWED`), or an email that is refused as at sign-up (`VALIDATION_FAILED`).',
      429: MESSAGE_LIMIT,
    }),
  );

export const ResendInvitationRoute = (): MethodDecorator =>
  OnUser(
    RateLimited({ sendsMessage: true }),
    Post('users/:user/resend-invitation'),
    ApiOperation({ summary: 'Send the invitation again' }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Sent.' }),
    ApiErrors({
      409: 'The user has signed in already (`INVALID_USER_STATE`).',
      429: MESSAGE_LIMIT,
    }),
  );

export const DisableUserRoute = (): MethodDecorator =>
  OnUser(
    Post('users/:user/disable'),
    ApiOperation({ summary: 'Disable a user and sign them out everywhere' }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Disabled.' }),
  );

export const EnableUserRoute = (): MethodDecorator =>
  OnUser(
    Post('users/:user/enable'),
    ApiOperation({ summary: 'Enable a disabled user' }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Enabled.' }),
  );

export const ResetPasswordRoute = (): MethodDecorator =>
  OnUser(
    RateLimited({ sendsMessage: true }),
    Post('users/:user/reset-password'),
    ApiOperation({
      summary: 'Reset a user’s password',
      description:
        'The user’s password stops working and a code is emailed to them: until they set a new ' +
        'password with it (`POST /auth/confirm-forgot-password`), sign-in answers 403 ' +
        '`PASSWORD_RESET_REQUIRED`. Every session of the user ends.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Reset; the code is on its way.' }),
    ApiErrors({ 429: MESSAGE_LIMIT }),
  );

export const SetPasswordRoute = (): MethodDecorator =>
  OnUser(
    Put('users/:user/password'),
    ApiOperation({
      summary: 'Set a user’s password (temporary by default)',
      description:
        'The password must meet the password policy, as at sign-up. Every session of the user ends.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Set.' }),
    ApiErrors({
      400: 'The password misses the password policy (`PASSWORD_POLICY`), checked before Cognito.',
    }),
  );

export const ConfirmUserRoute = (): MethodDecorator =>
  OnUser(
    Post('users/:user/confirm'),
    ApiOperation({ summary: 'Confirm a user’s sign-up without the code' }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Confirmed.' }),
    ApiErrors({ 409: 'Already confirmed (`ALREADY_CONFIRMED`).' }),
  );

export const SignOutUserRoute = (): MethodDecorator =>
  OnUser(
    Post('users/:user/sign-out'),
    ApiOperation({
      summary: 'Sign a user out of every device',
      description:
        'Cognito revokes the user’s refresh tokens and refuses their access tokens; this service ' +
        'refuses those access tokens at once too, on every route.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Signed out.' }),
  );

export const GroupsOfUserRoute = (): MethodDecorator =>
  OnUser(
    Get('users/:user/groups'),
    ApiOperation({ summary: 'A user’s groups' }),
    Responds(HttpStatus.OK, { type: GroupPageDto }),
  );

export const ListGroupsRoute = (): MethodDecorator =>
  applyDecorators(
    Get('groups'),
    ApiOperation({ summary: 'List groups' }),
    Responds(HttpStatus.OK, { type: GroupPageDto }),
    ApiErrors(UPSTREAM_ERRORS),
  );

export const CreateGroupRoute = (): MethodDecorator =>
  applyDecorators(
    Post('groups'),
    ApiOperation({ summary: 'Create a group' }),
    Responds(HttpStatus.CREATED, { type: GroupDto }),
    ApiErrors({
      400: 'Invalid body (`VALIDATION_FAILED`).',
      409: 'The group exists (`GROUP_ALREADY_EXISTS`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const UpdateGroupRoute = (): MethodDecorator =>
  OnGroup(
    Patch('groups/:group'),
    ApiOperation({
      summary: 'Change a group’s description, precedence or IAM role',
      description:
        'A change of role or precedence changes the roles in its members’ ID tokens: their ' +
        'sessions end, as for a removal from the group.',
    }),
    // Every field is optional: an empty body changes nothing.
    ApiBody({ type: UpdateGroupDto, required: false }),
    Responds(HttpStatus.OK, { type: GroupDto }),
  );

export const DeleteGroupRoute = (): MethodDecorator =>
  OnGroup(
    Delete('groups/:group'),
    ApiOperation({ summary: 'Delete a group (its members stay)' }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Deleted.' }),
  );

export const GroupMembersRoute = (): MethodDecorator =>
  OnGroup(
    Get('groups/:group/members'),
    ApiOperation({ summary: 'A group’s members' }),
    Responds(HttpStatus.OK, { type: AdminUserPageDto }),
  );

export const AddMemberRoute = (): MethodDecorator =>
  OnGroup(
    SecurityEvent('admin.group_change'),
    Put('groups/:group/members/:user'),
    ApiParam(USER_PARAM),
    ApiOperation({
      summary: 'Add a user to a group (in their tokens from their next sign-in or refresh)',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Added.' }),
  );

export const RemoveMemberRoute = (): MethodDecorator =>
  OnGroup(
    SecurityEvent('admin.group_change'),
    Delete('groups/:group/members/:user'),
    ApiParam(USER_PARAM),
    ApiOperation({ summary: 'Remove a user from a group' }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Removed.' }),
  );

export const LinkIdentityRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('admin.identity_change'),
    Post('users/:user/identities'),
    ApiParam(USER_PARAM),
    ApiOperation({
      summary: 'Link a federated identity to a user',
      description:
        'Whoever signs in with this identity through the provider signs in as this user from then ' +
        'on: check that the identity is the user’s own. The user’s current sessions stay. At most ' +
        '5 identities per user; an identity belongs to one user.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Linked.' }),
    ApiErrors({
      400: 'Invalid body, `Cognito` as the provider (`VALIDATION_FAILED`), or a value Cognito refuses (`INVALID_PARAMETER`).',
      404: 'No such user (`USER_NOT_FOUND`), or the pool has no such identity provider (`PROVIDER_NOT_FOUND`).',
      409: 'The identity is linked to another user (`IDENTITY_ALREADY_LINKED`), or the user has 5 already (`IDENTITY_LINK_LIMIT`).',
      ...UPSTREAM_ERRORS,
    }),
  );

export const UnlinkIdentityRoute = (): MethodDecorator =>
  applyDecorators(
    SecurityEvent('admin.identity_change'),
    Delete('users/:user/identities/:providerName/:providerUserId'),
    ApiParam(USER_PARAM),
    ApiParam(PROVIDER_NAME_PARAM),
    ApiParam(PROVIDER_USER_ID_PARAM),
    ApiOperation({
      summary: 'Unlink a federated identity from a user, and sign the user out everywhere',
      description:
        'The identity no longer signs in as this user. Every session of the user ends (a token ' +
        'does not tell which identity it came through), as with sign-out.',
    }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Unlinked.' }),
    ApiErrors({
      400: 'An invalid provider name or subject, `Cognito` included (`VALIDATION_FAILED`), or a value Cognito refuses (`INVALID_PARAMETER`).',
      404: 'No such user (`USER_NOT_FOUND`), the identity is not linked to this user (`IDENTITY_NOT_LINKED`), or the pool has no such identity provider (`PROVIDER_NOT_FOUND`).',
      ...UPSTREAM_ERRORS,
    }),
  );
