/**
 * The review in doors: for each person a preview changes, the entrances they gain and lose as a
 * net effect of every change in the preview and every access group they stay in at Seam, and the
 * groups through which a door of a group they leave stays open ("loses Garage gate; keeps Lobby
 * door through Staff").
 *
 * Where the facts come from (all reads, through the one client and its request budget):
 *  - a person's groups now, read one of two ways with the same answer (`membershipReads`):
 *    per person, one `/acs/access_groups/list {acs_user_id}` per person with a change; or, when
 *    those people outnumber the workspace's groups, per group: the workspace's one
 *    `/acs/access_groups/list` and one `/acs/access_groups/list_users` per group of it, inverted;
 *  - a group's doors: one `/acs/access_groups/list_accessible_entrances` per group, read at most
 *    once per review: first the groups that change, then, for people whose changed groups open
 *    any door (or cannot be read), the groups they stay in, which decide whether a door stays open;
 *  - whether a group's door set is changing (`pending_mutations` has
 *    `updating_entrance_membership`): from those group lists and one `/acs/access_groups/list` of
 *    the workspace. Such a group, or one whose doors cannot be read, is named as undetermined for
 *    the people it concerns instead of guessed.
 */
import type { AccessGroup, AccessGroupFilter, AcsUser, Entrance } from "../seam/client";
import { SeamApiError } from "../seam/errors";
import { canonical } from "../provider/inputs";

/** What the review reads for doors; `SeamClient` is one. */
export interface DoorReader {
  listAccessGroups(filter?: AccessGroupFilter): Promise<AccessGroup[]>;
  listAccessibleEntrances(acsAccessGroupId: string): Promise<Entrance[] | undefined>;
  /** `/acs/access_groups/list_users`: undefined when Seam has no such group. */
  listAccessGroupMembers(acsAccessGroupId: string): Promise<AcsUser[] | undefined>;
}

/** A person's changes in the preview: canonical group ids. */
export interface PersonChange {
  readonly acsUserId: string;
  /** Groups the preview removes the person from (removals `up` sends). */
  readonly removed: readonly string[];
  /** Groups the preview adds the person to. */
  readonly added: readonly string[];
}

/** What a group opens: its entrances; or why Seam cannot say. A group Seam does not have opens nothing. */
export type GroupDoors =
  | { readonly kind: "known"; readonly entrances: readonly Entrance[] }
  | { readonly kind: "unreadable"; readonly why: string }
  | { readonly kind: "changing" };

/** The facts the net is computed from (read by `readDoors`, or made up by a test from a seed). */
export interface DoorWorld {
  /** The person's groups at Seam now (canonical ids); undefined when they could not be read. */
  groupsOf(acsUserId: string): ReadonlySet<string> | undefined;
  /** The group's doors; undefined when not read (not needed). */
  doors(acsAccessGroupId: string): GroupDoors | undefined;
  /** The group's name, when a list named it. */
  groupName(acsAccessGroupId: string): string | undefined;
}

export type UndeterminedReason = "unreadable" | "changing" | "person-unreadable";

export interface DoorLine {
  readonly entrance: Entrance;
  /** Canonical group ids: for a loss the groups left that opened it; for a gain or a kept door the groups that open it after. */
  readonly groups: readonly string[];
}

export interface PersonDoors {
  readonly acsUserId: string;
  readonly loses: readonly DoorLine[];
  readonly gains: readonly DoorLine[];
  /** Doors of a group the person leaves that stay open through other groups. */
  readonly keeps: readonly DoorLine[];
  /** Groups whose doors Seam cannot say (null group: the person's own groups could not be read). */
  readonly undetermined: readonly { readonly acsAccessGroupId: string | null; readonly reason: UndeterminedReason; readonly why?: string }[];
  /** Whether the person leaves or joins a group they are not already out of / in (else the doors stay as they were). */
  readonly changesAtSeam: boolean;
}

/** Whether the doors stay as they were: nothing lost, nothing gained, nothing Seam could not say. */
export const doorsUnchanged = (p: PersonDoors) => p.loses.length === 0 && p.gains.length === 0 && p.undetermined.length === 0;

/** The mutation that says a group's door set is changing. */
export const changingEntrances = "updating_entrance_membership";

