/**
 * What an AccessGroupRoster resource holds, in its inputs and in its state, and how to read it.
 *
 * Shape (inputs as `check` returns them, and outputs):
 *   `{ acsAccessGroupId: string, members: string[] | { [name: string]: string }, workspaceId?: string }`
 * - `members` as a list: plain ids, each its own name (canonical, sorted, each once). A list
 *   stores each id once per side: about 40 bytes per member in the inputs and as much in the
 *   outputs, so a 10,000-member stack stays well under 150 bytes of state per member.
 * - `members` as an object: stable names → ids (the keyed form, for ids that are outputs or
 *   lookups). At preview a value may be Pulumi's unknown sentinel.
 * In the outputs, `members` holds exactly the members in place at Seam (see roster-provider.ts);
 * the inputs hold what the program declares.
 *
 * Routing: the serialized provider is shared with AccessGroupMembership, so the provider tells
 * the two apart by shape: a roster has `members`, a membership `acsUserId` (and a roster's id
 * starts with `roster:`, for calls that carry no properties).
 */
import type { MembershipIds } from "../seam/client";
import { canonical, CheckFailure, seamIdProblem, unknownValue } from "./inputs";

type Props = Record<string, unknown>;

/** Member name → id (canonical, or the unknown sentinel at preview). A plain list names each id by itself. */
export type RosterMemberMap = ReadonlyMap<string, string>;

export interface RosterShape {
  readonly acsAccessGroupId: string;
  /** True for the plain-list form (names are the ids). */
  readonly list: boolean;
  readonly members: RosterMemberMap;
}

export const rosterIdPrefix = "roster:";

/** The roster's resource id: one per group by meaning, `roster:<acsAccessGroupId>`. */
export function rosterId(acsAccessGroupId: string): string {
  return `${rosterIdPrefix}${acsAccessGroupId}`;
}

/** Whether the engine call is for a roster: by its properties' shape, or else by its id. */
export function isRoster(props: Props | undefined, id?: string): boolean {
  if (props && typeof props === "object" && "members" in props) return true;
  return typeof id === "string" && id.startsWith(rosterIdPrefix);
}

export type ValidatedRoster =
  | { readonly ok: true; readonly roster: RosterShape; readonly known: boolean }
  | { readonly ok: false; readonly failures: CheckFailure[] };

const allowed = new Set(["acsAccessGroupId", "members", "__provider"]);

/**
 * Validates what a program passed to AccessGroupRoster (the program side refuses most mistakes
 * first, with the roster's name; this is the provider's own guard). Unknown values pass and are
 * checked again once known; `known` is false when the group or any member is still unknown.
 */
export function validateRosterInputs(news: Props): ValidatedRoster {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(news)) {
    if (!allowed.has(key)) failures.push({ property: key, reason: `${key} is not an argument of AccessGroupRoster (it takes acsAccessGroupId and members)` });
  }
  const group = news.acsAccessGroupId;
  let known = group !== unknownValue;
  if (known) {
    const problem = seamIdProblem(group);
    if (problem) failures.push({ property: "acsAccessGroupId", reason: `acsAccessGroupId ${problem}` });
  }
  const raw = news.members;
  const members = new Map<string, string>();
  let list = false;
  if (raw === unknownValue) {
    known = false;
  } else if (Array.isArray(raw)) {
    list = true;
    raw.forEach((id: unknown, i) => {
      const problem = seamIdProblem(id);
      if (problem) failures.push({ property: "members", reason: `members[${i}] ${problem}` });
      else members.set(canonical(id as string), canonical(id as string));
    });
  } else if (typeof raw === "object" && raw !== null) {
    for (const [name, id] of Object.entries(raw)) {
      if (id === unknownValue) {
        known = false;
        members.set(name, unknownValue);
        continue;
      }
      const problem = name === "" ? "has an empty name" : seamIdProblem(id);
      if (problem) failures.push({ property: "members", reason: `members.${name} ${problem}` });
      else members.set(name, canonical(id as string));
    }
  } else {
    failures.push({ property: "members", reason: "members must be a list of ids or an object of names → ids" });
  }
  if (failures.length > 0) return { ok: false, failures };
  return { ok: true, known, roster: { acsAccessGroupId: group === unknownValue ? unknownValue : canonical(group as string), list, members } };
}

/** The `members` property for a roster's inputs or outputs (see the module comment), from a member map. */
export function membersProperty(list: boolean, members: RosterMemberMap): string[] | Record<string, string> {
  if (list) return [...new Set(members.values())].sort();
  return Object.fromEntries([...members].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A roster's state (outputs written by any version of the roster resource), read as `delete`,
 * `read` and the review read it: ids canonical. Throws when the state holds no roster.
 */
export function rosterFromState(props: Props): RosterShape {
  const group = props.acsAccessGroupId;
  const raw = props.members;
  if (typeof group !== "string" || (raw === null || typeof raw !== "object")) {
    throw new Error("AccessGroupRoster state holds no acsAccessGroupId and members; it cannot be read.");
  }
  const members = new Map<string, string>();
  const list = Array.isArray(raw);
  for (const [name, id] of list ? (raw as unknown[]).map((id) => [id, id] as const) : Object.entries(raw)) {
    if (typeof id !== "string" || typeof name !== "string") throw new Error("AccessGroupRoster state has a member that is not a string id.");
    members.set(list ? canonical(name) : name, canonical(id));
  }
  return { acsAccessGroupId: canonical(group), list, members };
}

/** Every (user, group) pair a roster's state or checked inputs hold, once each; unknown ids left out. */
export function rosterPairs(roster: RosterShape): MembershipIds[] {
  if (roster.acsAccessGroupId === unknownValue) return [];
  const ids = new Set([...roster.members.values()].filter((id) => id !== unknownValue));
  return [...ids].map((acsUserId) => ({ acsUserId, acsAccessGroupId: roster.acsAccessGroupId }));
}

/** The distinct known member ids. */
export function memberIds(roster: RosterShape): Set<string> {
  return new Set([...roster.members.values()].filter((id) => id !== unknownValue));
}
