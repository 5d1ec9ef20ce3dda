import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_CHANGES_PER_REQUEST } from '../../cognito/sync-dynamodb.adapter';

/** Cognito Sync's dataset names, but `.` and `..`: path segments a URL resolves, not names. */
export const DATASET_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.:-]{1,128}$/;
/** Sync counts are whole numbers a JSON client can hold exactly. */
const MAX_SYNC_COUNT = Number.MAX_SAFE_INTEGER;

export class DatasetParamsDto {
  @ApiProperty({
    description: '1 to 128 of A-Z a-z 0-9 _ . : -, other than `.` and `..`, e.g. `settings`.',
  })
  @Matches(DATASET_NAME, { message: 'name must be 1 to 128 of A-Z a-z 0-9 _ . : -, not . or ..' })
  name!: string;
}

export class SinceQueryDto {
  @ApiPropertyOptional({
    description:
      'The last sync count this device has (e.g. `3`): only records changed after it come back.',
    default: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SYNC_COUNT)
  sinceSyncCount?: number;
}

export class RecordChangeDto {
  @ApiProperty({ enum: ['put', 'remove'], example: 'put' })
  @IsIn(['put', 'remove'])
  op!: 'put' | 'remove';

  @ApiProperty({ example: 'theme', minLength: 1, maxLength: 1024 })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  key!: string;

  @ApiPropertyOptional({ example: 'dark', description: 'Required for `put`; none for `remove`.' })
  @ValidateIf((change: RecordChangeDto) => change.op === 'put' || change.value !== undefined)
  @IsString({ message: 'value must be a string: a put needs one' })
  value?: string;

  @ApiPropertyOptional({
    example: '2026-11-30T09:15:00.000Z',
    description: 'When the device made the change (ISO 8601), kept with the record.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  deviceLastModified?: string;
}

export class PatchDatasetDto {
  @ApiProperty({
    example: 3,
    description:
      'The dataset’s sync count this device has (0 creates the dataset). Any other count is ' +
      'answered 409 `SYNC_CONFLICT` with what changed since it.',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_SYNC_COUNT)
  syncCount!: number;

  @ApiProperty({
    type: [RecordChangeDto],
    description: `1 to ${MAX_CHANGES_PER_REQUEST} changes, applied together as one new sync count; a key's last change wins.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHANGES_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => RecordChangeDto)
  changes!: RecordChangeDto[];
}

export class DatasetSummaryDto {
  @ApiProperty({ example: 'settings' })
  name!: string;

  @ApiProperty({ example: 4 })
  syncCount!: number;

  @ApiProperty({ example: 2 })
  recordCount!: number;

  @ApiProperty({ example: 18, description: 'UTF-8 bytes of the live records’ keys and values.' })
  sizeBytes!: number;

  @ApiProperty({ example: '2026-11-30T09:15:01.000Z' })
  lastModified!: string;
}

export class RecordDto {
  @ApiProperty({ example: 'theme' })
  key!: string;

  @ApiPropertyOptional({ example: 'dark', description: 'Absent on a removed record.' })
  value?: string;

  @ApiProperty({ example: 4, description: 'The dataset’s sync count when the record changed.' })
  syncCount!: number;

  @ApiProperty({ example: '2026-11-30T09:15:01.000Z' })
  lastModified!: string;

  @ApiPropertyOptional({ example: '2026-11-30T09:15:00.000Z' })
  deviceLastModified?: string;

  @ApiProperty({ example: false, description: 'A removed record (a tombstone).' })
  deleted!: boolean;
}

export class DatasetDto {
  @ApiProperty({ example: 'settings' })
  name!: string;

  @ApiProperty({ example: 4 })
  syncCount!: number;

  @ApiProperty({ type: [RecordDto] })
  records!: RecordDto[];
}
