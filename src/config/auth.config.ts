import { registerAs } from '@nestjs/config';
import { parseEnvironment } from './environment';

/** How tokens reach clients (body, cookies) and the password policy checked before Cognito. */
export const authConfig = registerAs('auth', () => parseEnvironment(process.env).auth);
