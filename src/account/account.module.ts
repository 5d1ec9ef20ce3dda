import { Module } from '@nestjs/common';
import { GuardModule } from '../guard';
import { CognitoModule } from '../cognito/cognito.module';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';

@Module({
  imports: [GuardModule, CognitoModule],
  controllers: [AccountController],
  providers: [AccountService],
})
export class AccountModule {}
