import { Body, Controller, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ADMIN_GROUP_NAME } from '../common/admin-group';
import { NoStore } from '../common/http/no-store.decorator';
import { Groups } from '../guard';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import {
  AddMemberRoute,
  ConfirmUserRoute,
  CreateGroupRoute,
  CreateUserRoute,
  DeleteGroupRoute,
  DeleteUserRoute,
  DisableUserRoute,
  EnableUserRoute,
  GetUserRoute,
  GroupMembersRoute,
  GroupsOfUserRoute,
  LinkIdentityRoute,
  ListGroupsRoute,
  ListUsersRoute,
  RemoveMemberRoute,
  ResendInvitationRoute,
  ResetPasswordRoute,
  SetPasswordRoute,
  SignOutUserRoute,
  UpdateAttributesRoute,
  UnlinkIdentityRoute,
  UpdateGroupRoute,
} from './admin.routes';
import { AdminService } from './admin.service';
import {
  AdminUserDto,
  AdminUserPageDto,
  CreateGroupDto,
  CreateUserDto,
  GroupDto,
  GroupPageDto,
  IdentityParamsDto,
  LinkIdentityDto,
  ListUsersQueryDto,
  PageQueryDto,
  SetPasswordDto,
  UpdateAttributesDto,
  UpdateGroupDto,
} from './dto/admin.dto';

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

  @ListUsersRoute()
  listUsers(@Query() query: ListUsersQueryDto): Promise<AdminUserPageDto> {
    return this.admin.listUsers(query);
  }

  @CreateUserRoute()
  createUser(@Body() dto: CreateUserDto): Promise<AdminUserDto> {
    return this.admin.createUser(dto);
  }

  @GetUserRoute()
  getUser(@Param('user') user: string): Promise<AdminUserDto> {
    return this.admin.getUser(user);
  }

  @DeleteUserRoute()
  async deleteUser(@Param('user') user: string): Promise<void> {
    await this.admin.deleteUser(user);
  }

  @UpdateAttributesRoute()
  updateAttributes(
    @Param('user') user: string,
    @Body() dto: UpdateAttributesDto,
  ): Promise<AdminUserDto> {
    return this.admin.updateAttributes(user, dto.attributes);
  }

  @ResendInvitationRoute()
  async resendInvitation(@Param('user') user: string): Promise<void> {
    await this.admin.resendInvitation(user);
  }

  @DisableUserRoute()
  async disable(@Param('user') user: string): Promise<void> {
    await this.admin.disableUser(user);
  }

  @EnableUserRoute()
  async enable(@Param('user') user: string): Promise<void> {
    await this.admin.enableUser(user);
  }

  @ResetPasswordRoute()
  async resetPassword(@Param('user') user: string): Promise<void> {
    await this.admin.resetPassword(user);
  }

  @SetPasswordRoute()
  async setPassword(@Param('user') user: string, @Body() dto: SetPasswordDto): Promise<void> {
    await this.admin.setPassword(user, dto.password, dto.permanent ?? false);
  }

  @ConfirmUserRoute()
  async confirm(@Param('user') user: string): Promise<void> {
    await this.admin.confirmSignUp(user);
  }

  @SignOutUserRoute()
  async signOut(@Param('user') user: string): Promise<void> {
    await this.admin.globalSignOut(user);
  }

  @LinkIdentityRoute()
  async linkIdentity(@Param('user') user: string, @Body() dto: LinkIdentityDto): Promise<void> {
    await this.admin.linkIdentity(user, dto);
  }

  @UnlinkIdentityRoute()
  async unlinkIdentity(@Param() params: IdentityParamsDto): Promise<void> {
    await this.admin.unlinkIdentity(params.user, {
      providerName: params.providerName,
      providerUserId: params.providerUserId,
    });
  }

  @GroupsOfUserRoute()
  groupsOfUser(@Param('user') user: string, @Query() page: PageQueryDto): Promise<GroupPageDto> {
    return this.admin.groupsOfUser(user, page);
  }

  @ListGroupsRoute()
  listGroups(@Query() page: PageQueryDto): Promise<GroupPageDto> {
    return this.admin.listGroups(page);
  }

  @CreateGroupRoute()
  createGroup(@Body() dto: CreateGroupDto): Promise<GroupDto> {
    return this.admin.createGroup(dto);
  }

  @UpdateGroupRoute()
  updateGroup(@Param('group') group: string, @Body() dto: UpdateGroupDto): Promise<GroupDto> {
    return this.admin.updateGroup(group, dto);
  }

  @DeleteGroupRoute()
  async deleteGroup(@Param('group') group: string): Promise<void> {
    await this.admin.deleteGroup(group);
  }

  @GroupMembersRoute()
  members(@Param('group') group: string, @Query() page: PageQueryDto): Promise<AdminUserPageDto> {
    return this.admin.membersOf(group, page);
  }

  @AddMemberRoute()
  async addMember(@Param('group') group: string, @Param('user') user: string): Promise<void> {
    await this.admin.addToGroup(user, group);
  }

  @RemoveMemberRoute()
  async removeMember(@Param('group') group: string, @Param('user') user: string): Promise<void> {
    await this.admin.removeFromGroup(user, group);
  }
}
