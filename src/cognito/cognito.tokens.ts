/** Injection token of the SDK client; only the Cognito module's own providers use it. */
export const COGNITO_SDK_CLIENT = Symbol('COGNITO_SDK_CLIENT');
