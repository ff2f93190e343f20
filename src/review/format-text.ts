/** The review for a terminal or a job log: a summary line, then one line per change. */
import { Known, Report, ReportItem, resourceNames, Section, sections, summaryLine } from "./report";
import type { GroupName, UserName } from "./names";
import { nameOf } from "./preview-file";
import { doorPhrases, doorSummary } from "./door-report";
import { stillDeclaredPhrase } from "./other-stacks";

const headings: Record<Section, string> = {
  refusals: "Refused at pulumi up (the provider refuses these deletes before calling Seam):",
  removals: "Loses access:",
  splitMoves: "Split by --target (the guard counts these):",
  additions: "Gains access:",
  moves: "Moved in state (no change in access):",
  unknown: "Not known until apply:",
  retained: "Released, access stays at Seam (not a removal):",
  adopted: "Already has access at Seam: adopted, no change at the door (the resource revokes it when it goes):",
  alreadyGone: "Already gone at Seam: no change at the door (the resource leaves the state):",
};


export function formatText(report: Report): string {
  const lines = [summaryLine(report)];
  for (const [section, items] of sections(report)) {
    if (items.length === 0) continue;
    lines.push("", headings[section]);
    for (const item of items) lines.push(`  ${line(item, section)}`);
  }
  if (report.notRun.length > 0) {
    lines.push("", "Not run (left out of --target):");
    for (const urn of report.notRun) lines.push(`  ${clean(nameOf(urn))}`);
  }
  if (report.pendingOperations && report.pendingOperations.length > 0) {
    lines.push("", "Left pending by an interrupted run:");
    for (const op of report.pendingOperations) lines.push(`  ${op.type} ${clean(nameOf(op.urn))}${op.ids ? ` — ${clean(op.ids.acsUserId)} — ${clean(op.ids.acsAccessGroupId)}` : ""}`);
  }
  // A review with no one whose memberships change has no door to speak of (JSON still says `doors`).
  if (report.doors && report.doors.people.length > 0) {
    lines.push("", `Doors (net of every change and every group kept at Seam): ${doorSummary(report.doors)}`);
    for (const p of report.doors.people) lines.push(`  ${person(p.user, p.acsUserId)}: ${clean(doorPhrases(p).join("; "))}`);
  }
  for (const note of report.notes) lines.push("", `Note: ${note}`);
  return `${lines.join("\n")}\n`;
}

function line(item: ReportItem, section: Section): string {
  const extra = item as ReportItem & { kind?: string; reason?: string; deletedWith?: string };
  const suffix =
    (item.mayBeMove ? " (may turn out to be a move)" : "") +
    (section === "splitMoves" ? ` (${extra.kind})` : "") +
    (section === "retained" ? ` (${extra.reason === "deletedWith" ? `deletedWith ${nameOf(extra.deletedWith ?? "")}` : "retainOnDelete"})` : "") +
    (stillDeclaredPhrase(item) ? ` — ${stillDeclaredPhrase(item)}` : "");
  return `${person(item.user, item.acsUserId)} — ${group(item.group, item.acsAccessGroupId)} — ${clean(resourceNames(item, section))}${clean(suffix)}`;
}

export function person(user: Known<UserName>, id: string | null): string {
  switch (user.kind) {
    case "named": {
      const { fullName, email } = user.value;
      if (fullName && email) return `${clean(fullName)} (${clean(email)})`;
      return clean(fullName ?? email ?? id ?? "");
    }
    case "missing":
      return `${clean(id!)} (no such user in Seam)`;
    case "id":
      return clean(id!);
    case "unknown":
      return "(user not known until apply)";
  }
}

export function group(g: Known<GroupName>, id: string | null): string {
  switch (g.kind) {
    case "named":
      return clean(g.value.name);
    case "missing":
      return `${clean(id!)} (no such access group in Seam)`;
    case "id":
      return clean(id!);
    case "unknown":
      return "(group not known until apply)";
  }
}

/** A name from Seam must not start a new line or move the terminal cursor. */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
}
