import { Controller, Get, Module } from '@nestjs/common';
import { AppModule } from '../src/app.module';
import { Public } from '../src/guard';

const BODY = { status: 'ok' };

/** Two routes with the same tiny answer: one public, one behind the guard. */
@Controller('bench')
export class BenchController {
  @Public()
  @Get('public')
  open(): typeof BODY {
    return BODY;
  }

  @Get('guarded')
  guarded(): typeof BODY {
    return BODY;
  }
}

/** The real application plus the two benchmark routes. */
@Module({ imports: [AppModule], controllers: [BenchController] })
export class BenchModule {}
