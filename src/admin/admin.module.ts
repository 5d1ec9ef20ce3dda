import { Module } from '@nestjs/common';
import { GuardModule } from '../guard';
import { CognitoModule } from '../cognito/cognito.module';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [GuardModule, CognitoModule],
  controllers: [AdminController],
  providers: [AdminService, AdminAuditInterceptor],
})
export class AdminModule {}
