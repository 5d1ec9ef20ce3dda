import { Controller, Get, Module, Post, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import {
  type AuthUser,
  COGNITO_STRATEGY,
  CurrentUser,
  GuardModule,
  Groups,
  OptionalAuth,
  Public,
} from '../../src/guard';
import { AuthModule } from '../../src/auth/auth.module';
import { ConfigModule } from '@nestjs/config';
import { configModuleOptions } from '../../src/config/config-module.options';
import { HealthModule } from '../../src/health/health.module';

/** A module of "someone else's" routes, protected only by importing AuthModule. */
@Controller('reports')
export class ReportsController {
  @Public()
  @Get('status')
  status(): { ok: boolean } {
    return { ok: true };
  }

  @Get('mine')
  mine(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }

  @Get('sub')
  sub(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @Groups('admin', 'auditors')
  @Get('all')
  all(@CurrentUser('groups') groups: string[]): { groups: string[] } {
    return { groups };
  }

  @OptionalAuth()
  @Get('teaser')
  teaser(@CurrentUser() user?: AuthUser): { personalised: boolean; sub?: string } {
    return { personalised: Boolean(user), sub: user?.sub };
  }

  /** The same strategy through @nestjs/passport's own guard, as a Nest developer may write it. */
  @Public()
  @UseGuards(AuthGuard(COGNITO_STRATEGY))
  @Get('passport')
  passport(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @Public()
  @UseGuards(AuthGuard(COGNITO_STRATEGY))
  @Post('passport')
  passportUnsafe(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @Post('unsafe')
  unsafe(): { done: boolean } {
    return { done: true };
  }
}

@Module({ controllers: [ReportsController] })
export class ReportsModule {}

/** Just the guard and a foreign module: what a Nest developer's own app looks like. */
@Module({
  imports: [ConfigModule.forRoot(configModuleOptions), AuthModule, HealthModule, ReportsModule],
})
export class GuardedAppModule {}

/** The guard kit alone through its front door, with no sign-in flows: every route is guarded. */
@Module({
  imports: [ConfigModule.forRoot(configModuleOptions), GuardModule, ReportsModule],
})
export class KitOnlyAppModule {}
