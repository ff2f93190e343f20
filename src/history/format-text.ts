/** The history as text for a terminal: per interval its pair, its stack and the two updates that bound it. */
import type { Interval } from "./intervals";
import type { Holder } from "./query";
import { coverageRule, doorsAsOfNow, type HistoryReport, type StackSummary } from "./report";
import type { Update } from "./update";

/** One update in a line: number, kind, start, message, commit, author, CI run, pull request, and a result other than succeeded. */
export function describeUpdate(u: Update): string {
  const parts = [`#${u.version} ${u.kind} ${u.time}`];
  if (u.message !== "") parts.push(JSON.stringify(u.message.split("\n")[0]));
  if (u.commit) parts.push(`commit ${u.commit.slice(0, 12)}`);
  if (u.author) parts.push(`by ${u.author}`);
  if (u.ci) parts.push(`CI ${[u.ci.system, u.ci.run].filter((x) => x).join(" ")}`.trim());
  if (u.ci?.pullRequest) parts.push(`pull request #${u.ci.pullRequest}`);
  if (u.result && u.result !== "succeeded") parts.push(u.result.toUpperCase());
  return parts.join(", ");
}

export function stackLine(s: StackSummary): string {
  const span = s.updates === 0 ? "no updates in its history" : `${s.updates} update${s.updates === 1 ? "" : "s"}, ${s.first} to ${s.last}`;
  return `${s.stack}: ${span} (read from ${s.source})`;
}

export function questionLines(report: HistoryReport): string[] {
  const q = report.question;
  const out: string[] = [];
  for (const p of q.people ?? []) out.push(`person ${p.query}${p.acsUserIds.length === 1 && p.acsUserIds[0] === p.query ? "" : ` (acs_user ${p.acsUserIds.join(", ")})`}`);
  for (const g of q.groups ?? []) out.push(`group ${g}`);
  for (const e of q.entrances ?? []) {
    out.push(`entrance ${e.query} (${e.entrances.map((x) => x.name).join(", ")}): ${e.groups.length === 0 ? "no group of these stacks opens it now" : `groups ${e.groups.join(", ")}`}`);
  }
  if (q.since) out.push(`since ${q.since}`);
  if (q.until) out.push(`until ${q.until}`);
  return out;
}

const holderLine = (h: Holder) => `${h.acsUserId} in ${h.acsAccessGroupId} (${h.stack}), granted by ${describeUpdate(h.grantedBy)}`;

function intervalLines(i: Interval): string[] {
  return [`${i.acsUserId} in ${i.acsAccessGroupId} (${i.stack})`, `  from ${describeUpdate(i.from)}`, `  ${i.to ? `to   ${describeUpdate(i.to)}` : "still held"}`];
}

export function formatHistoryText(report: HistoryReport): string {
  const out = ["Access history", ...report.stacks.map((s) => `  ${stackLine(s)}`)];
  const asked = questionLines(report);
  if (asked.length > 0) out.push(`Asked: ${asked.join("; ")}`);
  out.push(coverageRule, "");
  if (report.question.at !== undefined) {
    const holders = report.holders ?? [];
    out.push(`At ${report.question.at}: ${holders.length} held access`);
    out.push(...holders.map((h) => `  ${holderLine(h)}`));
    if (report.doors) {
      out.push("", `By door. ${doorsAsOfNow}`);
      if (report.doors.length === 0) out.push("  (no door: the holders' groups open no entrance at Seam now)");
      for (const d of report.doors) {
        out.push(`  ${d.entrance.name} (${d.entrance.acsEntranceId})`);
        for (const h of d.holders) out.push(`    ${h.acsUserId} through ${h.acsAccessGroupId} (${h.stack})`);
      }
      for (const u of report.unsureGroups ?? []) out.push(`  doors of ${u.acsAccessGroupId} unknown: ${u.reason}`);
    }
    out.push("");
  }
  out.push(`${report.intervals.length} interval${report.intervals.length === 1 ? "" : "s"}${report.question.at !== undefined ? " (all that match the question, not only at that instant)" : ""}`);
  for (const i of report.intervals) out.push(...intervalLines(i));
  if (report.question.entrances && !report.doors) out.push("", doorsAsOfNow);
  return `${out.join("\n")}\n`;
}
