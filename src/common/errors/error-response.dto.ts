import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from './error-code';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: ['email must be an email'], type: [String] })
  messages!: string[];
}

/** The body of every error answer, whatever went wrong. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400, description: 'The HTTP status, repeated for convenience.' })
  statusCode!: number;

  @ApiProperty({
    example: ErrorCode.VALIDATION_FAILED,
    enum: Object.values(ErrorCode),
    description: 'A stable machine-readable code to branch on.',
  })
  error!: string;

  @ApiProperty({ example: 'email must be an email', description: 'Safe to show to a person.' })
  message!: string;

  @ApiProperty({
    example: '5f0c2b1e-8f5e-4a55-9f1e-2f0d6c1b7a3e',
    description: 'Matches the X-Request-Id response header and the server logs.',
  })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field problems (400 only).' })
  details?: FieldErrorDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      '`SYNC_CONFLICT` only: the dataset’s `name`, its current `syncCount` and the `records` ' +
      'changed since the count the client sent, to merge before writing again.',
  })
  conflict?: Record<string, unknown>;
}
