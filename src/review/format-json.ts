/**
 * The review for programs. Stable shape (documented in the README):
 * `{ removals, additions, moves, unknown }`, each a list of
 * `{ acsUserId, acsAccessGroupId, resources: [urn…], user: { fullName, email } | null, group: { name } | null }`.
 * Ids not known until apply are null; `user`/`group` are null when no name was read.
 * Added since (the four lists above are unchanged):
 *  - on items of `removals` and `additions`, `atSeam`: true/false whether the pair is a member at Seam
 *    now, null when not read (an addition with true is adopted, a removal with false is already gone);
 *  - `retained`: the same items plus `reason` (`retainOnDelete` | `deletedWith`, with `deletedWith`: URN):
 *    released from state without a remove, access stays at Seam; not removals, not counted by the guard;
 *  - `refused`: true when the provider would refuse the change at `pulumi up`; `refusals`: items plus
 *    `reason` (`delete-first-replacement` | `declared-not-in-state`) and `why` (the provider's words);
 *  - `splitMoves`: items plus `kind` (`removal-while-creates-skipped` | `kept-without-access` | `two-declarers`);
 *  - `notRun`: URNs of creates left out of `--target`;
 *  - `pendingOperations`: `[{ type, urn, acsUserId, acsAccessGroupId }]` left by an interrupted run
 *    (from `--state`), or null when no state was given;
 *  - `notes`: the caveats, as in the text format;
 *  - `doors` (whenever names were read, unless `--no-doors`; `{ people: [] }` when no one changes): `{ people: [{ acsUserId, user, unchanged, loses, gains,
 *    keeps, undetermined }] }`; each door `{ acsEntranceId, name, acsSystemId }` with `via` (groups left
 *    that opened it) or `through` (groups that open it after), each `{ acsAccessGroupId, name }`;
 *    `undetermined`: `{ acsAccessGroupId, name, reason: unreadable | changing | person-unreadable }`;
 *  - with `--also-stack` only: `alsoStacks` (`<project>/<stack>` of each), and on every item of `removals`
 *    `stillDeclaredBy: [{ stack, resources: [urn…] }]`, the given stacks whose state declares the pair
 *    (empty when none): `up` removes it all the same, revoking that stack's access.
 */
import { Report, ReportItem } from "./report";
import { doorJson } from "./door-report";

export function formatJson(report: Report): string {
  const items = (list: readonly ReportItem[], door = false) =>
    list.map((i) => ({
      acsUserId: i.acsUserId,
      acsAccessGroupId: i.acsAccessGroupId,
      resources: [...i.resources],
      user: i.user.kind === "named" ? { fullName: i.user.value.fullName, email: i.user.value.email } : null,
      group: i.group.kind === "named" ? { name: i.group.value.name } : null,
      ...(door ? { atSeam: i.atSeam } : {}),
      ...(i.stillDeclaredBy ? { stillDeclaredBy: i.stillDeclaredBy.map((d) => ({ stack: d.stack, resources: [...d.resources] })) } : {}),
    }));
  return `${JSON.stringify(
    {
      removals: items(report.removals, true),
      additions: items(report.additions, true),
      moves: items(report.moves),
      unknown: items(report.unknown),
      retained: report.retained.map((r) => ({ ...items([r])[0], reason: r.reason, ...(r.deletedWith ? { deletedWith: r.deletedWith } : {}) })),
      refused: report.refusals.length > 0,
      refusals: report.refusals.map((r) => ({ ...items([r])[0], reason: r.reason, why: r.why })),
      splitMoves: report.splitMoves.map((m) => ({ ...items([m])[0], kind: m.kind })),
      notRun: [...report.notRun],
      pendingOperations:
        report.pendingOperations === null
          ? null
          : report.pendingOperations.map((op) => ({ type: op.type, urn: op.urn, acsUserId: op.ids?.acsUserId ?? null, acsAccessGroupId: op.ids?.acsAccessGroupId ?? null })),
      notes: [...report.notes],
      ...(report.doors ? { doors: doorJson(report.doors) } : {}),
      ...(report.alsoStacks ? { alsoStacks: [...report.alsoStacks] } : {}),
    },
    null,
    2,
  )}\n`;
}
