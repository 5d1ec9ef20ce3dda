import { applyDecorators, Delete, Get, HttpStatus, Patch } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { Responds } from '../common/http/responds.decorator';
import { Authenticated } from '../guard';
import { DatasetDto, DatasetSummaryDto, PatchDatasetDto } from './dto/sync.dto';

/**
 * The routes of SyncController, one decorator each: protection, method and path, status, and
 * the Swagger documentation.
 */

const STORE_ERRORS = {
  401:
    'No access token, or an invalid, expired or revoked one (`UNAUTHORIZED`). With ' +
    'SYNC_BACKEND=cognito-sync also no ID token (`ID_TOKEN_REQUIRED`), or one that is invalid, ' +
    'expired, revoked, or of another user or sign-in (`ID_TOKEN_INVALID`).',
  500: 'The store’s set-up is wrong, e.g. no such table (`INTERNAL_ERROR`).',
  503: 'The store is unreachable or busy (`UPSTREAM_UNAVAILABLE`, with `Retry-After`).',
};

/**
 * Every sync route: signed in, and with Cognito Sync (datasets per identity-pool identity) the
 * session's ID token too.
 */
const SyncRoute = (): MethodDecorator =>
  applyDecorators(
    Authenticated(),
    ApiHeader({
      name: 'X-Id-Token',
      required: false,
      description:
        'Only with SYNC_BACKEND=cognito-sync, and only for bearer clients: the ID token of this ' +
        'sign-in, which finds the user’s identity-pool identity (Cognito Sync keeps datasets per ' +
        'identity). A cookie session sends its ID token cookie instead; the DynamoDB store ' +
        'ignores the header.',
    }),
  );
const NAME_400 =
  'A dataset name that is not 1 to 128 of A-Z a-z 0-9 _ . : - (`VALIDATION_FAILED`).';

export const ListDatasetsRoute = (): MethodDecorator =>
  applyDecorators(
    SyncRoute(),
    Get('datasets'),
    ApiOperation({
      summary: 'The signed-in user’s datasets',
      description: 'Each with its sync count, record count, size and last change.',
    }),
    Responds(HttpStatus.OK, { type: DatasetSummaryDto, isArray: true }),
    ApiErrors(STORE_ERRORS),
  );

export const ReadDatasetRoute = (): MethodDecorator =>
  applyDecorators(
    SyncRoute(),
    Get('datasets/:name'),
    ApiOperation({
      summary: 'Pull a dataset: what changed after a sync count',
      description:
        'Only the records changed after `sinceSyncCount` (0, the default: every record), removed ' +
        'ones as tombstones (`deleted: true`), so a device pulls just what it missed and keeps ' +
        'the answer’s `syncCount` for its next pull and write.',
    }),
    Responds(HttpStatus.OK, { type: DatasetDto }),
    ApiErrors({
      400: `${NAME_400} Or a \`sinceSyncCount\` that is not a whole number ≥ 0.`,
      404: 'The user has no such dataset (`DATASET_NOT_FOUND`).',
      ...STORE_ERRORS,
    }),
  );

export const WriteDatasetRoute = (): MethodDecorator =>
  applyDecorators(
    SyncRoute(),
    Patch('datasets/:name'),
    ApiOperation({
      summary: 'Push changes to a dataset (creates it at syncCount 0)',
      description:
        'Applies every change at once as the next sync count, but only if `syncCount` is the ' +
        'dataset’s current one: of two devices writing with the same count exactly one wins; ' +
        'the other gets 409 `SYNC_CONFLICT` with `conflict: { syncCount, records }`, the records ' +
        'changed since its count, to merge and send again with `conflict.syncCount`. Answers ' +
        'the records this write changed and the new `syncCount`. With SYNC_BACKEND=cognito-sync, ' +
        'Cognito Sync’s own rule decides between two writes that race: one of them fails only ' +
        'if they change a record in common.',
    }),
    ApiBody({
      type: PatchDatasetDto,
      examples: {
        create: {
          summary: 'Create the dataset (syncCount 0)',
          value: {
            syncCount: 0,
            changes: [
              {
                op: 'put',
                key: 'theme',
                value: 'dark',
                deviceLastModified: '2026-11-30T09:15:00.000Z',
              },
            ],
          },
        },
        update: {
          summary: 'Change and remove records at the count this device has',
          value: {
            syncCount: 1,
            changes: [
              { op: 'put', key: 'theme', value: 'light' },
              { op: 'remove', key: 'lang' },
            ],
          },
        },
      },
    }),
    Responds(HttpStatus.OK, { type: DatasetDto }),
    ApiErrors({
      409:
        'The dataset changed since `syncCount` (`SYNC_CONFLICT`): the error body carries ' +
        '`conflict: { name, syncCount, records }`, the records changed since that count.',
      400:
        `${NAME_400} Or an invalid body (\`VALIDATION_FAILED\`); or more than 20 datasets ` +
        '(`SYNC_TOO_MANY_DATASETS`) or 1024 records (`SYNC_TOO_MANY_RECORDS`).',
      413: 'More than 1 MB of keys and values (`SYNC_DATASET_TOO_LARGE`), or a body over 100 kB (`PAYLOAD_TOO_LARGE`).',
      ...STORE_ERRORS,
    }),
  );

export const DeleteDatasetRoute = (): MethodDecorator =>
  applyDecorators(
    SyncRoute(),
    Delete('datasets/:name'),
    ApiOperation({ summary: 'Delete a dataset and its records' }),
    Responds(HttpStatus.NO_CONTENT, { description: 'Deleted.' }),
    ApiErrors({
      400: NAME_400,
      404: 'The user has no such dataset (`DATASET_NOT_FOUND`).',
      ...STORE_ERRORS,
    }),
  );
