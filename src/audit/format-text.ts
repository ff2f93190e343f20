/** The audit for a terminal or a job log: a summary line, then one line per finding. */
import { clean, group, person } from "../review/format-text";
import { nameOf } from "../review/preview-file";
import { AuditItem, AuditReport, auditSummary, describeChange, describeDoors, findingKinds, sectionTitles } from "./report";

export function formatAuditText(r: AuditReport): string {
  const lines = [auditSummary(r), `Audited: ${r.stacks.map(clean).join(", ")}`];
  for (const kind of findingKinds) {
    const items = r[kind];
    if (items.length === 0) continue;
    const title = kind === "pending" ? `${sectionTitles.pending} for over ${r.pendingOlderThanSeconds} s` : sectionTitles[kind];
    lines.push("", `${title}:`);
    for (const item of items) lines.push(`  ${line(item)}`);
  }
  return `${lines.join("\n")}\n`;
}

function line(i: AuditItem): string {
  const parts = [person(i.user, i.acsUserId), group(i.group, i.acsAccessGroupId)];
  if (i.resources.length > 0) parts.push(clean(i.resources.map((urn) => `${stackOfUrn(urn)}: ${nameOf(urn)}`).join(", ")));
  if (i.change) parts.push(clean(describeChange(i.change)));
  if (i.doors) parts.push(`doors: ${clean(describeDoors(i.doors))}`);
  return parts.join(" — ");
}

/** `urn:pulumi:<stack>::<project>::…` → `<project>/<stack>`. */
export function stackOfUrn(urn: string): string {
  const [head, project] = urn.split("::");
  return head?.startsWith("urn:pulumi:") && project ? `${project}/${head.slice("urn:pulumi:".length)}` : urn;
}
