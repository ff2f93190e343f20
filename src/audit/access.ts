/**
 * The audit per door and per person, read from Seam (never a request that changes anything):
 *  - who can open an entrance: the access groups of its access system that open it (one
 *    `/acs/access_groups/list` of the workspace, one `list_accessible_entrances` per group of that
 *    system), and their members (one `list_users` per opening group);
 *  - everything one person can open: their ACS users across access systems (by email: the user
 *    identities with that email and their ACS users, and ACS users with that email; by acs_user
 *    id: that user and, through its user identity, the others), each one's groups (one
 *    `/acs/access_groups/list {acs_user_id}` each) and those groups' entrances (one list per group).
 * Each grant says the group that grants it; which of them the given stacks declare is added by
 * the caller from the states. A group whose door set is changing (`updating_entrance_membership`)
 * or whose entrances cannot be read is named, not guessed.
 */
import type { AccessGroup, AcsUser, Entrance, SeamClient } from "../seam/client";
import { canonical } from "../provider/inputs";
import { changingEntrances } from "../review/doors";
import { entranceMatches } from "../review/doors";

export type AccessReader = Pick<
  SeamClient,
  "listAccessGroups" | "listAccessibleEntrances" | "listAccessGroupMembers" | "getEntrance" | "listEntrances" | "getAcsUser" | "listUserIdentities" | "listUserIdentityAcsUsers" | "listAcsUsers"
>;

/** A group Seam cannot say about, and why. */
export interface UnsureGroup {
  readonly group: AccessGroup;
  readonly reason: "changing" | "unreadable";
}

/** One person who can open the entrance, and the groups that let them. */
export interface EntranceHolder {
  readonly user: AcsUser;
  readonly groups: readonly AccessGroup[];
}

export interface EntranceAccess {
  readonly entrance: Entrance;
  readonly holders: readonly EntranceHolder[];
  /** Groups of the entrance's access system Seam cannot say about (it may open the entrance). */
  readonly unsure: readonly UnsureGroup[];
}

/** One entrance a person can open, through which ACS user and which groups. */
export interface PersonGrant {
  readonly entrance: Entrance;
  readonly acsUser: AcsUser;
  readonly groups: readonly AccessGroup[];
}

export interface PersonAccess {
  /** What was asked for: an email or an acs_user id. */
  readonly query: string;
  /** The ACS users found for the person (one per access system where Seam links them). */
  readonly acsUsers: readonly AcsUser[];
  readonly grants: readonly PersonGrant[];
  readonly unsure: readonly (UnsureGroup & { readonly acsUserId: string })[];
}

/** Reads each group's entrances once per audit. */
export class EntranceCache {
  private readonly lists = new Map<string, Promise<Entrance[] | "changing" | "unreadable">>();
  constructor(private readonly reader: AccessReader) {}
  of(group: AccessGroup): Promise<Entrance[] | "changing" | "unreadable"> {
    const id = canonical(group.acsAccessGroupId);
    let list = this.lists.get(id);
    if (!list) {
      list = group.pendingMutations?.some((m) => m.mutation_code === changingEntrances)
        ? Promise.resolve("changing" as const)
        : this.reader.listAccessibleEntrances(group.acsAccessGroupId).then(
            (es) => es ?? [],
            () => "unreadable" as const,
          );
      this.lists.set(id, list);
    }
    return list;
  }
}

/**
 * The entrances a pattern names: an `acs_entrance_id` (one `/acs/entrances/get`) or a name
 * (the workspace's entrances, every one with that name). Throws when none matches.
 */
export async function findEntrances(reader: AccessReader, pattern: string): Promise<Entrance[]> {
  const byId = await reader.getEntrance(pattern.trim()).catch(() => undefined);
  if (byId) return [byId];
  const found = (await reader.listEntrances()).filter((e) => entranceMatches(pattern, e));
  if (found.length === 0) throw new AccessInputError(`No entrance at Seam has the name or id "${pattern}".`);
  return found;
}

export class AccessInputError extends Error {}

