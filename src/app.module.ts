import { DemoModule } from './demo/demo.module';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AccountModule } from './account/account.module';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { configModuleOptions } from './config/config-module.options';
import { GuardModule } from './guard';
import { FederationModule } from './federation/federation.module';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { SyncModule } from './sync/sync.module';

@Module({
  imports: [
    ConfigModule.forRoot(configModuleOptions),
    GuardModule,
    AuthModule,
    AccountModule,
    AdminModule,
    FederationModule,
    IdentityModule,
    SyncModule,
    HealthModule,
    DemoModule,
  ],
})
export class AppModule {}
