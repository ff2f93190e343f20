/** A review as the formats show it: the netted changes with names, and the caveats to state. */
import { AccessChanges, Change, UnknownChange } from "./access-changes";
import { Door, Lookup, GroupName, Names, noDoor, UserName } from "./names";
import { nameOf } from "./preview-file";

/** Who or what an id stands for, as far as the review could tell. */
export type Known<T> =
  | { readonly kind: "named"; readonly value: T }
  /** Seam says no such user or group exists (any more). */
  | { readonly kind: "missing" }
  /** Not looked up (--no-names) or the lookup failed: show the id. */
  | { readonly kind: "id" }
  /** Comes from another resource's output: not known until apply. */
  | { readonly kind: "unknown" };

export interface ReportItem {
  readonly acsUserId: string | null;
  readonly acsAccessGroupId: string | null;
  readonly resources: readonly string[];
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly user: Known<UserName>;
  readonly group: Known<GroupName>;
  readonly mayBeMove: boolean;
  /**
   * Whether the pair is a member at Seam now (one list of the group's members): for an
   * addition, true means "adopted" (no change at the door); for a removal, false means "already
   * gone". null when not read (--no-names, no credentials, Seam failing) and for moves and unknowns.
   */
  readonly atSeam: boolean | null;
}

export interface Report {
  /** `<project>/<stack>`. */
  readonly stack?: string;
  readonly removals: readonly ReportItem[];
  readonly additions: readonly ReportItem[];
  readonly moves: readonly ReportItem[];
  readonly unknown: readonly ReportItem[];
  /** Caveats a reader must see next to the figures (in the report itself, not only in a log). */
  readonly notes: readonly string[];
}

export function buildReport(changes: AccessChanges, names: Names, stack?: string, door: Door = noDoor): Report {
  const item = (c: Change | UnknownChange, atSeam: boolean | null = null): ReportItem => ({
    acsUserId: c.acsUserId,
    acsAccessGroupId: c.acsAccessGroupId,
    resources: c.resources,
    before: "before" in c ? c.before : [],
    after: "after" in c ? c.after : c.resources,
    user: known(c.acsUserId, names.user),
    group: known(c.acsAccessGroupId, names.group),
    mayBeMove: "mayBeMove" in c && c.mayBeMove === true,
    atSeam,
  });
  const atDoor = (c: Change) => item(c, door.isMember(c));
  const notes: string[] = [];
  if (changes.hiddenUnchanged > 0 && (changes.removals.length > 0 || changes.additions.length > 0)) {
    notes.push(
      `The preview leaves out ${changes.hiddenUnchanged} unchanged resource${changes.hiddenUnchanged === 1 ? "" : "s"} (it was run without --show-sames). ` +
        "One of them may still declare a pair shown here as lost or gained, which would make it a move; " +
        "removals are counted as removals. Preview with `pulumi preview --json --show-sames` for an exact review.",
    );
  }
  if (changes.unknown.length > 0 && changes.removals.some((r) => r.mayBeMove)) {
    notes.push(
      "A removal may turn out to be a move: a resource whose ids are not known until apply could declare the same pair, " +
        "and the provider would then keep it. It is counted as a removal.",
    );
  }
  return {
    stack,
    removals: changes.removals.map(atDoor),
    additions: changes.additions.map(atDoor),
    moves: changes.moves.map((c) => item(c)),
    unknown: changes.unknown.map((c) => item(c)),
    notes,
  };
}

export function known<T>(id: string | null, lookup: (id: string) => Lookup<T> | undefined): Known<T> {
  if (id === null) return { kind: "unknown" };
  const found = lookup(id);
  if (found === undefined) return { kind: "id" };
  if (found === "missing") return { kind: "missing" };
  return { kind: "named", value: found };
}

/** Additions whose person has the access already: the resource adopts it, nothing changes at the door. */
export const adopted = (r: Report) => r.additions.filter((i) => i.atSeam === true);
/** Removals whose access is gone at Seam already: `up` still sends the remove, which changes nothing at the door. */
export const alreadyGone = (r: Report) => r.removals.filter((i) => i.atSeam === false);
/** The changes at the door: removals not already gone, additions not already there. */
export const losesAtDoor = (r: Report) => r.removals.filter((i) => i.atSeam !== false);
export const gainsAtDoor = (r: Report) => r.additions.filter((i) => i.atSeam !== true);

/**
 * `2 lose access, 1 gains access, 1 moved in state` (and the unknown count when there are any),
 * counting what changes at the door; then `, 1 adopted (already has access), 1 already gone`
 * when Seam said so.
 */
export function summaryLine(r: Report): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    n(losesAtDoor(r).length, "loses access", "lose access"),
    n(gainsAtDoor(r).length, "gains access", "gain access"),
    `${r.moves.length} moved in state`,
  ];
  if (r.unknown.length > 0) parts.push(`${r.unknown.length} not known until apply`);
  if (adopted(r).length > 0) parts.push(`${adopted(r).length} adopted (already has access)`);
  if (alreadyGone(r).length > 0) parts.push(`${alreadyGone(r).length} already gone`);
  return parts.join(", ");
}

/** Resource names for one line: `a` for one side, `old → new` when the resources changed. */
export type Section = "removals" | "additions" | "moves" | "unknown" | "adopted" | "alreadyGone";

/** The sections in the order the formats show them, each with its items. */
export function sections(r: Report): [Section, readonly ReportItem[]][] {
  return [
    ["removals", losesAtDoor(r)],
    ["additions", gainsAtDoor(r)],
    ["moves", r.moves],
    ["unknown", r.unknown],
    ["adopted", adopted(r)],
    ["alreadyGone", alreadyGone(r)],
  ];
}

export function resourceNames(item: ReportItem, section: Section): string {
  const names = (urns: readonly string[]) => urns.map(nameOf).join(", ");
  if (section === "moves") return `${names(item.before)} → ${names(item.after)}`;
  return names(item.resources);
}
