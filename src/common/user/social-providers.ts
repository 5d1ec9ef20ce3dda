/** The names Amazon Cognito gives the social identity providers, whose type is their name. */
export const SOCIAL_PROVIDERS: ReadonlySet<string> = new Set([
  'Google',
  'Facebook',
  'LoginWithAmazon',
  'SignInWithApple',
]);
