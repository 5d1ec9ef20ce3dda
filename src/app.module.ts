import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { configModuleOptions } from './config/config-module.options';
import { HealthModule } from './health/health.module';

@Module({
  imports: [ConfigModule.forRoot(configModuleOptions), AuthModule, HealthModule],
})
export class AppModule {}
