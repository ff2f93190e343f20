/**
 * Membership changes Seam has accepted but the access system has not applied yet, from an
 * `acs_user`'s `pending_mutations` (OpenAPI `acs_user.pending_mutations`, `@seamapi/types`):
 *  - `updating_group_membership`: `from.acs_access_group_id` → `to.acs_access_group_id`
 *    (either may be null); the change concerns both groups;
 *  - `deferring_group_membership_update`: `acs_access_group_id` and `variant` (`adding` | `removing`).
 * Each has `created_at` (ISO 8601), from which the age is measured. Other codes (user details,
 * schedules, credentials) are not about membership and are passed over.
 */
import type { PendingMutation } from "../seam/client";
import { canonical } from "../provider/inputs";

export interface PendingMembershipChange {
  /** Canonical id of the group the change concerns. */
  readonly acsAccessGroupId: string;
  readonly mutationCode: string;
  /** `adding` / `removing` for a deferred update; `leaving` / `joining` for an update from / to this group. */
  readonly variant?: string;
  /** As Seam wrote it. */
  readonly createdAt: string;
  /** Whole seconds from `createdAt` to `now`; null when `created_at` is not a date. */
  readonly ageSeconds: number | null;
}

export function pendingMembershipChanges(mutations: readonly PendingMutation[], now: number): PendingMembershipChange[] {
  const out: PendingMembershipChange[] = [];
  for (const m of mutations) {
    const createdAt = typeof m.created_at === "string" ? m.created_at : "";
    const at = Date.parse(createdAt);
    const ageSeconds = Number.isNaN(at) ? null : Math.max(0, Math.floor((now - at) / 1000));
    const base = { mutationCode: m.mutation_code, createdAt, ageSeconds };
    if (m.mutation_code === "deferring_group_membership_update" && typeof m.acs_access_group_id === "string") {
      out.push({ ...base, acsAccessGroupId: canonical(m.acs_access_group_id), ...(typeof m.variant === "string" ? { variant: m.variant } : {}) });
    } else if (m.mutation_code === "updating_group_membership") {
      const from = groupOf(m.from);
      const to = groupOf(m.to);
      if (from !== undefined) out.push({ ...base, acsAccessGroupId: from, variant: "leaving" });
      if (to !== undefined && to !== from) out.push({ ...base, acsAccessGroupId: to, variant: "joining" });
    }
  }
  return out;
}

function groupOf(side: unknown): string | undefined {
  const id = typeof side === "object" && side !== null ? (side as { acs_access_group_id?: unknown }).acs_access_group_id : undefined;
  return typeof id === "string" ? canonical(id) : undefined;
}
