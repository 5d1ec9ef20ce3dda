import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { CognitoModule } from '../cognito/cognito.module';
import { LoggingModule } from '../common/logging/logging.module';
import { SEALING_KEY } from '../common/crypto/sealing-key';
import { AfterReply } from '../common/tasks/after-reply';
import { authConfig, cognitoConfig } from '../config';
import { GuardModule } from '../guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { challengeSessionKey } from './challenge/challenge-session-key';
import { ChallengeSessions } from './challenge/challenge-sessions';
import { SessionAnswers } from './session-answers';
import { SessionCredentials } from './session-credentials';
import { SessionEnd } from './session-end';

/**
 * The sign-in flows over REST: sign-up, password sign-in and its steps, refresh, logout, password
 * reset and change. The guard kit (GuardModule) protects every route of the app.
 */
@Module({
  imports: [CognitoModule, LoggingModule, GuardModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    SessionCredentials,
    SessionAnswers,
    SessionEnd,
    AfterReply,
    {
      provide: SEALING_KEY,
      inject: [authConfig.KEY, cognitoConfig.KEY],
      useFactory: challengeSessionKey,
    },
    {
      provide: ChallengeSessions,
      inject: [SEALING_KEY, authConfig.KEY],
      useFactory: (key: Buffer, auth: ConfigType<typeof authConfig>) =>
        new ChallengeSessions(key, auth.challengeSessions.ttlSeconds),
    },
  ],
  // For the other ways of signing in, which end in the same session.
  exports: [SessionAnswers, SessionEnd, SEALING_KEY],
})
export class AuthModule {}
