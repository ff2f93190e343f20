/**
 * Pure planning for an AccessGroupRoster: what the engine should do with a change, and which
 * members end up in place after a run. No I/O; roster-provider.ts acts on these answers.
 */
import { unknownValue } from "./inputs";
import { memberIds, RosterMemberMap, RosterShape } from "./roster-inputs";

export type RosterDiff =
  /** Nothing to do. */
  | { readonly kind: "none" }
  /** Only gains (or names, or the stored provider code): an in-place update adds the new members. */
  | { readonly kind: "update"; readonly gained: readonly string[] }
  /**
   * Members leave (or the group changes, or ids are not known yet): replace, create first. The
   * new roster's create adds what is missing; the old roster's delete runs at the end of the
   * deployment, after every resource has been checked, and removes only the pairs that nothing
   * declares any more. An in-place update runs mid-deployment, before later resources are
   * checked, so removing there could revoke a pair a later resource still declares.
   */
  | { readonly kind: "replace"; readonly why: "group" | "members-leave" | "unknown" };

/** `olds` is the state (members in place), `news` the checked inputs; `codeChanged` when `__provider` differs. */
export function planRosterDiff(olds: RosterShape, news: RosterShape, codeChanged: boolean): RosterDiff {
  if (news.acsAccessGroupId === unknownValue || news.acsAccessGroupId !== olds.acsAccessGroupId) {
    return { kind: "replace", why: news.acsAccessGroupId === unknownValue ? "unknown" : "group" };
  }
  if ([...news.members.values()].includes(unknownValue)) return { kind: "replace", why: "unknown" };
  const before = memberIds(olds);
  const after = memberIds(news);
  if ([...before].some((id) => !after.has(id))) return { kind: "replace", why: "members-leave" };
  const gained = [...after].filter((id) => !before.has(id)).sort();
  if (gained.length > 0 || codeChanged || olds.list !== news.list || !sameMap(olds.members, news.members)) return { kind: "update", gained };
  return { kind: "none" };
}

/** The declared members whose ids are in place, under the names the program gives them now. */
export function membersInPlace(declared: RosterMemberMap, inPlace: ReadonlySet<string>): Map<string, string> {
  return new Map([...declared].filter(([, id]) => inPlace.has(id)));
}

/** The ids of `wanted` that are not in `present`, sorted. */
export function missingFrom(wanted: Iterable<string>, present: ReadonlySet<string>): string[] {
  return [...new Set(wanted)].filter((id) => !present.has(id)).sort();
}

function sameMap(a: RosterMemberMap, b: RosterMemberMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
