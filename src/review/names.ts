/**
 * Names for the ids in a review: one read per distinct user and per distinct group, all started
 * at once. The client's own request budget and retries bound them; nothing here mutates.
 * Credentials resolve exactly as the provider's do: from the environment, or with `--stack` from
 * that stack's config first (review/stack-config.ts).
 */
import type { AccessGroup, AcsUser } from "../seam/client";
import { SeamClient } from "../seam/client";
import { ConfigSource, resolveSettings, SeamSettings } from "../seam/settings";
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
}

export interface NameResult {
  readonly names: Names;
  /** One line for stderr when some or all names could not be read; never a token. */
  readonly warning?: string;
}

/** Looks up each distinct id once (ids compared as the provider compares them). */
export async function lookUpNames(reader: NameReader, userIds: Iterable<string>, groupIds: Iterable<string>): Promise<NameResult> {
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
  await Promise.all([
    ...distinctUsers.map((id) =>
      read(id, async (i) => {
        const u = await reader.getAcsUser(i);
        return u && { fullName: u.fullName ?? null, email: u.email ?? u.userIdentityEmail ?? null };
      }, users),
    ),
    ...distinctGroups.map((id) => read(id, async (i) => {
      const g = await reader.getAccessGroup(i);
      return g && { name: g.name };
    }, groups)),
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
export function namesSettings(env: NodeJS.ProcessEnv, config: ConfigSource = noStackConfig): SeamSettings {
  const settings = resolveSettings(config, env);
  if (env.SEAM_OPERATION_TIMEOUT_SECONDS) return settings;
  return { ...settings, retry: { ...settings.retry, operationTimeoutMs: Math.min(settings.retry.operationTimeoutMs, namesTimeoutMs) } };
}

const noStackConfig: ConfigSource = { get: () => undefined };

/** The environment variables that carry a token; the review needs one of them unless given --stack. */
const tokenVariables = ["SEAM_API_KEY", "SEAM_PERSONAL_ACCESS_TOKEN", "SEAM_CONSOLE_SESSION_TOKEN"];

/**
 * Reads names with the provider's settings and client, then closes the client. Settings come from
 * `stackConfig` (the stack's `seam:*` config, with `--stack`) and the environment, as the provider
 * resolves them; without a stack config, from the environment only.
 */
export async function namesFromSeam(env: NodeJS.ProcessEnv, userIds: string[], groupIds: string[], stackConfig?: ConfigSource): Promise<NameResult> {
  if (userIds.length === 0 && groupIds.length === 0) return { names: noNames };
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
    return await lookUpNames(client, userIds, groupIds);
  } finally {
    // undici keeps idle sockets open, which would hold the process for its keep-alive timeout.
    await client.close();
  }
}
