import { toProfile } from './profile';

describe(toProfile.name, () => {
  const user = { sub: 'token-sub', username: 'token-username', groups: ['admin'] };

  it('answers its fields in the order of the JSON answer of GET /auth/me', () => {
    const attributes = { sub: 'uuid-1', email: 'a@example.com', name: 'A' };
    expect(Object.keys(toProfile({ username: 'uuid-1', attributes }, user))).toEqual([
      'sub',
      'username',
      'email',
      'emailVerified',
      'name',
      'groups',
      'attributes',
    ]);
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
