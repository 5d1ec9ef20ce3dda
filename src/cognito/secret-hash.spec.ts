import { computeSecretHash } from './secret-hash';

describe(computeSecretHash.name, () => {
  it('is Base64(HMAC-SHA256(key = secret, message = username + clientId)) for a fixed vector', () => {
    // Vector computed independently with:
    // printf 'user@example.com3t2rvtklplb9aoh0o6rf5h1v2s' | openssl dgst -sha256 -hmac 'secret-1234' -binary | base64
    expect(computeSecretHash('user@example.com', '3t2rvtklplb9aoh0o6rf5h1v2s', 'secret-1234')).toBe(
      'epXtx0Dx8XQjYgCUATct+tKvz8Cuzz9hGjZdONeFzzQ=',
    );
  });

  it('depends on the username, so a refresh must use the Cognito username and not the email', () => {
    const byEmail = computeSecretHash('user@example.com', 'client', 'secret');
    const byUsername = computeSecretHash(
      '7d8ca528-4931-4254-9273-ea5ee853f271',
      'client',
      'secret',
    );
    expect(byEmail).not.toBe(byUsername);
  });
});