/** People's changes from the netted pairs (removals and additions with known ids), canonical, by person. */
export function personChanges(removals: Iterable<{ acsUserId: string | null; acsAccessGroupId: string | null }>, additions: Iterable<{ acsUserId: string | null; acsAccessGroupId: string | null }>): PersonChange[] {
  const people = new Map<string, { removed: Set<string>; added: Set<string> }>();
  const add = (list: Iterable<{ acsUserId: string | null; acsAccessGroupId: string | null }>, side: "removed" | "added") => {
    for (const c of list) {
      if (c.acsUserId === null || c.acsAccessGroupId === null) continue;
      const id = canonical(c.acsUserId);
      let p = people.get(id);
      if (!p) people.set(id, (p = { removed: new Set(), added: new Set() }));
      p[side].add(canonical(c.acsAccessGroupId));
    }
  };
  add(removals, "removed");
  add(additions, "added");
  return [...people].map(([acsUserId, p]) => ({ acsUserId, removed: [...p.removed].sort(), added: [...p.added].sort() }));
}

/** The net for one person (pure): doors through every group now, against doors through every group after. */
export function netDoors(change: PersonChange, world: DoorWorld): PersonDoors {
  const now = world.groupsOf(change.acsUserId);
  const none = { acsUserId: change.acsUserId, loses: [], gains: [], keeps: [] };
  if (now === undefined) return { ...none, undetermined: [{ acsAccessGroupId: null, reason: "person-unreadable" }], changesAtSeam: true };
  const removed = new Set(change.removed.filter((g) => now.has(g)));
  const added = new Set(change.added.filter((g) => !now.has(g)));
  if (removed.size === 0 && added.size === 0) return { ...none, undetermined: [], changesAtSeam: false };
  const after = new Set([...now].filter((g) => !removed.has(g)));
  for (const g of added) after.add(g);
  const undetermined: PersonDoors["undetermined"][number][] = [];
  const doorsThrough = (groups: Iterable<string>) => {
    const open = new Map<string, { entrance: Entrance; groups: string[] }>();
    for (const g of groups) {
      const d = world.doors(g);
      if (d === undefined || d.kind !== "known") continue;
      for (const e of d.entrances) {
        const key = canonical(e.acsEntranceId);
        const entry = open.get(key) ?? { entrance: e, groups: [] };
        entry.groups.push(g);
        open.set(key, entry);
      }
    }
    return open;
  };
  for (const g of [...new Set([...now, ...added])].sort()) {
    const d = world.doors(g);
    if (d?.kind === "unreadable") undetermined.push({ acsAccessGroupId: g, reason: "unreadable", why: d.why });
    else if (d?.kind === "changing") undetermined.push({ acsAccessGroupId: g, reason: "changing" });
  }
  const before = doorsThrough(now);
  const later = doorsThrough(after);
  const byName = (a: DoorLine, b: DoorLine) => a.entrance.name.localeCompare(b.entrance.name) || a.entrance.acsEntranceId.localeCompare(b.entrance.acsEntranceId);
  const loses: DoorLine[] = [];
  const keeps: DoorLine[] = [];
  const gains: DoorLine[] = [];
  for (const [key, { entrance, groups }] of before) {
    const left = groups.filter((g) => removed.has(g));
    const stays = later.get(key);
    if (!stays) loses.push({ entrance, groups: left.sort() });
    else if (left.length > 0) keeps.push({ entrance, groups: [...stays.groups].sort() });
  }
  for (const [key, { entrance, groups }] of later) {
    if (!before.has(key)) gains.push({ entrance, groups: groups.filter((g) => added.has(g)).sort() });
  }
  return { acsUserId: change.acsUserId, loses: loses.sort(byName), gains: gains.sort(byName), keeps: keeps.sort(byName), undetermined, changesAtSeam: true };
}

export interface DoorsRead {
  readonly world: DoorWorld;
  readonly people: readonly PersonDoors[];
  /** Reads asked of the reader, by kind (each may take retries inside the client); the docs and tests count them. */
  readonly reads: { readonly personGroups: number; readonly groupMemberLists: number; readonly entranceLists: number; readonly workspaceLists: number };
  /** How the people's groups were read (see `membershipReads`). */
  readonly membershipBy: MembershipBy;
}

