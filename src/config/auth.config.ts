import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/** How tokens reach clients (body, cookies) and the password policy checked before Cognito. */
export const authConfig = registerAs('auth', () => loadConfiguration().auth);
