import { Controller, Get, HttpStatus, Inject, Param, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { appConfig } from '../config';
import { Public } from '../guard';
import { DemoAssets, isAssetName, type Asset } from './demo-assets';

/**
 * The reference page at /demo: a small page that uses the typed client (clients/typescript) for
 * every flow a frontend needs, for developers to read and try. Development and embedded mode
 * only: production answers 404, like a route that does not exist.
 */
@ApiExcludeController()
@Controller('demo')
export class DemoController {
  private readonly assets = new DemoAssets();

  constructor(@Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>) {}

  @Public()
  @Get()
  async page(@Res() reply: FastifyReply): Promise<void> {
    this.refuseInProduction();
    this.send(reply, await this.assets.page());
  }

  @Public()
  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    this.refuseInProduction();
    if (!isAssetName(file)) {
      throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND, 'No such file.');
    }
    this.send(reply, await this.assets.asset(file));
  }

  private refuseInProduction(): void {
    if (this.config.nodeEnv === 'production') {
      throw new AppException(
        HttpStatus.NOT_FOUND,
        ErrorCode.NOT_FOUND,
        'The reference page is served in development only.',
      );
    }
  }

  private send(reply: FastifyReply, asset: Asset): void {
    // The browser asks again each time (the files are made once per process).
    void reply
      .header('content-type', asset.contentType)
      .header('cache-control', 'no-cache')
      .send(asset.body);
  }
}