/** Whether people's groups are read one list per person or one member list per group of the workspace. */
export type MembershipBy = "person" | "group";

/**
 * Below this many people who change, the review reads per person without asking how many groups
 * the workspace has, unless the workspace's list is read anyway (the names read it for more than
 * one group): that question is itself a request, and for a small review per-person reads are few
 * anyway (200 reads at 50 ms and 8 in flight: about 1.3 s). Above it, or with the list at hand,
 * reading per group pays off whenever the workspace's groups whose members are not read anyway
 * are fewer than the people, since per group costs one member list for each of those.
 */
export const perGroupAbovePeople = 200;

/**
 * The rule (pure): per group when more than `perGroupAbovePeople` people change, or the
 * workspace's list is read anyway (`workspaceListRead`), and the people outnumber the workspace's
 * groups (`workspaceGroupCount`, undefined when the list could not be read, which keeps the
 * per-person reads) less those whose member lists the review reads anyway (`groupsListedAnyway`:
 * the door's truth reads each changing group's members); else per person. Each way, the count is
 * the requests it adds: per person one each, per group one for each group not yet listed.
 */
export function membershipReads(people: number, workspaceGroupCount: number | undefined, groupsListedAnyway = 0, workspaceListRead = false): MembershipBy {
  if (workspaceGroupCount === undefined) return "person";
  if (people <= perGroupAbovePeople && !workspaceListRead) return "person";
  return people > workspaceGroupCount - groupsListedAnyway ? "group" : "person";
}

/** What the rest of the review reads anyway through the same reader, so that per-group reads cost only the rest. */
export interface SharedReads {
  /** Groups whose member lists the review reads anyway (canonical or not). */
  readonly memberLists?: Iterable<string>;
  /** Whether the review reads the workspace's list anyway (the names, for more than one group). */
  readonly workspaceList?: boolean;
}

/**
 * Reads what the net needs and computes it for every person. Never throws for Seam: what could
 * not be read is undetermined for the people it concerns. `workspaceGroups`, when given, is the
 * review's one `/acs/access_groups/list` of the workspace (shared with the names); else it is read
 * here, at most once. `membershipBy` forces how people's groups are read (tests); by default
 * `membershipReads` decides. Both ways give the same groups: a person Seam lists in no group (or
 * does not have) is in none; a person whose groups cannot be read is undetermined. Per group, one
 * member list that fails leaves every person of the review undetermined, since any of them might
 * be in that group. `shared`: what the review reads anyway through the same (memoizing) reader,
 * which the rule counts as free.
 */
