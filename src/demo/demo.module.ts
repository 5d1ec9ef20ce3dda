import { Module } from '@nestjs/common';
import { GuardModule } from '../guard';
import { DemoController } from './demo.controller';

/** The reference page for frontend developers, at /demo (development only). */
@Module({
  imports: [GuardModule],
  controllers: [DemoController],
})
export class DemoModule {}
