import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { changesContact, Groups, RateLimited, type LimitedRequest } from '../guard';
import { ApiErrors, UPSTREAM_ERRORS } from '../common/http/api-errors.decorator';
import { NoStore } from '../common/http/no-store.decorator';
import { ADMIN_GROUP_NAME } from '../common/admin-group';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import { AdminService } from './admin.service';
import {
  AdminUserDto,
  AdminUserPageDto,
  CreateGroupDto,
  CreateUserDto,
  GroupDto,
  GroupPageDto,
  ListUsersQueryDto,
  PageQueryDto,
  SetPasswordDto,
  UpdateAttributesDto,
  UpdateGroupDto,
} from './dto/admin.dto';
import { SecurityEvent } from '../common/logging/security-events';

const NO_USER = { 404: 'No such user (`USER_NOT_FOUND`).', ...UPSTREAM_ERRORS };
const NO_GROUP = {
  404: 'No such group or user (`GROUP_NOT_FOUND`, `USER_NOT_FOUND`).',
  ...UPSTREAM_ERRORS,
};
const USER_PARAM = {
  name: 'user',
  description: 'Cognito username, sub, or email.',
  example: 'alice@example.com',
};
const GROUP_PARAM = { name: 'group', example: 'editors' };
const MESSAGE_LIMIT =
  'Too many requests, or too many messages to this user this hour (`TOO_MANY_REQUESTS`, with `Retry-After`).';

/** An invitation is emailed unless the body says not to. */
const invites = (request: LimitedRequest) =>
  (request.body as { sendInvitation?: unknown } | undefined)?.sendInvitation !== false;

/**
 * User and group administration. Members of the `admin` group only; every request is audited, and
 * every answer is `no-store` (users' emails and attributes).
 */
