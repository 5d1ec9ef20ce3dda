import { ApiPropertyOptional } from '@nestjs/swagger';

/** Where a code was sent, masked. */
export class CodeDeliveryDto {
  @ApiPropertyOptional({ example: 'a***@e***.com', description: 'Masked destination.' })
  destination?: string;

  @ApiPropertyOptional({ example: 'EMAIL', enum: ['EMAIL', 'SMS'] })
  medium?: string;

  @ApiPropertyOptional({ example: 'email' })
  attribute?: string;
}
