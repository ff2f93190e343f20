/** A review as the formats show it: the netted changes with names, and the caveats to state. */
import { AccessChanges, Change, UnknownChange } from "./access-changes";
import { Lookup, GroupName, Names, UserName } from "./names";
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

export function buildReport(changes: AccessChanges, names: Names, stack?: string): Report {
  const item = (c: Change | UnknownChange): ReportItem => ({
    acsUserId: c.acsUserId,
    acsAccessGroupId: c.acsAccessGroupId,
    resources: c.resources,
    before: "before" in c ? c.before : [],
    after: "after" in c ? c.after : c.resources,
    user: known(c.acsUserId, names.user),
    group: known(c.acsAccessGroupId, names.group),
    mayBeMove: "mayBeMove" in c && c.mayBeMove === true,
  });
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
    removals: changes.removals.map(item),
    additions: changes.additions.map(item),
    moves: changes.moves.map(item),
    unknown: changes.unknown.map(item),
    notes,
  };
}

function known<T>(id: string | null, lookup: (id: string) => Lookup<T> | undefined): Known<T> {
  if (id === null) return { kind: "unknown" };
  const found = lookup(id);
  if (found === undefined) return { kind: "id" };
  if (found === "missing") return { kind: "missing" };
  return { kind: "named", value: found };
}

/** `2 lose access, 1 gains access, 1 moved in state` (and the unknown count when there are any). */
export function summaryLine(r: Report): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    n(r.removals.length, "loses access", "lose access"),
    n(r.additions.length, "gains access", "gain access"),
    `${r.moves.length} moved in state`,
  ];
  if (r.unknown.length > 0) parts.push(`${r.unknown.length} not known until apply`);
  return parts.join(", ");
}

/** Resource names for one line: `a` for one side, `old → new` when the resources changed. */
export function resourceNames(item: ReportItem, section: "removals" | "additions" | "moves" | "unknown"): string {
  const names = (urns: readonly string[]) => urns.map(nameOf).join(", ");
  if (section === "moves") return `${names(item.before)} → ${names(item.after)}`;
  return names(item.resources);
}
