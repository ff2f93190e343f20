/** The history as Markdown for an audit ticket: the stacks, the question, holders at an instant and by door, and a table of intervals. */
import type { Interval } from "./intervals";
import { coverageRule, doorsAsOfNow, type HistoryReport } from "./report";
import { describeUpdate, questionLines, stackLine } from "./format-text";

/** A table cell: pipes, backslashes and line breaks cannot break the row. */
const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function formatHistoryMarkdown(report: HistoryReport): string {
  const out = ["## Access history", "", ...report.stacks.map((s) => `- ${cell(stackLine(s))}`)];
  const asked = questionLines(report);
  if (asked.length > 0) out.push("", `Asked: ${cell(asked.join("; "))}`);
  out.push("", coverageRule, "");
  if (report.question.at !== undefined) {
    const holders = report.holders ?? [];
    out.push(`### Held at ${report.question.at} (${holders.length})`, "");
    if (holders.length > 0) {
      out.push("| acs_user | access group | stack | granted by |", "|---|---|---|---|");
      for (const h of holders) out.push(`| ${code(h.acsUserId)} | ${code(h.acsAccessGroupId)} | ${cell(h.stack)} | ${cell(describeUpdate(h.grantedBy))} |`);
      out.push("");
    }
    if (report.doors) {
      out.push("#### By door", "", doorsAsOfNow, "");
      for (const d of report.doors) {
        out.push(`- **${cell(d.entrance.name)}** (${code(d.entrance.acsEntranceId)}): ${d.holders.map((h) => `${code(h.acsUserId)} through ${code(h.acsAccessGroupId)}`).join(", ")}`);
      }
      for (const u of report.unsureGroups ?? []) out.push(`- doors of ${code(u.acsAccessGroupId)} unknown: ${u.reason}`);
      out.push("");
    }
  }
  out.push(`### Intervals (${report.intervals.length})`, "");
  if (report.intervals.length > 0) {
    out.push("| acs_user | access group | stack | from | to |", "|---|---|---|---|---|");
    const row = (i: Interval) => `| ${code(i.acsUserId)} | ${code(i.acsAccessGroupId)} | ${cell(i.stack)} | ${cell(describeUpdate(i.from))} | ${i.to ? cell(describeUpdate(i.to)) : "still held"} |`;
    out.push(...report.intervals.map(row));
  }
  if (report.question.entrances && !report.doors) out.push("", doorsAsOfNow);
  return `${out.join("\n")}\n`;
}
