/**
 * The members of each access group, read once for many memberships: `pulumi refresh` reads every
 * membership, and one `/acs/access_groups/list_users` per group answers all of a group's reads
 * (G requests for N memberships over G groups, instead of N).
 *
 * - Reads of one group that arrive while its list is on the way share that one request.
 * - An answer is reused only for `maxAgeMs` after it arrived: a refresh is a snapshot, not a
 *   subscription. A list still on the way is shared however long it takes (a slow or
 *   rate-limited Seam must not be asked again and again for the same group).
 * - `forget(group)` drops the group's answer, and any list still on the way is not kept: called
 *   around this process's own adds and removes, so a read after them sees them.
 * - A failed load is not kept either: the next read asks again.
 * Ids are compared as the provider compares them (`canonical`), so a UUID in capitals matches.
 */
export type LoadMembers = (acsAccessGroupId: string) => Promise<readonly string[] | undefined>;

export const defaultMaxAgeMs = 15_000;

interface Entry {
  /** When the answer arrived; undefined while it is on the way. */
  answeredAt?: number;
  readonly members: Promise<ReadonlySet<string> | undefined>;
}

export class GroupMembersCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly load: LoadMembers,
    private readonly canonical: (id: string) => string,
    private readonly maxAgeMs: number = defaultMaxAgeMs,
    private readonly now: () => number = Date.now,
  ) {}

  /** The group's member ids (canonical), or undefined when the group no longer exists. */
  members(acsAccessGroupId: string): Promise<ReadonlySet<string> | undefined> {
    const key = this.canonical(acsAccessGroupId);
    const cached = this.entries.get(key);
    if (cached && (cached.answeredAt === undefined || this.now() - cached.answeredAt < this.maxAgeMs)) return cached.members;

    const members = this.load(acsAccessGroupId).then((ids) => (ids === undefined ? undefined : new Set(ids.map(this.canonical))));
    const entry: Entry = { members };
    this.entries.set(key, entry);
    members.then(
      () => (entry.answeredAt = this.now()),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return members;
  }

  /** Whether the user is in the group; false also when the group is gone. */
  async isMember(acsAccessGroupId: string, acsUserId: string): Promise<boolean> {
    return (await this.members(acsAccessGroupId))?.has(this.canonical(acsUserId)) ?? false;
  }

  forget(acsAccessGroupId: string): void {
    this.entries.delete(this.canonical(acsAccessGroupId));
  }
}
