import { Body, Controller, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NoStore } from '../common/http/no-store.decorator';
import { CurrentUser, type AuthUser } from '../guard';
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
import { SyncService } from './sync.service';

/**
 * User data sync: the signed-in user's datasets, only ever their own (the owner is the verified
 * access token's `sub`). Every answer is `no-store`.
 */
@ApiTags('sync')
@NoStore()
@Controller('sync')
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  @ListDatasetsRoute()
  list(@CurrentUser() user: AuthUser): Promise<DatasetSummaryDto[]> {
    return this.sync.list(user.sub);
  }

  @ReadDatasetRoute()
  read(
    @CurrentUser() user: AuthUser,
    @Param() params: DatasetParamsDto,
    @Query() query: SinceQueryDto,
  ): Promise<DatasetDto> {
    return this.sync.read(user.sub, params.name, query.sinceSyncCount ?? 0);
  }

  @WriteDatasetRoute()
  write(
    @CurrentUser() user: AuthUser,
    @Param() params: DatasetParamsDto,
    @Body() body: PatchDatasetDto,
  ): Promise<DatasetDto> {
    return this.sync.write(user.sub, params.name, body);
  }

  @DeleteDatasetRoute()
  remove(@CurrentUser() user: AuthUser, @Param() params: DatasetParamsDto): Promise<void> {
    return this.sync.remove(user.sub, params.name);
  }
}
