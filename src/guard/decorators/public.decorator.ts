import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from './auth-metadata';

/**
 * Opts a route (or a whole controller) out of the global guard. Every other route requires a
 * valid access token: the guard denies by default.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
