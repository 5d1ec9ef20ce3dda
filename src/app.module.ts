import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { configModuleOptions } from './config/config-module.options';

@Module({
  imports: [ConfigModule.forRoot(configModuleOptions), AuthModule],
})
export class AppModule {}
