import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CognitoModule } from '../cognito/cognito.module';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [AuthModule, CognitoModule],
  controllers: [AdminController],
  providers: [AdminService, AdminAuditInterceptor],
})
export class AdminModule {}
