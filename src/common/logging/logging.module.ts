import { Global, Module } from '@nestjs/common';
import { SecurityEventInterceptor, SecurityEvents } from './security-events';

/** Security events, available to every module (the auth, account and admin routes record them). */
@Global()
@Module({
  providers: [SecurityEvents, SecurityEventInterceptor],
  exports: [SecurityEvents, SecurityEventInterceptor],
})
export class LoggingModule {}
