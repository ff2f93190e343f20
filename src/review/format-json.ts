/**
 * The review for programs. Stable shape (documented in the README):
 * `{ removals, additions, moves, unknown }`, each a list of
 * `{ acsUserId, acsAccessGroupId, resources: [urn…], user: { fullName, email } | null, group: { name } | null }`.
 * Ids not known until apply are null; `user`/`group` are null when no name was read.
 */
import { Report, ReportItem } from "./report";

export function formatJson(report: Report): string {
  const items = (list: readonly ReportItem[]) =>
    list.map((i) => ({
      acsUserId: i.acsUserId,
      acsAccessGroupId: i.acsAccessGroupId,
      resources: [...i.resources],
      user: i.user.kind === "named" ? { fullName: i.user.value.fullName, email: i.user.value.email } : null,
      group: i.group.kind === "named" ? { name: i.group.value.name } : null,
    }));
  return `${JSON.stringify(
    { removals: items(report.removals), additions: items(report.additions), moves: items(report.moves), unknown: items(report.unknown) },
    null,
    2,
  )}\n`;
}
