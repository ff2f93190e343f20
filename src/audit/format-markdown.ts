/** The audit for `$GITHUB_STEP_SUMMARY` or an issue: every name from Seam escaped as in the review. */
import { escapeCell, group, person } from "../review/format-markdown";
import { nameOf } from "../review/preview-file";
import { AuditItem, AuditReport, auditSummary, describeChange, describeDoors, findingKinds, sectionTitles } from "./report";
import { stackOfUrn } from "./format-text";

export function formatAuditMarkdown(r: AuditReport): string {
  const out = [`## Seam access audit: ${r.stacks.map(escapeCell).join(", ")}`, "", `**${auditSummary(r)}**`];
  for (const kind of findingKinds) {
    const items = r[kind];
    if (items.length === 0) continue;
    const title = kind === "pending" ? `${sectionTitles.pending} for over ${r.pendingOlderThanSeconds} s` : sectionTitles[kind];
    out.push("", `### ${title}`, "", "| Person | Email | Access group | Declared by | Pending change |", "|---|---|---|---|---|");
    for (const item of items) out.push(row(item));
  }
  return `${out.join("\n")}\n`;
}

function row(i: AuditItem): string {
  const [who, email] = person(i.user, i.acsUserId);
  const by = i.resources.map((urn) => `${stackOfUrn(urn)}: ${nameOf(urn)}`).join(", ");
  const doors = i.doors ? ` (doors: ${escapeCell(describeDoors(i.doors))})` : "";
  return `| ${who} | ${email} | ${group(i.group, i.acsAccessGroupId)}${doors} | ${escapeCell(by)} | ${i.change ? escapeCell(describeChange(i.change)) : ""} |`;
}
