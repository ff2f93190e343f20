/**
 * Names for the ids in a review: one read per distinct user the member lists did not name, and
 * the groups' names from one list of the workspace's access groups (a lone group, or one the list
 * lacks, read on its own). The client's own request budget and retries bound the requests;
 * nothing here mutates.
 * Credentials resolve exactly as the provider's do: from the environment, or with `--stack` from
 * that stack's config first (review/stack-config.ts).
 */
import type { AccessGroup, AccessGroupFilter, AcsUser, MembershipIds } from "../seam/client";
import { SeamClient } from "../seam/client";
import type { SeamUnreachableError } from "../seam/errors";
import { ConfigSource, resolveSettings, SeamSettings } from "../seam/settings";
import { canonical } from "../provider/inputs";
import { DoorsRead, PersonChange, readDoors } from "./doors";

export interface UserName {
  readonly fullName: string | null;
  readonly email: string | null;
}
export interface GroupName {
  readonly name: string;
}
/** Found, gone from Seam ("missing"), or not looked up / failed (absent from the map). */
export type Lookup<T> = T | "missing";

export interface Names {
  user(acsUserId: string): Lookup<UserName> | undefined;
  group(acsAccessGroupId: string): Lookup<GroupName> | undefined;
}

export const noNames: Names = { user: () => undefined, group: () => undefined };

export interface NameReader {
  getAcsUser(acsUserId: string): Promise<AcsUser | undefined>;
  getAccessGroup(acsAccessGroupId: string): Promise<AccessGroup | undefined>;
  /** Every access group of the workspace in one request (`SeamClient` has it); optional for readers that cannot. */
  listAccessGroups?(): Promise<AccessGroup[]>;
}

/** A reader that can also list a group's members (`SeamClient` is one). */
export interface SeamReader extends NameReader {
  listAccessGroupMembers(acsAccessGroupId: string): Promise<AcsUser[] | undefined>;
}

export interface NameResult {
  readonly names: Names;
  /** Line(s) for stderr when some or all names (or member lists) could not be read; never a token. */
  readonly warning?: string;
  /** What Seam holds in the groups whose members were asked for (`memberGroupIds`); absent when nothing was read. */
  readonly door?: Door;
  /** The ACS users read with `/acs/users/get` (people not in any listed group), by canonical id. */
  readonly readUsers?: ReadonlyMap<string, AcsUser>;
  /** The review in doors, when people's changes were given (doors.ts); absent when Seam was not read. */
  readonly doors?: DoorsRead;
  /** Seam could not be reached at the endpoint (the error that names it): there is nothing to review with. */
  readonly unreachable?: SeamUnreachableError;
}

/** A person's name and email as the review shows them: the ACS user's own email, else its user identity's. */
export function userNameOf(u: AcsUser): UserName {
  return { fullName: u.fullName ?? null, email: u.email ?? u.userIdentityEmail ?? null };
}

/**
 * Who is in each listed group at Seam now, from one `/acs/access_groups/list_users` per group.
 * `members(g)`: the members by canonical id, "missing" when Seam has no such group, undefined
 * when it was not read (not asked for, or the read failed).
 */
export interface Door {
  members(acsAccessGroupId: string): ReadonlyMap<string, AcsUser> | "missing" | undefined;
  /** true: a member now; false: not (also when the group or the user is gone); null: not read. */
  isMember(ids: MembershipIds): boolean | null;
}

export const noDoor: Door = { members: () => undefined, isMember: () => null };

/** One list per distinct group (ids compared as the provider compares them); failures are collected, not thrown. */
export async function readDoor(reader: Pick<SeamReader, "listAccessGroupMembers">, groupIds: Iterable<string>): Promise<{ door: Door; failures: unknown[] }> {
  const lists = new Map<string, ReadonlyMap<string, AcsUser> | "missing">();
  const failures: unknown[] = [];
  await Promise.all(
    [...new Set([...groupIds].map(canonical))].map(async (id) => {
      try {
        const members = await reader.listAccessGroupMembers(id);
        lists.set(id, members === undefined ? "missing" : new Map(members.map((u) => [canonical(u.acsUserId), u])));
      } catch (e) {
        failures.push(e);
      }
    }),
  );
  const door: Door = {
    members: (g) => lists.get(canonical(g)),
    isMember: ({ acsUserId, acsAccessGroupId }) => {
      const members = lists.get(canonical(acsAccessGroupId));
      if (members === undefined) return null;
      return members !== "missing" && members.has(canonical(acsUserId));
    },
  };
  return { door, failures };
}

/**
 * Looks up each distinct id once (ids compared as the provider compares them). Users in `known`
 * (by canonical id, e.g. read from a group's member list) are named from it without a request.
 */
