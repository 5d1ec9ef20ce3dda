import { roleClaims } from './role-claims';

const A = 'arn:aws:iam::000000000000:role/a';
const B = 'arn:aws:iam::000000000000:role/b';

describe('roleClaims (cognito:roles and cognito:preferred_role)', () => {
  it('sets nothing without a group that has a role', () => {
    expect(roleClaims([])).toEqual({});
  });

  it('prefers the lowest precedence; a group without one comes after every number', () => {
    expect(
      roleClaims([
        { name: 'x', roleArn: A },
        { name: 'y', roleArn: B, precedence: 7 },
      ]),
    ).toEqual({ 'cognito:roles': [B, A], 'cognito:preferred_role': B });
  });

  it('names the only role, even of a group without precedence', () => {
    expect(roleClaims([{ name: 'x', roleArn: A }])).toEqual({
      'cognito:roles': [A],
      'cognito:preferred_role': A,
    });
  });

  it('leaves the preferred role out when the best precedence is shared by different roles', () => {
    expect(
      roleClaims([
        { name: 'x', roleArn: A, precedence: 1 },
        { name: 'y', roleArn: B, precedence: 1 },
      ]),
    ).toEqual({ 'cognito:roles': [A, B] });
    expect(
      roleClaims([
        { name: 'x', roleArn: A },
        { name: 'y', roleArn: B },
      ]),
    ).toEqual({ 'cognito:roles': [A, B] });
  });

  it('keeps the preferred role when the groups sharing the best precedence have the same role', () => {
    expect(
      roleClaims([
        { name: 'x', roleArn: A, precedence: 1 },
        { name: 'y', roleArn: A, precedence: 1 },
        { name: 'z', roleArn: B, precedence: 2 },
      ]),
    ).toEqual({ 'cognito:roles': [A, B], 'cognito:preferred_role': A });
  });
});
