/**
 * The audit for programs. Shape: `{ unmanaged, missing, shared, pending }`, each a list of
 * `{ acsUserId, acsAccessGroupId, user: { fullName, email } | null, group: { name } | null }` as
 * in the review; `missing`, `shared` and `pending` items also carry `stacks` (stack names) and
 * `resources` (URNs) of the declarations (empty when none declares a pending pair), and `pending`
 * items `mutation: { code, variant, createdAt, ageSeconds }`. With `--doors`, every item also has
 * `entrances: [{ acsEntranceId, name }]` (what its group opens), or `entrances: null` with
 * `doorsUnknown: "changing" | "unreadable"`.
 */
import { AuditItem, AuditReport } from "./report";

export function formatAuditJson(r: AuditReport): string {
  const base = (i: AuditItem) => ({
    acsUserId: i.acsUserId,
    acsAccessGroupId: i.acsAccessGroupId,
    user: i.user.kind === "named" ? { fullName: i.user.value.fullName, email: i.user.value.email } : null,
    group: i.group.kind === "named" ? { name: i.group.value.name } : null,
    // With --doors only: the entrances of the group, or null when Seam cannot say (`doorsUnknown` says why).
    ...(i.doors === undefined
      ? {}
      : typeof i.doors === "string"
        ? { entrances: null, doorsUnknown: i.doors }
        : { entrances: i.doors.map((e) => ({ acsEntranceId: e.acsEntranceId, name: e.name })) }),
  });
  const declared = (i: AuditItem) => ({ ...base(i), stacks: [...i.stacks], resources: [...i.resources] });
  return `${JSON.stringify(
    {
      unmanaged: r.unmanaged.map(base),
      missing: r.missing.map(declared),
      shared: r.shared.map(declared),
      pending: r.pending.map((i) => ({
        ...declared(i),
        mutation: { code: i.change!.mutationCode, variant: i.change!.variant ?? null, createdAt: i.change!.createdAt, ageSeconds: i.change!.ageSeconds },
      })),
    },
    null,
    2,
  )}\n`;
}
