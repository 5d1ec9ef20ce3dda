import { toProfile } from './profile';

describe(toProfile.name, () => {
  const user = { sub: 'token-sub', username: 'token-username', groups: ['admin'] };

  it('builds the profile from the account, with the groups of the token, in the order it is answered', () => {
    const attributes = { sub: 'uuid-1', email: 'a@example.com', email_verified: 'true', name: 'A' };
    // The order of the keys is the order of the JSON answer (GET /auth/me).
    expect(JSON.stringify(toProfile({ username: 'uuid-1', attributes }, user))).toBe(
      JSON.stringify({
        sub: 'uuid-1',
        username: 'uuid-1',
        email: 'a@example.com',
        emailVerified: true,
        name: 'A',
        groups: ['admin'],
        attributes,
      }),
    );
  });

  it('takes the sub and username of the token where the account has none', () => {
    expect(toProfile({ username: '', attributes: {} }, user)).toEqual({
      sub: 'token-sub',
      username: 'token-username',
      email: undefined,
      emailVerified: false,
      name: undefined,
      groups: ['admin'],
      attributes: {},
    });
  });
});
