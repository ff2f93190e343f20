/**
 * The history as CSV (RFC 4180) for a spreadsheet: one row per interval with both updates'
 * metadata; with --at, one row per holder with the granting update's. The header names the columns.
 */
import type { HistoryReport } from "./report";
import type { Update } from "./update";

const field = (v: string | number | null) => {
  const s = v === null ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const updateColumns = ["version", "time", "end_time", "kind", "result", "message", "commit", "author", "ci_system", "ci_run", "pull_request"];
const updateFields = (u: Update | null) =>
  u === null ? updateColumns.map(() => null) : [u.version, u.time, u.endTime, u.kind, u.result, u.message, u.commit, u.author, u.ci?.system ?? null, u.ci?.run ?? null, u.ci?.pullRequest ?? null];
const line = (values: (string | number | null)[]) => values.map(field).join(",");

export function formatHistoryCsv(report: HistoryReport): string {
  if (report.question.at !== undefined) {
    const rows = [line(["at", "stack", "acs_user_id", "acs_access_group_id", ...updateColumns.map((c) => `granted_${c}`)])];
    for (const h of report.holders ?? []) rows.push(line([report.question.at, h.stack, h.acsUserId, h.acsAccessGroupId, ...updateFields(h.grantedBy)]));
    return `${rows.join("\r\n")}\r\n`;
  }
  const rows = [line(["stack", "acs_user_id", "acs_access_group_id", ...updateColumns.map((c) => `from_${c}`), ...updateColumns.map((c) => `to_${c}`)])];
  for (const i of report.intervals) rows.push(line([i.stack, i.acsUserId, i.acsAccessGroupId, ...updateFields(i.from), ...updateFields(i.to)]));
  return `${rows.join("\r\n")}\r\n`;
}
