/**
 * Names for the ids in a review: one read per distinct group for its name, one member list
 * (`/acs/access_groups/list_users`, which gives each member's name and email) per group where
 * the review expects two or more people to be members already (removals and moves), then one read
 * per person not found in those lists. The client's own request budget and retries bound them. The client's own request budget and retries bound them; nothing here mutates.
 * Credentials resolve exactly as the provider's do, from the environment only (a review runs
 * outside any stack, so there is no stack config).
 */
import type { AccessGroup, AcsUser } from "../seam/client";
import { SeamClient } from "../seam/client";
import { resolveSettings, SeamSettings } from "../seam/settings";
import { canonical } from "../provider/inputs";

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
  /** The group's members with their names; when absent, every person is read on their own. */
  listAccessGroupAcsUsers?(acsAccessGroupId: string): Promise<AcsUser[] | undefined>;
}

export interface NameResult {
  readonly names: Names;
  /** One line for stderr when some or all names could not be read; never a token. */
  readonly warning?: string;
}

/**
 * Looks up each distinct id once (ids compared as the provider compares them). `atSeam`: pairs
 * the review expects to be in place (removals, moves); each group holding two or more of them is
 * listed once, and only people in no list are read on their own. So a review of 10,000 removals
 * over 100 groups sends 100 lists and 100 group reads, not 10,100 reads; additions (people not yet
 * in the group) are read one by one, as before.
 */
export async function lookUpNames(
  reader: NameReader,
  userIds: Iterable<string>,
  groupIds: Iterable<string>,
  atSeam: Iterable<{ readonly acsUserId: string; readonly acsAccessGroupId: string }> = [],
): Promise<NameResult> {
  const users = new Map<string, Lookup<UserName>>();
  const groups = new Map<string, Lookup<GroupName>>();
  const failures: unknown[] = [];
  const distinctUsers = [...new Set([...userIds].map(canonical))];
  const distinctGroups = [...new Set([...groupIds].map(canonical))];
  const read = async <T>(id: string, get: (id: string) => Promise<T | undefined>, into: Map<string, Lookup<T>>) => {
    try {
      const found = await get(id);
      into.set(id, found === undefined ? "missing" : found);
    } catch (e) {
      failures.push(e);
    }
  };
  const userName = (u: AcsUser): UserName => ({ fullName: u.fullName ?? null, email: u.email ?? u.userIdentityEmail ?? null });
  const fromLists = async () => {
    const lister = reader.listAccessGroupAcsUsers?.bind(reader);
    const perGroup = new Map<string, Set<string>>();
    for (const p of atSeam) perGroup.set(canonical(p.acsAccessGroupId), (perGroup.get(canonical(p.acsAccessGroupId)) ?? new Set()).add(canonical(p.acsUserId)));
    const listed = [...perGroup].filter(([, people]) => people.size >= 2).map(([group]) => group);
    if (!lister || listed.length === 0) return;
    const wanted = new Set(distinctUsers);
    await Promise.all(
      listed.map(async (group) => {
        try {
          for (const u of (await lister(group)) ?? []) if (wanted.has(canonical(u.acsUserId))) users.set(canonical(u.acsUserId), userName(u));
        } catch {
          // Not a failure of the review: everyone not found in a list is read on their own below.
        }
      }),
    );
  };
  const groupReads = distinctGroups.map((id) =>
    read(id, async (i) => {
      const g = await reader.getAccessGroup(i);
      return g && { name: g.name };
    }, groups),
  );
  await fromLists();
  await Promise.all([
    ...groupReads,
    ...distinctUsers.filter((id) => !users.has(id)).map((id) =>
      read(id, async (i) => {
        const u = await reader.getAcsUser(i);
        return u && userName(u);
      }, users),
    ),
  ]);
  const names: Names = { user: (id) => users.get(canonical(id)), group: (id) => groups.get(canonical(id)) };
  if (failures.length === 0) return { names };
  const total = distinctUsers.length + distinctGroups.length;
  const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
  return {
    names,
    warning: `warning: ${failures.length} of ${total} names could not be read from Seam, so the review shows their ids: ${first}`,
  };
}

/** Names only decorate the review: by default they stop trying after this long, not a provider operation's 300 s. */
export const namesTimeoutMs = 30_000;

/**
 * The provider's settings from the environment, but a CI job is not held for minutes by a Seam
 * that does not answer: unless SEAM_OPERATION_TIMEOUT_SECONDS says otherwise, lookups give up
 * after `namesTimeoutMs`.
 */
export function namesSettings(env: NodeJS.ProcessEnv): SeamSettings {
  const settings = resolveSettings({ get: () => undefined }, env);
  if (env.SEAM_OPERATION_TIMEOUT_SECONDS) return settings;
  return { ...settings, retry: { ...settings.retry, operationTimeoutMs: Math.min(settings.retry.operationTimeoutMs, namesTimeoutMs) } };
}

/** Reads names with the provider's settings and client from the environment, then closes the client. */
export async function namesFromSeam(
  env: NodeJS.ProcessEnv,
  userIds: string[],
  groupIds: string[],
  atSeam: Iterable<{ readonly acsUserId: string; readonly acsAccessGroupId: string }> = [],
): Promise<NameResult> {
  if (userIds.length === 0 && groupIds.length === 0) return { names: noNames };
  let client: SeamClient;
  try {
    client = new SeamClient(namesSettings(env));
  } catch (e) {
    // SeamConfigError messages name keys, never values.
    return { names: noNames, warning: `warning: no names (ids only): ${(e as Error).message} The review reads credentials from the environment; pass --no-names to skip names.` };
  }
  try {
    return await lookUpNames(client, userIds, groupIds, atSeam);
  } finally {
    // undici keeps idle sockets open, which would hold the process for its keep-alive timeout.
    await client.close();
  }
}
