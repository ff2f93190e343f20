/**
 * The review for a pull-request comment or `$GITHUB_STEP_SUMMARY`. Every name comes from Seam
 * or the program and is escaped: it must not break a table, open HTML, render a link, or
 * mention (and notify) a GitHub user.
 */
import type { GroupName, UserName } from "./names";
import { nameOf } from "./preview-file";
import { doorPhrases, doorSummary, PersonDoorReport } from "./door-report";
import { stillDeclaredPhrase } from "./other-stacks";
import { Known, Report, ReportItem, resourceNames, Section, sections, summaryLine } from "./report";

const titles: Record<Section, string> = {
  refusals: "Refused at pulumi up (the provider refuses these deletes before calling Seam)",
  removals: "Loses access",
  splitMoves: "Split by --target (the guard counts these)",
  additions: "Gains access",
  moves: "Moved in state (no change in access)",
  unknown: "Not known until apply",
  retained: "Released, access stays at Seam (not a removal)",
  adopted: "Already has access: adopted (no change at the door; the resource revokes it when it goes)",
  alreadyGone: "Already gone at Seam (no change at the door)",
};

export function formatMarkdown(report: Report): string {
  const out = [`## Seam access review${report.stack ? `: ${escapeCell(report.stack)}` : ""}`, "", `**${summaryLine(report)}**`];
  for (const [section, items] of sections(report)) {
    if (items.length === 0) continue;
    out.push("", `### ${titles[section]}`, "", "| Person | Email | Access group | Resources |", "|---|---|---|---|");
    for (const item of items) out.push(row(item, section));
  }
  if (report.notRun.length > 0) {
    out.push("", "### Not run (left out of --target)", "");
    for (const urn of report.notRun) out.push(`- ${escapeCell(nameOf(urn))}`);
  }
  if (report.pendingOperations && report.pendingOperations.length > 0) {
    out.push("", "### Left pending by an interrupted run", "");
    for (const op of report.pendingOperations) {
      out.push(`- ${escapeCell(op.type)} ${escapeCell(nameOf(op.urn))}${op.ids ? ` — ${escapeCell(op.ids.acsUserId)} — ${escapeCell(op.ids.acsAccessGroupId)}` : ""}`);
    }
  }
  // A review with no one whose memberships change has no door to speak of (JSON still says `doors`).
  if (report.doors && report.doors.people.length > 0) {
    out.push("", "### Doors (net of every change and every group kept at Seam)", "", `**${doorSummary(report.doors)}**`, "", "| Person | Email | Doors |", "|---|---|---|");
    for (const p of report.doors.people) out.push(doorRow(p));
  }
  // Notes are this package's own words, written as Markdown.
  for (const note of report.notes) out.push("", `> **Note:** ${note}`);
  return `${out.join("\n")}\n`;
}

function doorRow(p: PersonDoorReport): string {
  const [who, email] = person(p.user, p.acsUserId);
  return `| ${who} | ${email} | ${doorPhrases(p).map(escapeCell).join("; ")} |`;
}

function row(item: ReportItem, section: Section): string {
  const [who, email] = person(item.user, item.acsUserId);
  const extra = item as ReportItem & { kind?: string; reason?: string; deletedWith?: string };
  const why = section === "splitMoves" ? ` (${extra.kind})` : section === "retained" ? ` (${extra.reason === "deletedWith" ? `deletedWith ${nameOf(extra.deletedWith ?? "")}` : "retainOnDelete"})` : "";
  const shared = stillDeclaredPhrase(item);
  const resources =
    escapeCell(resourceNames(item, section)) + (item.mayBeMove ? " (may turn out to be a move)" : "") + escapeCell(why) + (shared ? ` — **${escapeCell(shared)}**` : "");
  return `| ${who} | ${email} | ${group(item.group, item.acsAccessGroupId)} | ${resources} |`;
}

export function person(user: Known<UserName>, id: string | null): [string, string] {
  switch (user.kind) {
    case "named":
      return [escapeCell(user.value.fullName ?? "(no name)"), escapeCell(user.value.email ?? "")];
    case "missing":
      return [`${escapeCell(id!)} (no such user in Seam)`, ""];
    case "id":
      return [escapeCell(id!), ""];
    case "unknown":
      return ["*not known until apply*", ""];
  }
}

export function group(g: Known<GroupName>, id: string | null): string {
  switch (g.kind) {
    case "named":
      return escapeCell(g.value.name);
    case "missing":
      return `${escapeCell(id!)} (no such access group in Seam)`;
    case "id":
      return escapeCell(id!);
    case "unknown":
      return "*not known until apply*";
  }
}

/**
 * Text as one literal table cell. Line breaks become spaces (a cell is one line); HTML's `&<>`
 * become entities; Markdown's punctuation is backslash-escaped (no code, emphasis, links or
 * cell breaks); an `@` that could start a mention gets a zero-width space after it.
 */
export function escapeCell(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~#!()]/g, "\\$&")
    .replace(/(^|[^A-Za-z0-9])@(?=[A-Za-z0-9])/g, "$1@\u200b");
}
