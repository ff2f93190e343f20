import type { PendingMutation } from "../seam/client";
import { canonical } from "./inputs";

/**
 * Which of an ACS user's `pending_mutations` concern their membership of one access group, and
 * how to say so. Seam shows an accepted change as pending until the access system has applied it:
 * `updating_group_membership` while Seam pushes it (`from`/`to` name the groups), and
 * `deferring_group_membership_update` while it is scheduled for later. Both count as pending: in
 * either case the door does not know yet.
 */
export function pendingChangesFor(mutations: readonly PendingMutation[], acsAccessGroupId: string): PendingMutation[] {
  const group = canonical(acsAccessGroupId);
  const same = (value: unknown) => typeof value === "string" && canonical(value) === group;
  return mutations.filter((m) => {
    if (m.mutation_code === "updating_group_membership") return same(groupOf(m.from)) || same(groupOf(m.to));
    if (m.mutation_code === "deferring_group_membership_update") return same(m.acs_access_group_id);
    return false;
  });
}

/** One line per change, for an error a person reads in a pipeline log. */
export function describePendingChanges(mutations: readonly PendingMutation[]): string {
  return mutations.map(describe).join("; ");
}

function describe(m: PendingMutation): string {
  const since = typeof m.created_at === "string" ? ` since ${m.created_at}` : "";
  const seamSays = typeof m.message === "string" && m.message !== "" ? ` (Seam: "${m.message}")` : "";
  if (m.mutation_code === "deferring_group_membership_update") {
    const variant = m.variant === "removing" ? "a removal from" : m.variant === "adding" ? "an addition to" : "a change of";
    return `${variant} the group is scheduled for later and not yet pushed to the access system${since}${seamSays}`;
  }
  const from = groupOf(m.from) ?? "none";
  const to = groupOf(m.to) ?? "none";
  return `Seam is still pushing a group membership change (from ${from} to ${to}) to the access system${since}${seamSays}`;
}

function groupOf(side: unknown): string | undefined {
  if (typeof side !== "object" || side === null) return undefined;
  const id = (side as { acs_access_group_id?: unknown }).acs_access_group_id;
  return typeof id === "string" ? id : undefined;
}
