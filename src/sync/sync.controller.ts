import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { NoStore } from '../common/http/no-store.decorator';
import { CurrentUser, SessionCookies, type AuthUser } from '../guard';
import {
  DatasetParamsDto,
  PatchDatasetDto,
  SinceQueryDto,
  type DatasetDto,
  type DatasetSummaryDto,
} from './dto/sync.dto';
import {
  DeleteDatasetRoute,
  ListDatasetsRoute,
  ReadDatasetRoute,
  WriteDatasetRoute,
} from './sync.routes';
import { ID_TOKEN_HEADER, SyncService } from './sync.service';

/**
 * User data sync: the signed-in user's datasets, only ever their own (the owner is the verified
 * access token's `sub`). Every answer is `no-store`.
 */
@ApiTags('sync')
@NoStore()
@Controller('sync')
export class SyncController {
  constructor(
    private readonly sync: SyncService,
    private readonly cookies: SessionCookies,
  ) {}

  @ListDatasetsRoute()
  async list(
    @CurrentUser() user: AuthUser,
    @Req() request: FastifyRequest,
  ): Promise<DatasetSummaryDto[]> {
    return this.sync.list(await this.owner(user, request));
  }

  @ReadDatasetRoute()
  async read(
    @CurrentUser() user: AuthUser,
    @Param() params: DatasetParamsDto,
    @Query() query: SinceQueryDto,
    @Req() request: FastifyRequest,
  ): Promise<DatasetDto> {
    const owner = await this.owner(user, request);
    return this.sync.read(owner, params.name, query.sinceSyncCount ?? 0);
  }

  @WriteDatasetRoute()
  async write(
    @CurrentUser() user: AuthUser,
    @Param() params: DatasetParamsDto,
    @Body() body: PatchDatasetDto,
    @Req() request: FastifyRequest,
  ): Promise<DatasetDto> {
    return this.sync.write(await this.owner(user, request), params.name, body, user.sub);
  }

  @DeleteDatasetRoute()
  async remove(
    @CurrentUser() user: AuthUser,
    @Param() params: DatasetParamsDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    return this.sync.remove(await this.owner(user, request), params.name);
  }

  /**
   * Whose datasets: the user's, or with Cognito Sync their identity's, from the session's ID token
   * (the X-Id-Token header, else the ID token cookie; the guard has checked CSRF for a cookie
   * session's writes).
   */
  private owner(user: AuthUser, request: FastifyRequest): Promise<string> {
    if (!this.sync.needsIdToken) return this.sync.ownerOf(user, undefined);
    const header = request.headers[ID_TOKEN_HEADER];
    const idToken =
      typeof header === 'string' && header !== ''
        ? header
        : this.cookies.presented(request, {}).idToken;
    return this.sync.ownerOf(user, idToken);
  }
}
