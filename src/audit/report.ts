/** An audit as the formats show it: the findings with names, and what was audited. */
import type { GroupName, Names, UserName } from "../review/names";
import type { Entrance } from "../seam/client";
import { Known, known } from "../review/report";
import type { PendingMembershipChange } from "./pending";
import type { Finding, Findings, PendingFinding } from "./findings";

export const findingKinds = ["unmanaged", "missing", "shared", "pending"] as const;
export type FindingKind = (typeof findingKinds)[number];

export interface AuditItem {
  readonly acsUserId: string;
  readonly acsAccessGroupId: string;
  readonly user: Known<UserName>;
  readonly group: Known<GroupName>;
  readonly stacks: readonly string[];
  readonly resources: readonly string[];
  readonly change?: PendingMembershipChange;
  /** With `--doors`: the entrances the group opens, or why Seam cannot say. */
  readonly doors?: GroupDoorList;
}

export type GroupDoorList = readonly Entrance[] | "changing" | "unreadable";

/** `Lobby door, Garage gate`, or why Seam cannot say. */
export function describeDoors(d: GroupDoorList): string {
  if (d === "changing") return "Seam cannot say (its door set is changing: updating_entrance_membership)";
  if (d === "unreadable") return "Seam cannot say (its entrances could not be read)";
  return d.length === 0 ? "no entrances" : d.map((e) => e.name).join(", ");
}

export interface AuditReport {
  /** The audited stacks (`<project>/<stack>`), in the order given. */
  readonly stacks: readonly string[];
  /** How many access groups were read. */
  readonly groups: number;
  readonly pendingOlderThanSeconds: number;
  readonly unmanaged: readonly AuditItem[];
  readonly missing: readonly AuditItem[];
  readonly shared: readonly AuditItem[];
  readonly pending: readonly AuditItem[];
}

export function buildAuditReport(
  findings: Findings,
  names: Names,
  stacks: readonly string[],
  pendingOlderThanSeconds: number,
  doors?: (acsAccessGroupId: string) => GroupDoorList,
): AuditReport {
  const item = (f: Finding | PendingFinding): AuditItem => ({
    acsUserId: f.acsUserId,
    acsAccessGroupId: f.acsAccessGroupId,
    user: known(f.acsUserId, names.user),
    group: known(f.acsAccessGroupId, names.group),
    stacks: f.stacks,
    resources: f.resources,
    ...("change" in f ? { change: f.change } : {}),
    ...(doors ? { doors: doors(f.acsAccessGroupId) } : {}),
  });
  return {
    stacks,
    groups: findings.groups.length,
    pendingOlderThanSeconds,
    unmanaged: findings.unmanaged.map(item),
    missing: findings.missing.map(item),
    shared: findings.shared.map(item),
    pending: findings.pending.map(item),
  };
}

/** `2 unmanaged, 1 missing, 0 shared, 0 pending (over 3600 s) in 3 access groups of 2 stacks`. */
export function auditSummary(r: AuditReport): string {
  const groups = `${r.groups} access group${r.groups === 1 ? "" : "s"}`;
  const stacks = `${r.stacks.length} stack${r.stacks.length === 1 ? "" : "s"}`;
  return (
    `${r.unmanaged.length} unmanaged, ${r.missing.length} missing, ${r.shared.length} shared, ` +
    `${r.pending.length} pending (over ${r.pendingOlderThanSeconds} s) in ${groups} of ${stacks}`
  );
}

/** `deferring_group_membership_update (adding) since 2026-11-30T09:00:00.000Z (5 h 2 min)`. */
export function describeChange(c: PendingMembershipChange): string {
  const age = c.ageSeconds === null ? "" : ` (${duration(c.ageSeconds)})`;
  return `${c.mutationCode}${c.variant ? ` (${c.variant})` : ""} since ${c.createdAt}${age}`;
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min` : `${seconds} s`;
}

export const sectionTitles: Readonly<Record<FindingKind, string>> = {
  unmanaged: "Unmanaged access (at Seam, declared by no audited stack)",
  missing: "Missing (the state tracks it, Seam does not have it)",
  shared: "Shared (declared by more than one stack: each one's delete revokes the other's)",
  pending: "Pending at the access system",
};