export async function readDoors(
  reader: DoorReader,
  changes: readonly PersonChange[],
  workspaceGroups?: () => Promise<AccessGroup[]>,
  membershipBy?: MembershipBy,
  shared: SharedReads = {},
): Promise<DoorsRead> {
  const reads = { personGroups: 0, groupMemberLists: 0, entranceLists: 0, workspaceLists: 0 };
  const groupsOf = new Map<string, ReadonlySet<string>>();
  const records = new Map<string, AccessGroup>();
  const remember = (gs: AccessGroup[]) => {
    for (const g of gs) records.set(canonical(g.acsAccessGroupId), g);
  };
  // The workspace's list, read (and counted) once however often it is needed; undefined when it failed.
  let workspace: Promise<AccessGroup[] | undefined> | undefined;
  const workspaceList = () =>
    (workspace ??= (async () => {
      reads.workspaceLists++;
      try {
        const gs = await (workspaceGroups ?? (() => reader.listAccessGroups()))();
        remember(gs);
        return gs;
      } catch {
        return undefined;
      }
    })());
  const changing = changes.filter((c) => c.removed.length > 0 || c.added.length > 0);
  let by = membershipBy ?? "person";
  if (membershipBy === undefined && (changing.length > perGroupAbovePeople || shared.workspaceList === true)) {
    const listedAnyway = new Set([...(shared.memberLists ?? [])].map(canonical));
    const workspace = await workspaceList();
    const listed = workspace === undefined ? 0 : new Set(workspace.map((g) => canonical(g.acsAccessGroupId)).filter((g) => listedAnyway.has(g))).size;
    by = membershipReads(changing.length, workspace === undefined ? undefined : new Set(workspace.map((g) => canonical(g.acsAccessGroupId))).size, listed, shared.workspaceList === true);
  }
  if (by === "group") await readPerGroup(reader, changing, await workspaceList(), groupsOf, reads);
  else {
    await Promise.all(
      changing.map(async (c) => {
        reads.personGroups++;
        try {
          const gs = await reader.listAccessGroups({ acsUserId: c.acsUserId });
          remember(gs);
          groupsOf.set(c.acsUserId, new Set(gs.map((g) => canonical(g.acsAccessGroupId))));
        } catch (e) {
          // A user Seam does not have is in no group; anything else leaves the person undetermined.
          if (e instanceof SeamApiError && e.isNotFound) groupsOf.set(c.acsUserId, new Set());
        }
      }),
    );
  }
  // Groups joined that no person list showed: their pending_mutations come from the workspace's list.
  // (If it fails, whether those groups are changing is not known from a list; their entrances are still read.)
  if (changes.some((c) => c.added.some((g) => !records.has(g)))) await workspaceList();
  const doors = new Map<string, GroupDoors>();
  const readGroups = async (ids: Iterable<string>) => {
    const todo = [...new Set(ids)].filter((g) => !doors.has(g));
    for (const g of todo) doors.set(g, { kind: "unreadable", why: "not read yet" });
    await Promise.all(
      todo.map(async (g) => {
        if (records.get(g)?.pendingMutations?.some((m) => m.mutation_code === changingEntrances)) {
          doors.set(g, { kind: "changing" });
          return;
        }
        reads.entranceLists++;
        try {
          doors.set(g, { kind: "known", entrances: (await reader.listAccessibleEntrances(g)) ?? [] });
        } catch (e) {
          doors.set(g, { kind: "unreadable", why: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
  };
  const world: DoorWorld = {
    groupsOf: (u) => groupsOf.get(canonical(u)),
    doors: (g) => doors.get(canonical(g)),
    groupName: (g) => records.get(canonical(g))?.name,
  };
  // First the groups that change at Seam for someone.
  const real = changes.flatMap((c) => {
    const now = groupsOf.get(c.acsUserId);
    if (!now) return [];
    return [{ c, now, changed: [...c.removed.filter((g) => now.has(g)), ...c.added.filter((g) => !now.has(g))] }];
  });
  await readGroups(real.flatMap((r) => r.changed));
  // Then the groups people stay in, where a changed group opens a door (or Seam cannot say which).
  const decides = (g: string) => {
    const d = doors.get(g);
    return d === undefined || d.kind !== "known" || d.entrances.length > 0;
  };
  await readGroups(real.filter((r) => r.changed.some(decides)).flatMap((r) => [...r.now].filter((g) => !r.c.removed.includes(g))));
  return { world, people: changes.map((c) => netDoors(c, world)), reads, membershipBy: by };
}

/**
 * People's groups from the member list of every group of the workspace (`groups`; undefined when
 * the workspace's list failed, which leaves everyone undetermined), into `groupsOf`. A group Seam
 * no longer has has no members; a member list that fails leaves every person undetermined.
 */
async function readPerGroup(
  reader: DoorReader,
  changing: readonly PersonChange[],
  groups: readonly AccessGroup[] | undefined,
  groupsOf: Map<string, ReadonlySet<string>>,
  reads: { groupMemberLists: number },
): Promise<void> {
  if (groups === undefined) return;
  const wanted = new Map(changing.map((c) => [c.acsUserId, new Set<string>()] as const));
  let failed = false;
  await Promise.all(
    [...new Set(groups.map((g) => canonical(g.acsAccessGroupId)))].map(async (g) => {
      reads.groupMemberLists++;
      try {
        for (const u of (await reader.listAccessGroupMembers(g)) ?? []) wanted.get(canonical(u.acsUserId))?.add(g);
      } catch {
        failed = true;
      }
    }),
  );
  if (!failed) for (const [u, gs] of wanted) groupsOf.set(u, gs);
}

/** Whether a door guard's pattern names the entrance: its id (as the provider compares ids) or its name (case and surrounding space ignored). */
export function entranceMatches(pattern: string, e: Entrance): boolean {
  const p = pattern.trim();
  return canonical(p) === canonical(e.acsEntranceId) || p.toLowerCase() === e.name.trim().toLowerCase();
}
