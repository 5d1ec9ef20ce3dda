/** The group whose members may use the /admin routes. */
export const ADMIN_GROUP_NAME = 'admin';
