import { RevocationList, SessionCutoffs } from './revocation-list';

describe(RevocationList.name, () => {
  let now = 1000;
  const list = () => new RevocationList(() => now);

  beforeEach(() => (now = 1000));

  it('holds an id until its token expires, then forgets it', () => {
    const revoked = list();
    revoked.add('jti-1', 1060);
    expect(revoked.has('jti-1')).toBe(true);
    expect(revoked.has('jti-2')).toBe(false);
    expect(revoked.has(undefined)).toBe(false);
    now = 1060;
    expect(revoked.has('jti-1')).toBe(false);
    expect(revoked.size).toBe(0);
  });

  it('ignores ids of tokens that have expired already and keeps the later expiry of two', () => {
    const revoked = list();
    revoked.add('old', 999);
    expect(revoked.size).toBe(0);
    revoked.add('jti', 1100);
    revoked.add('jti', 1050);
    now = 1070;
    expect(revoked.has('jti')).toBe(true);
  });

  it('purges expired entries at most once a minute', () => {
    const revoked = list();
    revoked.add('a', 1010);
    revoked.add('b', 5000);
    now = 1020;
    revoked.purgeExpired();
    expect(revoked.size).toBe(1);
    revoked.add('c', 1030);
    now = 1040;
    revoked.purgeExpired();
    expect(revoked.size).toBe(2);
    now = 1081;
    revoked.purgeExpired();
    expect(revoked.size).toBe(1);
  });
});

describe(SessionCutoffs.name, () => {
  let now = 1000;
  const cutoffs = () => new SessionCutoffs(() => now);

  it('ends the sessions of a user signed in at or before the cutoff, and only that user', () => {
    const ended = cutoffs();
    ended.add('alice', 1000, 5000);
    expect(ended.ended('alice', 999)).toBe(true);
    expect(ended.ended('alice', 1000)).toBe(true);
    expect(ended.ended('alice', 1001)).toBe(false);
    expect(ended.ended('bob', 999)).toBe(false);
  });

  it('treats a token without a sign-in time as older than the cutoff', () => {
    const ended = cutoffs();
    ended.add('alice', 1000, 5000);
    expect(ended.ended('alice', undefined)).toBe(true);
  });

  it('keeps the later of two cutoffs, and forgets a cutoff once it expires', () => {
    const ended = cutoffs();
    ended.add('alice', 1000, 5000);
    ended.add('alice', 900, 6000);
    expect(ended.ended('alice', 950)).toBe(true);
    expect(ended.ended('alice', 1000)).toBe(true);
    now = 5001;
    expect(ended.ended('alice', 950)).toBe(false);
  });
});