@ApiTags('admin')
@Groups(ADMIN_GROUP_NAME)
@NoStore()
@UseInterceptors(AdminAuditInterceptor)
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('users')
  @ApiOperation({
    summary: 'List users',
    description: 'One filter at a time: email (prefix), username, status or enabled. Paginated.',
  })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiErrors({ 400: 'Invalid query or several filters (`VALIDATION_FAILED`).', ...UPSTREAM_ERRORS })
  listUsers(@Query() query: ListUsersQueryDto): Promise<AdminUserPageDto> {
    return this.admin.listUsers(query);
  }

  @RateLimited({ sendsMessage: invites })
  @Post('users')
  @ApiOperation({
    summary: 'Create (invite) a user',
    description:
      'With a temporary password (it must meet the password policy), or one Cognito generates ' +
      'and emails. The user sets a new password at first sign-in (login answers ' +
      'NEW_PASSWORD_REQUIRED).',
  })
  @ApiCreatedResponse({ type: AdminUserDto })
  @ApiErrors({
    400: 'Invalid body (`VALIDATION_FAILED`), an attribute that cannot be set (`ATTRIBUTE_NOT_ALLOWED`), or a temporary password that misses the password policy (`PASSWORD_POLICY`).',
    409: 'The email is taken (`USER_ALREADY_EXISTS`).',
    429: MESSAGE_LIMIT,
    ...UPSTREAM_ERRORS,
  })
  createUser(@Body() dto: CreateUserDto): Promise<AdminUserDto> {
    return this.admin.createUser(dto);
  }

  @Get('users/:user')
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'Get a user by username, sub or email' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors(NO_USER)
  getUser(@Param('user') user: string): Promise<AdminUserDto> {
    return this.admin.getUser(user);
  }

  @Delete('users/:user')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'Delete a user' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(NO_USER)
  async deleteUser(@Param('user') user: string): Promise<void> {
    await this.admin.deleteUser(user);
  }

  @RateLimited({ sendsMessage: changesContact })
  @Patch('users/:user/attributes')
  @ApiParam(USER_PARAM)
  @ApiOperation({
    summary: 'Change a user’s attributes (email_verified included)',
    description:
      'A new email or phone number gets a verification code (unless marked verified): it counts ' +
      'against the user’s hourly message budget.',
  })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors({
    400: 'An attribute that cannot be set (`ATTRIBUTE_NOT_ALLOWED`), or an email that is refused as at sign-up (`VALIDATION_FAILED`).',
    429: MESSAGE_LIMIT,
    ...NO_USER,
  })
  updateAttributes(
    @Param('user') user: string,
    @Body() dto: UpdateAttributesDto,
  ): Promise<AdminUserDto> {
    return this.admin.updateAttributes(user, dto.attributes);
  }

  @RateLimited({ sendsMessage: true })
  @Post('users/:user/resend-invitation')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'Send the invitation again' })
  @ApiNoContentResponse({ description: 'Sent.' })
  @ApiErrors({
    409: 'The user has signed in already (`INVALID_USER_STATE`).',
    429: MESSAGE_LIMIT,
    ...NO_USER,
  })
  async resendInvitation(@Param('user') user: string): Promise<void> {
    await this.admin.resendInvitation(user);
  }

  @Post('users/:user/disable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'Disable a user and sign them out everywhere' })
  @ApiNoContentResponse({ description: 'Disabled.' })
  @ApiErrors(NO_USER)
  async disable(@Param('user') user: string): Promise<void> {
    await this.admin.disableUser(user);
  }

  @Post('users/:user/enable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'Enable a disabled user' })
  @ApiNoContentResponse({ description: 'Enabled.' })
  @ApiErrors(NO_USER)
  async enable(@Param('user') user: string): Promise<void> {
    await this.admin.enableUser(user);
  }

  @RateLimited({ sendsMessage: true })
  @Post('users/:user/reset-password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({
    summary: 'Reset a user’s password',
    description:
      'The user’s password stops working and a code is emailed to them: until they set a new ' +
      'password with it (`POST /auth/confirm-forgot-password`), sign-in answers 403 ' +
      '`PASSWORD_RESET_REQUIRED`. Every session of the user ends.',
  })
  @ApiNoContentResponse({ description: 'Reset; the code is on its way.' })
  @ApiErrors({ 429: MESSAGE_LIMIT, ...NO_USER })
  async resetPassword(@Param('user') user: string): Promise<void> {
    await this.admin.resetPassword(user);
  }

  @Put('users/:user/password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({
    summary: 'Set a user’s password (temporary by default)',
    description:
      'The password must meet the password policy, as at sign-up. Every session of the user ends.',
  })
  @ApiNoContentResponse({ description: 'Set.' })
  @ApiErrors({
    400: 'The password misses the password policy (`PASSWORD_POLICY`), checked before Cognito.',
    ...NO_USER,
  })
  async setPassword(@Param('user') user: string, @Body() dto: SetPasswordDto): Promise<void> {
    await this.admin.setPassword(user, dto.password, dto.permanent ?? false);
  }

  @Post('users/:user/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'Confirm a user’s sign-up without the code' })
  @ApiNoContentResponse({ description: 'Confirmed.' })
  @ApiErrors({ 409: 'Already confirmed (`ALREADY_CONFIRMED`).', ...NO_USER })
  async confirm(@Param('user') user: string): Promise<void> {
    await this.admin.confirmSignUp(user);
  }

  @Post('users/:user/sign-out')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USER_PARAM)
  @ApiOperation({
    summary: 'Sign a user out of every device',
    description:
      'Cognito revokes the user’s refresh tokens and refuses their access tokens; this service ' +
      'refuses those access tokens at once too, on every route.',
  })
  @ApiNoContentResponse({ description: 'Signed out.' })
  @ApiErrors(NO_USER)
  async signOut(@Param('user') user: string): Promise<void> {
    await this.admin.globalSignOut(user);
  }

  @Get('users/:user/groups')
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'A user’s groups' })
  @ApiOkResponse({ type: GroupPageDto })
  @ApiErrors(NO_USER)
  groupsOfUser(@Param('user') user: string, @Query() page: PageQueryDto): Promise<GroupPageDto> {
    return this.admin.groupsOfUser(user, page);
  }

  @Get('groups')
  @ApiOperation({ summary: 'List groups' })
  @ApiOkResponse({ type: GroupPageDto })
  @ApiErrors(UPSTREAM_ERRORS)
  listGroups(@Query() page: PageQueryDto): Promise<GroupPageDto> {
    return this.admin.listGroups(page);
  }

  @Post('groups')
  @ApiOperation({ summary: 'Create a group' })
  @ApiCreatedResponse({ type: GroupDto })
  @ApiErrors({
    400: 'Invalid body (`VALIDATION_FAILED`).',
    409: 'The group exists (`GROUP_ALREADY_EXISTS`).',
    ...UPSTREAM_ERRORS,
  })
  createGroup(@Body() dto: CreateGroupDto): Promise<GroupDto> {
    return this.admin.createGroup(dto);
  }

  @Patch('groups/:group')
  @ApiParam(GROUP_PARAM)
  @ApiOperation({ summary: 'Change a group’s description or precedence' })
  @ApiOkResponse({ type: GroupDto })
  @ApiErrors(NO_GROUP)
  updateGroup(@Param('group') group: string, @Body() dto: UpdateGroupDto): Promise<GroupDto> {
    return this.admin.updateGroup(group, dto);
  }

  @Delete('groups/:group')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(GROUP_PARAM)
  @ApiOperation({ summary: 'Delete a group (its members stay)' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(NO_GROUP)
  async deleteGroup(@Param('group') group: string): Promise<void> {
    await this.admin.deleteGroup(group);
  }

  @Get('groups/:group/members')
  @ApiParam(GROUP_PARAM)
  @ApiOperation({ summary: 'A group’s members' })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiErrors(NO_GROUP)
  members(@Param('group') group: string, @Query() page: PageQueryDto): Promise<AdminUserPageDto> {
    return this.admin.membersOf(group, page);
  }

  @SecurityEvent('admin.group_change')
  @Put('groups/:group/members/:user')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(GROUP_PARAM)
  @ApiParam(USER_PARAM)
  @ApiOperation({
    summary: 'Add a user to a group (in their tokens from their next sign-in or refresh)',
  })
  @ApiNoContentResponse({ description: 'Added.' })
  @ApiErrors(NO_GROUP)
  async addMember(@Param('group') group: string, @Param('user') user: string): Promise<void> {
    await this.admin.addToGroup(user, group);
  }

  @SecurityEvent('admin.group_change')
  @Delete('groups/:group/members/:user')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(GROUP_PARAM)
  @ApiParam(USER_PARAM)
  @ApiOperation({ summary: 'Remove a user from a group' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiErrors(NO_GROUP)
  async removeMember(@Param('group') group: string, @Param('user') user: string): Promise<void> {
    await this.admin.removeFromGroup(user, group);
  }
}
