/** A review as the formats show it: the netted changes with names, and the caveats to state. */
import { AccessChanges, Change, Refusal, Retained, SplitMove, UnknownChange } from "./access-changes";
import { PendingOperation, reconcileAdvice } from "./pending-operations";
import { Door, Lookup, GroupName, Names, noDoor, UserName } from "./names";
import { nameOf } from "./preview-file";
import type { DoorReport } from "./door-report";

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
  /**
   * Removals only, with `--also-stack`: the given stacks whose state still declares the pair
   * (other-stacks.ts); empty when none does. Absent without `--also-stack`.
   */
  readonly stillDeclaredBy?: readonly StillDeclared[];
}

/** A stack other than the preview's that declares a pair: `<project>/<stack>` and the URNs of its resources. */
export interface StillDeclared {
  readonly stack: string;
  readonly resources: readonly string[];
}

export interface Report {
  /** `<project>/<stack>`. */
  readonly stack?: string;
  readonly removals: readonly ReportItem[];
  readonly additions: readonly ReportItem[];
  readonly moves: readonly ReportItem[];
  readonly unknown: readonly ReportItem[];
  /** Released from state without the provider's delete: access stays at Seam (not removals). */
  readonly retained: readonly (ReportItem & { readonly reason: Retained["reason"]; readonly deletedWith?: string })[];
  /** Steps the provider refuses at `pulumi up`; when any, the change as a whole would be refused. */
  readonly refusals: readonly (ReportItem & { readonly reason: Refusal["reason"]; readonly why: string })[];
  /** Targeted runs that split a move (see access-changes.ts). */
  readonly splitMoves: readonly (ReportItem & { readonly kind: SplitMove["kind"] })[];
  /** Creates left out of the run (`--target`): they grant nothing now. */
  readonly notRun: readonly string[];
  /** Operations an interrupted run left (from --state); null when no state was given. */
  readonly pendingOperations: readonly PendingOperation[] | null;
  /** Caveats a reader must see next to the figures (in the report itself, not only in a log). */
  readonly notes: readonly string[];
  /** The stacks given with `--also-stack` (`<project>/<stack>`); absent without it. */
  readonly alsoStacks?: readonly string[];
  /** The review in doors (whenever names were read, unless `--no-doors`): per person, entrances lost, gained and kept. */
  readonly doors?: DoorReport;
}

export function buildReport(
  changes: AccessChanges,
  names: Names,
  stack?: string,
  door: Door = noDoor,
  pendingOperations: readonly PendingOperation[] | null = null,
  doors?: DoorReport,
): Report {
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
  if (changes.refusals.length > 0) {
    // The provider's own reasons (removal-policy.ts), once each.
    const whys = [...new Set(changes.refusals.map((r) => `${r.resources.map(nameOf).join(", ")}: ${r.why}`))];
    notes.unshift(`This preview would be refused at \`pulumi up\` (the provider refuses these deletes before calling Seam): ${whys.join(" ")}`);
  }
  if (changes.splitMoves.length > 0) {
    notes.push(
      "This targeted run splits a move: it removes or re-declares a pair while resources left out of --target keep, or will later grant, the same pair. " +
        "Run without --target, or target every resource of the move (--target-dependents where they depend on each other).",
    );
  }
  if (changes.notRun.length > 0) {
    notes.push(
      `${changes.notRun.length} create${changes.notRun.length === 1 ? "" : "s"} left out of --target will not run and grant nothing: ${changes.notRun.map(nameOf).join(", ")}.`,
    );
  }
  if (changes.retained.length > 0) {
    notes.push(
      "Released memberships leave the state without a remove (retainOnDelete, or deletedWith a resource deleted in the same run): the access stays at Seam and nothing tracks it any more.",
    );
  }
  if (pendingOperations && pendingOperations.length > 0) notes.push(reconcileAdvice);
  const ids = (x: Retained | Refusal | SplitMove) => ({ acsUserId: x.acsUserId, acsAccessGroupId: x.acsAccessGroupId, resources: x.resources, before: [], after: [] });
  return {
    stack,
    removals: changes.removals.map(atDoor),
    additions: changes.additions.map(atDoor),
    moves: changes.moves.map((c) => item(c)),
    unknown: changes.unknown.map((c) => item(c)),
    retained: changes.retained.map((r) => ({ ...item(ids(r) as Change), reason: r.reason, ...(r.deletedWith ? { deletedWith: r.deletedWith } : {}) })),
    refusals: changes.refusals.map((r) => ({ ...item(ids(r) as Change), reason: r.reason, why: r.why })),
    splitMoves: changes.splitMoves.map((m) => ({ ...item(ids(m) as Change), kind: m.kind })),
    notRun: changes.notRun,
    pendingOperations,
    notes,
    ...(doors ? { doors } : {}),
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
  if (r.retained.length > 0) parts.push(`${r.retained.length} released (access stays)`);
  if (r.splitMoves.length > 0) parts.push(`${r.splitMoves.length} split by --target`);
  if (r.pendingOperations && r.pendingOperations.length > 0) parts.push(`${r.pendingOperations.length} left pending by an interrupted run`);
  if (adopted(r).length > 0) parts.push(`${adopted(r).length} adopted (already has access)`);
  if (alreadyGone(r).length > 0) parts.push(`${alreadyGone(r).length} already gone`);
  const shared = r.removals.filter((i) => (i.stillDeclaredBy ?? []).length > 0).length;
  if (shared > 0) parts.push(`${shared} still declared by another stack`);
  const line = parts.join(", ");
  return r.refusals.length > 0 ? `REFUSED at pulumi up (${r.refusals.length} delete${r.refusals.length === 1 ? "" : "s"} the provider refuses); if it ran: ${line}` : line;
}

export type Section = "refusals" | "removals" | "splitMoves" | "additions" | "moves" | "unknown" | "retained" | "adopted" | "alreadyGone";

/** The sections in the order the formats show them, each with its items. */
export function sections(r: Report): [Section, readonly ReportItem[]][] {
  return [
    ["refusals", r.refusals],
    ["removals", losesAtDoor(r)],
    ["splitMoves", r.splitMoves],
    ["additions", gainsAtDoor(r)],
    ["moves", r.moves],
    ["unknown", r.unknown],
    ["retained", r.retained],
    ["adopted", adopted(r)],
    ["alreadyGone", alreadyGone(r)],
  ];
}

/** Resource names for one line: `a` for one side, `old → new` when the resources changed. */
export function resourceNames(item: ReportItem, section: string): string {
  const names = (urns: readonly string[]) => urns.map(nameOf).join(", ");
  if (section === "moves") return `${names(item.before)} → ${names(item.after)}`;
  return names(item.resources);
}
