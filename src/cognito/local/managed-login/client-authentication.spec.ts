import { authenticateClient } from './client-authentication';

const CLIENT = { clientId: 'client:1', clientSecret: 'a b+c/=' };
const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
const body = (form: Record<string, string> = {}) => new URLSearchParams(form);

describe('authenticateClient', () => {
  it('decodes the RFC 6749 form-encoding of the id and secret in the Basic header', () => {
    expect(authenticateClient(basic('client%3A1:a+b%2Bc%2F%3D'), body(), CLIENT)).toEqual({
      kind: 'authenticated',
      clientId: 'client:1',
    });
    // Not decoded, the secret's `+` would be a space: refused.
    expect(authenticateClient(basic('client%3A1:a b+c/='), body(), CLIENT).kind).toBe(
      'invalid-client',
    );
  });

  it('takes client_secret_post', () => {
    expect(
      authenticateClient(
        undefined,
        body({ client_id: 'client:1', client_secret: 'a b+c/=' }),
        CLIENT,
      ).kind,
    ).toBe('authenticated');
  });

  it('refuses a wrong or missing secret, another client, and a malformed header', () => {
    expect(authenticateClient(undefined, body({ client_id: 'client:1' }), CLIENT)).toEqual({
      kind: 'invalid-client',
      basic: false,
    });
    expect(
      authenticateClient(undefined, body({ client_id: 'client:1', client_secret: 'nope' }), CLIENT)
        .kind,
    ).toBe('invalid-client');
    expect(authenticateClient(basic('other:a+b%2Bc%2F%3D'), body(), CLIENT)).toEqual({
      kind: 'invalid-client',
      basic: true,
    });
    expect(authenticateClient(basic('no-colon'), body(), CLIENT).kind).toBe('invalid-client');
    expect(authenticateClient(undefined, body(), CLIENT).kind).toBe('invalid-client');
  });

  it('refuses two methods at once, and a body client_id that is not the header’s', () => {
    const header = basic('client%3A1:a+b%2Bc%2F%3D');
    expect(authenticateClient(header, body({ client_secret: 'a b+c/=' }), CLIENT).kind).toBe(
      'invalid-request',
    );
    expect(authenticateClient(header, body({ client_id: 'other' }), CLIENT).kind).toBe(
      'invalid-request',
    );
    expect(authenticateClient(header, body({ client_id: 'client:1' }), CLIENT).kind).toBe(
      'authenticated',
    );
  });
});
