import { registerAs } from '@nestjs/config';
import { loadConfiguration } from './environment';

/** Which Cognito to talk to and how: the embedded emulator, a custom endpoint, or AWS. */
export const cognitoConfig = registerAs('cognito', () => loadConfiguration().cognito);
