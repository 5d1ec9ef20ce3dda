import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { extractAccessToken } from '../jwt/token-extractors';

/**
 * The raw access token of the request (bearer header or cookie), for the few calls that hand it
 * to Cognito (GetUser, ChangePassword, GlobalSignOut). The guard has verified it by then.
 */
export const AccessToken = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined =>
    extractAccessToken(context.switchToHttp().getRequest()) ?? undefined,
);