export async function lookUpNames(
  reader: NameReader,
  userIds: Iterable<string>,
  groupIds: Iterable<string>,
  known: ReadonlyMap<string, AcsUser> = new Map(),
): Promise<NameResult> {
  const users = new Map<string, Lookup<UserName>>();
  const readUsers = new Map<string, AcsUser>();
  const groups = new Map<string, Lookup<GroupName>>();
  const failures: unknown[] = [];
  // Everyone a member list named is named, asked for or not (an audit names people no state declares).
  for (const [id, u] of known) users.set(canonical(id), userNameOf(u));
  const distinctUsers = [...new Set([...userIds].map(canonical))].filter((id) => !known.has(id));
  const distinctGroups = [...new Set([...groupIds].map(canonical))];
  const read = async <T>(id: string, get: (id: string) => Promise<T | undefined>, into: Map<string, Lookup<T>>) => {
    try {
      const found = await get(id);
      into.set(id, found === undefined ? "missing" : found);
    } catch (e) {
      failures.push(e);
    }
  };
  // Users are read while the groups are listed.
  const userReads = distinctUsers.map((id) =>
    read(id, async (i) => {
      const u = await reader.getAcsUser(i);
      if (u) readUsers.set(i, u);
      return u && userNameOf(u);
    }, users),
  );
  const listed = listsTheWorkspace(distinctGroups) ? await listGroups(reader) : new Map<string, AccessGroup>();
  const unlisted: string[] = [];
  for (const id of distinctGroups) {
    const g = listed.get(id);
    if (g) groups.set(id, { name: g.name });
    else unlisted.push(id);
  }
  await Promise.all([
    ...userReads,
    ...unlisted.map((id) => read(id, async (i) => {
      const g = await reader.getAccessGroup(i);
      return g && { name: g.name };
    }, groups)),
  ]);
  const names: Names = { user: (id) => users.get(canonical(id)), group: (id) => groups.get(canonical(id)) };
  if (failures.length === 0) return { names, readUsers };
  const total = distinctUsers.length + unlisted.length;
  const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
  return {
    names,
    readUsers,
    warning: `warning: ${failures.length} of ${total} names could not be read from Seam, so the review shows their ids: ${first}`,
  };
}

/** Whether naming these groups reads the workspace's list (more than one distinct group) rather than each group on its own. */
export function listsTheWorkspace(groupIds: Iterable<string>): boolean {
  return new Set([...groupIds].map(canonical)).size > 1;
}

/**
 * The workspace's access groups by canonical id, from one `/acs/access_groups/list`; empty when
 * the reader cannot list or the list fails, so that every group is then read on its own (and
 * "missing" only ever comes from a 404 of `/acs/access_groups/get`).
 */
async function listGroups(reader: NameReader): Promise<Map<string, AccessGroup>> {
  const listed = new Map<string, AccessGroup>();
  if (!reader.listAccessGroups) return listed;
  try {
    for (const g of await reader.listAccessGroups()) listed.set(canonical(g.acsAccessGroupId), g);
  } catch {
    // The reads that follow report their own failures.
  }
  return listed;
}

/** Names only decorate the review: by default they stop trying after this long, not a provider operation's 300 s. */
export const namesTimeoutMs = 30_000;

/**
 * The provider's settings from the environment, but a CI job is not held for minutes by a Seam
 * that does not answer: unless SEAM_OPERATION_TIMEOUT_SECONDS says otherwise, lookups give up
 * after `namesTimeoutMs`.
 */
export function namesSettings(env: NodeJS.ProcessEnv, config: ConfigSource = noStackConfig): SeamSettings {
  const settings = resolveSettings(config, env);
  if (env.SEAM_OPERATION_TIMEOUT_SECONDS) return settings;
  return { ...settings, retry: { ...settings.retry, operationTimeoutMs: Math.min(settings.retry.operationTimeoutMs, namesTimeoutMs) } };
}

const noStackConfig: ConfigSource = { get: () => undefined };

/** The environment variables that carry a token; the review needs one of them unless given --stack. */
const tokenVariables = ["SEAM_API_KEY", "SEAM_PERSONAL_ACCESS_TOKEN", "SEAM_CONSOLE_SESSION_TOKEN"];

/**
 * Reads, with the provider's settings and client (one request budget), the members of
 * `memberGroupIds` (one list each) and then the names the lists did not give, and closes the
 * client. Settings come from `stackConfig` (the stack's `seam:*` config, with `--stack`) and the
 * environment, as the provider resolves them; without a stack config, from the environment only.
 * Never throws for Seam or credentials: what could not be read is absent, and `warning` says why.
 */