/** Who can open each entrance, with the groups that let them. */
export async function entranceAccess(reader: AccessReader, entrances: readonly Entrance[]): Promise<EntranceAccess[]> {
  const groups = await reader.listAccessGroups();
  const cache = new EntranceCache(reader);
  const members = new Map<string, Promise<AcsUser[] | undefined>>();
  return Promise.all(
    entrances.map(async (entrance) => {
      const candidates = groups.filter((g) => g.acsSystemId === undefined || g.acsSystemId === entrance.acsSystemId);
      const unsure: UnsureGroup[] = [];
      const opening: AccessGroup[] = [];
      await Promise.all(
        candidates.map(async (g) => {
          const list = await cache.of(g);
          if (typeof list === "string") unsure.push({ group: g, reason: list });
          else if (list.some((e) => canonical(e.acsEntranceId) === canonical(entrance.acsEntranceId))) opening.push(g);
        }),
      );
      const holders = new Map<string, { user: AcsUser; groups: AccessGroup[] }>();
      for (const g of opening.sort(byName)) {
        const id = canonical(g.acsAccessGroupId);
        if (!members.has(id)) members.set(id, reader.listAccessGroupMembers(g.acsAccessGroupId));
        for (const u of (await members.get(id)!) ?? []) {
          const key = canonical(u.acsUserId);
          const h = holders.get(key) ?? { user: u, groups: [] };
          h.groups.push(g);
          holders.set(key, h);
        }
      }
      return {
        entrance,
        holders: [...holders.values()].sort((a, b) => (a.user.fullName ?? a.user.acsUserId).localeCompare(b.user.fullName ?? b.user.acsUserId)),
        unsure: unsure.sort((a, b) => byName(a.group, b.group)),
      };
    }),
  );
}

/** Everything one person (an email or an acs_user id) can open, across access systems. Never `add_user`: only reads. */
export async function personAccess(reader: AccessReader, query: string): Promise<PersonAccess> {
  const acsUsers = await findPerson(reader, query.trim());
  if (acsUsers.length === 0) throw new AccessInputError(`No ACS user or user identity at Seam matches "${query}".`);
  const cache = new EntranceCache(reader);
  const grants: PersonGrant[] = [];
  const unsure: (UnsureGroup & { acsUserId: string })[] = [];
  await Promise.all(
    acsUsers.map(async (u) => {
      const groups = await reader.listAccessGroups({ acsUserId: u.acsUserId });
      const open = new Map<string, { entrance: Entrance; groups: AccessGroup[] }>();
      for (const g of groups.sort(byName)) {
        const list = await cache.of(g);
        if (typeof list === "string") {
          unsure.push({ group: g, reason: list, acsUserId: u.acsUserId });
          continue;
        }
        for (const e of list) {
          const key = canonical(e.acsEntranceId);
          const grant = open.get(key) ?? { entrance: e, groups: [] };
          grant.groups.push(g);
          open.set(key, grant);
        }
      }
      for (const grant of open.values()) grants.push({ ...grant, acsUser: u });
    }),
  );
  grants.sort((a, b) => a.entrance.name.localeCompare(b.entrance.name) || a.acsUser.acsUserId.localeCompare(b.acsUser.acsUserId));
  return { query, acsUsers, grants, unsure };
}

/** The person's ACS users: by email through user identities and the users' own emails; by id through its user identity. */
export async function findPerson(reader: AccessReader, query: string): Promise<AcsUser[]> {
  const found = new Map<string, AcsUser>();
  const add = (users: readonly AcsUser[] | undefined) => users?.forEach((u) => found.set(canonical(u.acsUserId), u));
  if (query.includes("@")) {
    const email = query.toLowerCase();
    const identities = (await reader.listUserIdentities(query)).filter((i) => i.email?.toLowerCase() === email);
    for (const i of identities) add(await reader.listUserIdentityAcsUsers(i.userIdentityId));
    add((await reader.listAcsUsers({ search: query })).filter((u) => u.email?.toLowerCase() === email || u.userIdentityEmail?.toLowerCase() === email));
  } else {
    const user = await reader.getAcsUser(query);
    if (user?.userIdentityId) add(await reader.listUserIdentityAcsUsers(user.userIdentityId));
    if (user) add([user]);
  }
  return [...found.values()].sort((a, b) => (a.acsSystemId ?? "").localeCompare(b.acsSystemId ?? "") || a.acsUserId.localeCompare(b.acsUserId));
}

const byName = (a: AccessGroup, b: AccessGroup) => a.name.localeCompare(b.name) || a.acsAccessGroupId.localeCompare(b.acsAccessGroupId);
