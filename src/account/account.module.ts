import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CognitoModule } from '../cognito/cognito.module';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';

@Module({
  imports: [AuthModule, CognitoModule],
  controllers: [AccountController],
  providers: [AccountService],
})
export class AccountModule {}
