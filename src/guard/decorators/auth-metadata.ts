/** Metadata keys the guard reads. */
export const IS_PUBLIC_KEY = 'auth:isPublic';
export const OPTIONAL_AUTH_KEY = 'auth:optional';
export const REQUIRED_GROUPS_KEY = 'auth:groups';
