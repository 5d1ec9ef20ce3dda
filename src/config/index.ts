export { appConfig } from './app.config';
export { authConfig } from './auth.config';
export { cognitoConfig } from './cognito.config';
export { federationConfig } from './federation.config';
export { httpConfig } from './http.config';
export { identityConfig } from './identity.config';
export { redisConfig } from './redis.config';
export { syncConfig } from './sync.config';
export {
  ConfigurationError,
  DEFAULT_SYNC_TABLE,
  decodeKey,
  isLoopbackHttp,
  loadConfiguration,
  parseEnvironment,
  type CognitoMode,
  type Configuration,
  type OAuthProvider,
  type PasswordPolicy,
  type TokenDelivery,
} from './environment';
