/**
 * The intervals during which a stack held each pair (acs_user_id, acs_access_group_id): from the
 * update whose checkpoint first declares it to the update whose checkpoint no longer does. A
 * checkpoint's pairs are read with the audit's state readers (audit/state-pairs.ts: every
 * resource type and state shape since 0.1.0) and netted as a set per stack, so a pair that moved
 * between resources in one update (a rename, a membership taken into a roster, a roster member
 * moved to a membership) stays one interval: only a pair the whole stack stopped declaring ends one.
 */
import type { MembershipIds } from "../seam/client";
import { pairsDeclaredBy } from "../audit/state-pairs";
import { AuditInputError, type StackState } from "../audit/stack-state";
import type { Update } from "./update";

/** One update of a stack and the pairs its checkpoint declares (canonical ids, each once). */
export interface HistoryStep {
  readonly update: Update;
  readonly pairs: readonly MembershipIds[];
}

export interface Interval extends MembershipIds {
  readonly stack: string;
  /** The update whose checkpoint first declared the pair. */
  readonly from: Update;
  /** The first later update whose checkpoint no longer declared it; null while the stack still holds it. */
  readonly to: Update | null;
}

const key = (p: MembershipIds) => `${p.acsAccessGroupId}\u0000${p.acsUserId}`;

/** The distinct pairs a checkpoint declares; throws AuditInputError (naming `where`) for a resource of ours it cannot read. */
export function pairsOfCheckpoint(state: StackState, where: string): MembershipIds[] {
  const pairs = new Map<string, MembershipIds>();
  for (const r of state.resources) {
    let declared: MembershipIds[];
    try {
      declared = pairsDeclaredBy(r);
    } catch (e) {
      throw new AuditInputError(`${where}: ${(e as Error).message}`);
    }
    for (const p of declared) pairs.set(key(p), { acsUserId: p.acsUserId, acsAccessGroupId: p.acsAccessGroupId });
  }
  return [...pairs.values()];
}

/** Every interval of `stack` from its steps in order (oldest first), sorted by group, user, then start. */
export function intervalsOf(stack: string, steps: readonly HistoryStep[]): Interval[] {
  const open = new Map<string, { ids: MembershipIds; from: Update }>();
  const done: Interval[] = [];
  for (const step of steps) {
    const now = new Map(step.pairs.map((p) => [key(p), p] as const));
    for (const [k, held] of open) {
      if (!now.has(k)) {
        done.push({ ...held.ids, stack, from: held.from, to: step.update });
        open.delete(k);
      }
    }
    for (const [k, ids] of now) if (!open.has(k)) open.set(k, { ids, from: step.update });
  }
  for (const held of open.values()) done.push({ ...held.ids, stack, from: held.from, to: null });
  return done.sort(byPairThenTime);
}

export function byPairThenTime(a: Interval, b: Interval): number {
  return (
    a.acsAccessGroupId.localeCompare(b.acsAccessGroupId) ||
    a.acsUserId.localeCompare(b.acsUserId) ||
    a.stack.localeCompare(b.stack) ||
    Date.parse(a.from.time) - Date.parse(b.from.time) ||
    a.from.version - b.from.version
  );
}
