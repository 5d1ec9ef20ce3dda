export { AccessToken } from './access-token.decorator';
export { Authenticated } from './authenticated.decorator';
export { CurrentUser } from './current-user.decorator';
export { Groups } from './groups.decorator';
export { OptionalAuth } from './optional-auth.decorator';
export { Public } from './public.decorator';
