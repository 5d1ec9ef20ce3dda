import { Controller, Get, Header, Post } from '@nestjs/common';
import { isNoStore, NoStore } from './no-store.decorator';

describe(NoStore.name, () => {
  it('marks every route of a controller, keeping a route’s own Cache-Control and skipping helpers', () => {
    @NoStore()
    @Controller('things')
    class ThingsController {
      @Get()
      list(): string[] {
        return [];
      }

      @Post()
      create(): void {}

      @Get('public')
      @Header('Cache-Control', 'public, max-age=60')
      cacheable(): string {
        return 'x';
      }

      helper(): void {}
    }
    const prototype = ThingsController.prototype;
    expect(
      [prototype.list, prototype.create, prototype.cacheable, prototype.helper].map(isNoStore),
    ).toEqual([true, true, false, false]);
  });

  it('marks one route when placed on a method', () => {
    @Controller('one')
    class OneController {
      @Get('secret')
      @NoStore()
      secret(): string {
        return 's';
      }

      @Get('plain')
      plain(): string {
        return 'p';
      }
    }
    expect(isNoStore(OneController.prototype.secret)).toBe(true);
    expect(isNoStore(OneController.prototype.plain)).toBe(false);
  });
});
