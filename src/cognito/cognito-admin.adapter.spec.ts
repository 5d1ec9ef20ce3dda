import {
  AdminCreateUserCommand,
  AdminDisableProviderForUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminResetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteGroupCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { cognitoError, TEST_POOL_ID, testConnection } from './cognito.spec-fixtures';
import { CognitoAdminAdapter } from './cognito-admin.adapter';

const POOL = TEST_POOL_ID;

/** Administrative calls the emulator lacks or simplifies. */
describe(CognitoAdminAdapter.name, () => {
  const client = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
  const sdk = mockClient(client);
  const adapter = new CognitoAdminAdapter(client, testConnection);

  beforeEach(() => sdk.reset());

  it('resets a password with AdminResetUserPassword', async () => {
    sdk.on(AdminResetUserPasswordCommand).resolves({});
    await adapter.resetPassword('alice@example.com');
    expect(sdk.commandCalls(AdminResetUserPasswordCommand)[0].args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'alice@example.com',
    });
  });

  it('signs a user out everywhere with AdminUserGlobalSignOut, 404 for an unknown user', async () => {
    sdk
      .on(AdminUserGlobalSignOutCommand)
      .resolvesOnce({})
      .rejectsOnce(cognitoError('UserNotFoundException'));
    await adapter.globalSignOut('alice@example.com');
    expect(sdk.commandCalls(AdminUserGlobalSignOutCommand)[0].args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'alice@example.com',
    });
    await expect(adapter.globalSignOut('ghost@example.com')).rejects.toMatchObject({
      status: 404,
      code: 'USER_NOT_FOUND',
    });
  });

  it('passes pagination tokens both ways and one filter string', async () => {
    sdk.on(ListUsersCommand).resolves({
      Users: [
        {
          Username: 'uuid-1',
          Enabled: true,
          UserStatus: 'CONFIRMED',
          Attributes: [
            { Name: 'sub', Value: 'uuid-1' },
            { Name: 'email', Value: 'alice@example.com' },
            { Name: 'email_verified', Value: 'true' },
          ],
          UserCreateDate: new Date('2026-01-02T03:04:05Z'),
        },
      ],
      PaginationToken: 'page-2',
    });
    const page = await adapter.listUsers(
      { attribute: 'email', value: 'alice', prefix: true },
      10,
      'page-1',
    );
    expect(sdk.commandCalls(ListUsersCommand)[0].args[0].input).toEqual({
      UserPoolId: POOL,
      Limit: 10,
      PaginationToken: 'page-1',
      Filter: 'email ^= "alice"',
    });
    expect(page).toEqual({
      items: [
        {
          username: 'uuid-1',
          sub: 'uuid-1',
          email: 'alice@example.com',
          emailVerified: true,
          status: 'CONFIRMED',
          enabled: true,
          createdAt: new Date('2026-01-02T03:04:05Z'),
          updatedAt: undefined,
          attributes: { sub: 'uuid-1', email: 'alice@example.com', email_verified: 'true' },
          identities: [],
        },
      ],
      nextToken: 'page-2',
    });

    sdk.on(ListGroupsCommand).resolves({ Groups: [{ GroupName: 'admin' }], NextToken: 'groups-2' });
    await expect(adapter.listGroups(5, 'groups-1')).resolves.toMatchObject({
      nextToken: 'groups-2',
    });
    expect(sdk.commandCalls(ListGroupsCommand)[0].args[0].input).toMatchObject({
      Limit: 5,
      NextToken: 'groups-1',
    });

    sdk.on(ListUsersInGroupCommand).resolves({ Users: [], NextToken: 'members-2' });
    await expect(adapter.listUsersInGroup('admin', 5, 'members-1')).resolves.toEqual({
      items: [],
      nextToken: 'members-2',
    });
  });

  it('answers an existing group with 409 GROUP_ALREADY_EXISTS and a missing one with 404', async () => {
    sdk
      .on(CreateGroupCommand)
      .rejects(cognitoError('GroupExistsException', 'A group with the name already exists.'));
    await expect(adapter.createGroup({ name: 'admin' })).rejects.toMatchObject({
      status: 409,
      code: 'GROUP_ALREADY_EXISTS',
      message: 'A group with this name exists already.',
    });
    sdk
      .on(DeleteGroupCommand)
      .rejects(cognitoError('ResourceNotFoundException', 'Group not found.'));
    await expect(adapter.deleteGroup('nope')).rejects.toMatchObject({
      status: 404,
      code: 'GROUP_NOT_FOUND',
    });
  });

  it('invites silently or by email, and resends an invitation', async () => {
    sdk.on(AdminCreateUserCommand).resolves({
      User: { Username: 'uuid-2', Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD' },
    });
    await adapter.createUser({
      email: 'b@example.com',
      attributes: { name: 'B' },
      sendInvitation: false,
      temporaryPassword: 'T-3mp!pass',
    });
    await adapter.createUser({ email: 'c@example.com', attributes: {}, sendInvitation: true });
    await adapter.resendInvitation('b@example.com');
    const calls = sdk.commandCalls(AdminCreateUserCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({
      Username: 'b@example.com',
      MessageAction: 'SUPPRESS',
      TemporaryPassword: 'T-3mp!pass',
      UserAttributes: [
        { Name: 'email', Value: 'b@example.com' },
        { Name: 'name', Value: 'B' },
      ],
    });
    expect(calls[1].MessageAction).toBeUndefined();
    expect(calls[1].TemporaryPassword).toBeUndefined();
    expect(calls[2]).toEqual({
      UserPoolId: POOL,
      Username: 'b@example.com',
      MessageAction: 'RESEND',
    });
  });

  describe('linked identities', () => {
    const google = { providerName: 'Google', providerUserId: '1155500001' };

    it('links with AdminLinkProviderForUser: the Cognito user by username, the identity by Cognito_Subject', async () => {
      sdk.on(AdminLinkProviderForUserCommand).resolves({});
      await adapter.linkProviderForUser('uuid-1', google);
      expect(sdk.commandCalls(AdminLinkProviderForUserCommand)[0].args[0].input).toEqual({
        UserPoolId: POOL,
        DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'uuid-1' },
        SourceUser: {
          ProviderName: 'Google',
          ProviderAttributeName: 'Cognito_Subject',
          ProviderAttributeValue: '1155500001',
        },
      });
    });

    it('unlinks with AdminDisableProviderForUser, naming the identity by Cognito_Subject', async () => {
      sdk.on(AdminDisableProviderForUserCommand).resolves({});
      await adapter.disableProviderForUser(google);
      expect(sdk.commandCalls(AdminDisableProviderForUserCommand)[0].args[0].input).toEqual({
        UserPoolId: POOL,
        User: {
          ProviderName: 'Google',
          ProviderAttributeName: 'Cognito_Subject',
          ProviderAttributeValue: '1155500001',
        },
      });
    });

    it.each([
      ['UserNotFoundException', 404, 'USER_NOT_FOUND'],
      ['InvalidParameterException', 400, 'INVALID_PARAMETER'],
      ['AliasExistsException', 409, 'IDENTITY_ALREADY_LINKED'],
      ['LimitExceededException', 409, 'IDENTITY_LINK_LIMIT'],
      ['ResourceNotFoundException', 404, 'PROVIDER_NOT_FOUND'],
    ])(
      'maps %s from a link or an unlink to %i %s, with a fixed message',
      async (name, status, code) => {
        sdk.on(AdminLinkProviderForUserCommand).rejects(cognitoError(name, 'AWS detail'));
        sdk.on(AdminDisableProviderForUserCommand).rejects(cognitoError(name, 'AWS detail'));
        for (const call of [
          adapter.linkProviderForUser('uuid-1', google),
          adapter.disableProviderForUser(google),
        ]) {
          const error = (await call.catch((e: unknown) => e)) as { message: string };
          expect(error).toMatchObject({ status, code });
          expect(error.message).not.toContain('AWS detail');
        }
      },
    );

    it('reads the identities attribute of AdminGetUser; an absent or unreadable one is none', async () => {
      const withIdentities = (value?: string) =>
        sdk.on(AdminGetUserCommand).resolves({
          Username: 'uuid-1',
          UserAttributes: [
            { Name: 'sub', Value: 'uuid-1' },
            ...(value === undefined ? [] : [{ Name: 'identities', Value: value }]),
          ],
        });
      withIdentities(
        JSON.stringify([
          {
            userId: '1155500001',
            providerName: 'Google',
            providerType: 'Google',
            issuer: null,
            primary: false,
            dateCreated: 1764460800000,
          },
          { userId: 'abc', providerName: 'Corp', providerType: 'SAML', primary: 'true' },
          { providerName: 'NoSubject' },
          'not an object',
        ]),
      );
      await expect(adapter.getUser('alice@example.com')).resolves.toMatchObject({
        identities: [
          {
            providerName: 'Google',
            providerUserId: '1155500001',
            providerType: 'Google',
            primary: false,
            dateCreated: new Date(1764460800000),
          },
          {
            providerName: 'Corp',
            providerUserId: 'abc',
            providerType: 'SAML',
            primary: true,
            dateCreated: undefined,
          },
        ],
      });
      for (const value of [undefined, '', 'not json', '{"userId":"x"}', 'null', '[1,2]']) {
        withIdentities(value);
        await expect(adapter.getUser('alice@example.com')).resolves.toMatchObject({
          identities: [],
        });
      }
    });
  });
});
