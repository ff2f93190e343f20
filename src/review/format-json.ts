/**
 * The review for programs. Stable shape (documented in the README):
 * `{ removals, additions, moves, unknown }`, each a list of
 * `{ acsUserId, acsAccessGroupId, resources: [urn…], user: { fullName, email } | null, group: { name } | null }`;
 * items of `removals` and `additions` also carry `atSeam`: true/false whether the pair is a
 * member at Seam now, null when not read (an addition with true is adopted, a removal with false
 * is already gone). Ids not known until apply are null; `user`/`group` are null when no name was read.
 */
import { Report, ReportItem } from "./report";

export function formatJson(report: Report): string {
  const items = (list: readonly ReportItem[], door = false) =>
    list.map((i) => ({
      acsUserId: i.acsUserId,
      acsAccessGroupId: i.acsAccessGroupId,
      resources: [...i.resources],
      user: i.user.kind === "named" ? { fullName: i.user.value.fullName, email: i.user.value.email } : null,
      group: i.group.kind === "named" ? { name: i.group.value.name } : null,
      ...(door ? { atSeam: i.atSeam } : {}),
    }));
  return `${JSON.stringify(
    { removals: items(report.removals, true), additions: items(report.additions, true), moves: items(report.moves), unknown: items(report.unknown) },
    null,
    2,
  )}\n`;
}