export async function namesFromSeam(
  env: NodeJS.ProcessEnv,
  userIds: string[],
  groupIds: string[],
  memberGroupIds: string[] = [],
  stackConfig?: ConfigSource,
  doorChanges?: readonly PersonChange[],
): Promise<NameResult> {
  // Nothing to read: no request, and (when doors were asked for) a door section with no one in it.
  if (userIds.length === 0 && groupIds.length === 0 && memberGroupIds.length === 0 && (doorChanges?.length ?? 0) === 0) {
    return doorChanges ? { names: noNames, doors: await readDoors(noDoorReads, []) } : { names: noNames };
  }
  if (!stackConfig && !tokenVariables.some((name) => env[name])) {
    return {
      names: noNames,
      warning:
        "warning: no names (ids only): the review does not read the stack config (`pulumi config set --secret seam:apiKey` is not seen here). " +
        "Set SEAM_API_KEY (or SEAM_PERSONAL_ACCESS_TOKEN or SEAM_CONSOLE_SESSION_TOKEN, with SEAM_WORKSPACE_ID) and, unless it is Seam's own API, SEAM_ENDPOINT; " +
        "or pass --stack NAME to read that stack's seam:* config; or --no-names to skip names.",
    };
  }
  let client: SeamClient;
  try {
    client = new SeamClient(namesSettings(env, stackConfig));
  } catch (e) {
    // SeamConfigError messages name keys, never values.
    const source = stackConfig ? "the stack config and the environment" : "the environment (SEAM_* variables)";
    return { names: noNames, warning: `warning: no names (ids only): ${(e as Error).message} The review read its settings from ${source}; pass --no-names to skip names.` };
  }
  try {
    // The names and the doors share one list of the workspace's groups.
    const reader = sharingWorkspaceList(client);
    const [named, doors] = await Promise.all([
      readFromSeam(reader, userIds, groupIds, memberGroupIds),
      // The doors' per-group reads count the member lists and the workspace's list read here anyway as free.
      doorChanges
        ? readDoors(reader, doorChanges, () => reader.listAccessGroups(), undefined, { memberLists: memberGroupIds, workspaceList: listsTheWorkspace(groupIds) })
        : undefined,
    ]);
    const result = doors ? { ...named, doors } : named;
    return client.unreachable ? { ...result, unreachable: client.unreachable } : result;
  } finally {
    // undici keeps idle sockets open, which would hold the process for its keep-alive timeout.
    await client.close();
  }
}

/** A reader for a review with no one in it: `readDoors` asks it nothing. */
const noDoorReads = {
  listAccessGroups: () => Promise.reject(new Error("no door read is needed")),
  listAccessibleEntrances: () => Promise.reject(new Error("no door read is needed")),
  listAccessGroupMembers: () => Promise.reject(new Error("no door read is needed")),
};

/**
 * The client, with its unfiltered `/acs/access_groups/list` read once however often it is asked
 * for, and each group's `/acs/access_groups/list_users` once per review: the door's truth and the
 * doors' per-group reads of people's groups (doors.ts) then share a group's member list.
 */
export function sharingWorkspaceList(client: SeamClient): SeamReader & Pick<SeamClient, "listAccessGroups" | "listAccessibleEntrances"> {
  let all: Promise<AccessGroup[]> | undefined;
  const members = new Map<string, Promise<AcsUser[] | undefined>>();
  return {
    getAcsUser: (id) => client.getAcsUser(id),
    getAccessGroup: (id) => client.getAccessGroup(id),
    listAccessGroupMembers: (id) => {
      const key = canonical(id);
      let read = members.get(key);
      if (!read) members.set(key, (read = client.listAccessGroupMembers(id)));
      return read;
    },
    listAccessibleEntrances: (id) => client.listAccessibleEntrances(id),
    listAccessGroups: (filter?: AccessGroupFilter) => {
      if (filter && Object.keys(filter).length > 0) return client.listAccessGroups(filter);
      return (all ??= client.listAccessGroups());
    },
  };
}

/** The member lists first (they name their members), then one lookup per id still unnamed. */
export async function readFromSeam(reader: SeamReader, userIds: Iterable<string>, groupIds: Iterable<string>, memberGroupIds: Iterable<string>): Promise<NameResult> {
  const groups = [...new Set([...memberGroupIds].map(canonical))];
  const { door, failures } = groups.length > 0 ? await readDoor(reader, groups) : { door: noDoor, failures: [] };
  const known = new Map<string, AcsUser>();
  for (const g of groups) {
    const members = door.members(g);
    if (members instanceof Map) for (const [id, u] of members) known.set(id, u);
  }
  const named = await lookUpNames(reader, userIds, groupIds, known);
  const warnings = named.warning ? [named.warning] : [];
  if (failures.length > 0) {
    const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    warnings.push(`warning: the members of ${failures.length} of ${groups.length} access groups could not be read from Seam, so whether their changes are in place already is not known: ${first}`);
  }
  return {
    names: named.names,
    door,
    ...(named.readUsers ? { readUsers: named.readUsers } : {}),
    ...(warnings.length > 0 ? { warning: warnings.join("\n") } : {}),
  };
}
