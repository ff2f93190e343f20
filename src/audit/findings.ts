/**
 * What an audit finds, from what the given stacks' states declare and what Seam holds now in
 * every group they touch (one member list per group). Pure: no I/O, the clock passed in.
 *  - unmanaged: a member at Seam of a touched group whose pair no given stack declares (granted
 *    in the console, by an integration, by a killed run, by another stack, or released with
 *    `retainOnDelete`);
 *  - missing: a pair a state declares that Seam does not have (removed out of band, or the user
 *    or the group is gone);
 *  - shared: a pair declared by more than one of the given stacks (a delete in one revokes the
 *    access the other declares);
 *  - pending: a membership change in a touched group that Seam accepted but the access system
 *    has not applied for longer than the threshold (`pending_mutations`).
 */
import type { AcsUser, MembershipIds } from "../seam/client";
import { canonical } from "../provider/inputs";
import { membershipId } from "../provider/membership-id";
import { PendingMembershipChange, pendingMembershipChanges } from "./pending";

export interface Declaration {
  /** `<project>/<stack>`. */
  readonly stack: string;
  readonly urn: string;
  /** Canonical ids. */
  readonly ids: MembershipIds;
}

export interface Finding extends MembershipIds {
  /** The given stacks that declare the pair, sorted (empty for unmanaged access). */
  readonly stacks: readonly string[];
  /** The URNs that declare it, sorted. */
  readonly resources: readonly string[];
}

export interface PendingFinding extends Finding {
  readonly change: PendingMembershipChange;
}

export interface Findings {
  readonly unmanaged: readonly Finding[];
  readonly missing: readonly Finding[];
  readonly shared: readonly Finding[];
  readonly pending: readonly PendingFinding[];
  /** The touched groups (canonical ids), sorted. */
  readonly groups: readonly string[];
}

/** Members by canonical id, or "missing" when Seam has no such group. Every touched group must have been read. */
export type GroupMembers = (acsAccessGroupId: string) => ReadonlyMap<string, AcsUser> | "missing";

export interface AuditInput {
  readonly declarations: readonly Declaration[];
  readonly members: GroupMembers;
  /** ACS users read one by one (people in no listed group): their pending_mutations count too. */
  readonly otherUsers?: ReadonlyMap<string, AcsUser>;
  readonly pendingOlderThanSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** The groups whose members an audit must read: every group a declaration names, canonical and sorted. */
export function touchedGroups(declarations: readonly Declaration[]): string[] {
  return [...new Set(declarations.map((d) => canonical(d.ids.acsAccessGroupId)))].sort();
}

export function auditFindings(input: AuditInput): Findings {
  const declared = new Map<string, { ids: MembershipIds; stacks: Set<string>; resources: Set<string> }>();
  for (const d of input.declarations) {
    const ids = { acsUserId: canonical(d.ids.acsUserId), acsAccessGroupId: canonical(d.ids.acsAccessGroupId) };
    const key = membershipId(ids);
    let entry = declared.get(key);
    if (!entry) declared.set(key, (entry = { ids, stacks: new Set(), resources: new Set() }));
    entry.stacks.add(d.stack);
    entry.resources.add(d.urn);
  }
  const finding = (ids: MembershipIds): Finding => {
    const entry = declared.get(membershipId(ids));
    return { ...ids, stacks: [...(entry?.stacks ?? [])].sort(), resources: [...(entry?.resources ?? [])].sort() };
  };
  const groups = touchedGroups(input.declarations);
  const unmanaged: Finding[] = [];
  const missing: Finding[] = [];
  const pending: PendingFinding[] = [];
  const touched = new Set(groups);
  const seenPending = new Set<string>();
  const addPending = (u: AcsUser) => {
    for (const change of pendingMembershipChanges(u.pendingMutations, input.now)) {
      if (!touched.has(change.acsAccessGroupId)) continue;
      if (change.ageSeconds === null || change.ageSeconds < input.pendingOlderThanSeconds) continue;
      const ids = { acsUserId: canonical(u.acsUserId), acsAccessGroupId: change.acsAccessGroupId };
      const key = `${membershipId(ids)}\u0000${change.mutationCode}\u0000${change.variant ?? ""}\u0000${change.createdAt}`;
      if (seenPending.has(key)) continue;
      seenPending.add(key);
      pending.push({ ...finding(ids), change });
    }
  };
  for (const group of groups) {
    const members = input.members(group);
    if (members === "missing") continue;
    for (const [acsUserId, user] of members) {
      const ids = { acsUserId, acsAccessGroupId: group };
      if (!declared.has(membershipId(ids))) unmanaged.push(finding(ids));
      addPending(user);
    }
  }
  for (const user of input.otherUsers?.values() ?? []) addPending(user);
  for (const { ids } of declared.values()) {
    const members = input.members(ids.acsAccessGroupId);
    if (members === "missing" || !members.has(ids.acsUserId)) missing.push(finding(ids));
  }
  const shared = [...declared.values()].filter((e) => e.stacks.size > 1).map((e) => finding(e.ids));
  return { unmanaged: byIds(unmanaged), missing: byIds(missing), shared: byIds(shared), pending: byIds(pending), groups };
}

function byIds<T extends MembershipIds>(items: T[]): T[] {
  return items.sort((a, b) => a.acsAccessGroupId.localeCompare(b.acsAccessGroupId) || a.acsUserId.localeCompare(b.acsUserId));
}
