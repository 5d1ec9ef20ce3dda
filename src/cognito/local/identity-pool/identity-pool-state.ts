import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The stand-in's state, in the embedded data folder. */
export const IDENTITY_POOL_FILE = 'identity-pool.json';

/** At most this many unauthenticated identities are kept: the oldest are dropped first. */
export const MAX_GUEST_IDENTITIES = 10_000;

/** What the file holds. */
interface StateFile {
  version: 1;
  region: string;
  identityPoolId: string;
  /** The identity of each user, by the user pool's `sub`. */
  users: Record<string, string>;
  /** Unauthenticated identities, oldest first. */
  guests: string[];
}

/** An identity the pool knows: a user's (by `sub`) or a guest's. */
export type KnownIdentity = { kind: 'user'; sub: string } | { kind: 'guest' };

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}

function parse(text: string): StateFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Partial<StateFile>;
  if (
    state.version !== 1 ||
    typeof state.region !== 'string' ||
    typeof state.identityPoolId !== 'string' ||
    !isStringRecord(state.users) ||
    !Array.isArray(state.guests) ||
    !state.guests.every((id) => typeof id === 'string')
  ) {
    return undefined;
  }
  return state as StateFile;
}

/** A new identity or pool id as Amazon Cognito makes them: `<region>:<uuid v4>`. */
export function newRegionalId(region: string): string {
  return `${region}:${randomUUID()}`;
}

/**
 * The identities of the embedded identity pool, kept in `<dataDir>/identity-pool.json` (0600,
 * replaced whole through a renamed temporary file, so a crash leaves the old or the new state,
 * never half of one): the pool id, one stable identity per user `sub`, and a bounded list of
 * guest identities. A file that cannot be read refuses the start rather than silently giving
 * every user a new identity.
 */
export class IdentityPoolState {
  private readonly file: string;
  private readonly region: string;
  private readonly poolId: string;
  /** The identity of each user, by `sub` (a Map: a `sub` is never an object key). */
  private readonly users = new Map<string, string>();
  private readonly guests: string[] = [];
  /** Every identity id, to the identity it is. */
  private readonly byId = new Map<string, KnownIdentity>();

  constructor(
    dataDir: string,
    region: string,
    private readonly maxGuests = MAX_GUEST_IDENTITIES,
  ) {
    this.file = join(dataDir, IDENTITY_POOL_FILE);
    this.region = region;
    const loaded = this.load();
    // First start, or another region: a new pool (identity ids carry their region).
    const fresh = !loaded || loaded.region !== region;
    this.poolId = !fresh ? loaded.identityPoolId : newRegionalId(region);
    if (!fresh) {
      for (const [sub, id] of Object.entries(loaded.users)) {
        this.users.set(sub, id);
        this.byId.set(id, { kind: 'user', sub });
      }
      for (const id of loaded.guests.slice(-maxGuests)) {
        this.guests.push(id);
        this.byId.set(id, { kind: 'guest' });
      }
    } else {
      this.save();
    }
  }

  get identityPoolId(): string {
    return this.poolId;
  }

  /** The identity of user `sub`, made and saved the first time. */
  userIdentity(sub: string): string {
    const known = this.users.get(sub);
    if (known) return known;
    const id = newRegionalId(this.region);
    this.users.set(sub, id);
    this.byId.set(id, { kind: 'user', sub });
    this.save();
    return id;
  }

  /** A new unauthenticated identity; past the bound (MAX_GUEST_IDENTITIES), the oldest is dropped. */
  newGuestIdentity(): string {
    const id = newRegionalId(this.region);
    this.guests.push(id);
    this.byId.set(id, { kind: 'guest' });
    while (this.guests.length > this.maxGuests) {
      const dropped = this.guests.shift();
      if (dropped) this.byId.delete(dropped);
    }
    this.save();
    return id;
  }

  identity(id: string): KnownIdentity | undefined {
    return this.byId.get(id);
  }

  private load(): StateFile | undefined {
    if (!existsSync(this.file)) return undefined;
    const state = parse(readFileSync(this.file, 'utf8'));
    if (!state) {
      throw new Error(
        `${this.file} is not a state file of the local identity pool: delete it to start a new pool (every identity id changes).`,
      );
    }
    return state;
  }

  private save(): void {
    const temporary = `${this.file}.${randomUUID()}.tmp`;
    const state: StateFile = {
      version: 1,
      region: this.region,
      identityPoolId: this.poolId,
      users: Object.fromEntries(this.users),
      guests: this.guests,
    };
    writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
