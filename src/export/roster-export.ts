/**
 * A roster file (the format `loadRoster` reads, see src/roster/roster-file.ts) from the members
 * Seam lists for some access groups: how a workspace that already has memberships is brought
 * under code. Pure: the command reads Seam and passes what it read.
 *
 * A member is written by email only where `lookupAcsUser` would find exactly that ACS user again:
 * the email (their own `email_address`, else their user identity's) names one ACS user among all
 * the users of the access system the roster's lookups search (`acsSystemId`). Otherwise by id.
 * Names are YAML comments: the file is the people's list, the ids are what the program declares.
 */
import type { AcsUser } from "../seam/client";
import { canonical } from "../provider/inputs";
import { emailProblem, hasEmail } from "../roster/email";

export interface ExportedGroup {
  readonly acsAccessGroupId: string;
  readonly name: string;
  /** Where the roster's email lookups search; undefined: the whole workspace. */
  readonly acsSystemId?: string;
  readonly members: readonly AcsUser[];
  /** Every ACS user the lookups would search among (the access system's, or the workspace's). */
  readonly searchable: readonly AcsUser[];
}

export interface ExportedMember {
  readonly by: "email" | "acsUserId";
  readonly value: string;
  /** Why an id was written although the user has an email (for the comment). */
  readonly why?: string;
}

/** How to write one member: by email when it names exactly this user among `searchable`, else by id. */
export function memberEntry(member: AcsUser, searchable: readonly AcsUser[]): ExportedMember {
  const byId = (why?: string): ExportedMember => ({ by: "acsUserId", value: canonical(member.acsUserId), ...(why ? { why } : {}) });
  const email = member.email ?? member.userIdentityEmail;
  if (email === undefined) return byId();
  if (emailProblem(email) !== undefined) return byId("its email is not one a lookup can use");
  const named = searchable.filter((u) => hasEmail(u, email));
  if (named.length === 1 && canonical(named[0]!.acsUserId) === canonical(member.acsUserId)) return { by: "email", value: email.toLowerCase() };
  return byId(named.length > 1 ? `${named.length} ACS users have its email` : "its email does not find it");
}

/** A roster name from a group's name: lower-case letters, digits and dashes; unique among `taken`. */
export function rosterName(groupName: string, taken: ReadonlySet<string>): string {
  const base = groupName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "group";
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** The roster file's text: one roster per group with members; groups without members as comments (a roster lists at least one). */
export function rosterYaml(groups: readonly ExportedGroup[], header: string): string {
  const out = header.split("\n").map((l) => `# ${comment(l)}`.trimEnd());
  out.push("groups:");
  const taken = new Set<string>();
  const empty: ExportedGroup[] = [];
  for (const g of groups) {
    if (g.members.length === 0) {
      empty.push(g);
      continue;
    }
    const name = rosterName(g.name, taken);
    taken.add(name);
    out.push(`  ${name}:`, `    # ${comment(g.name)}`, `    acsAccessGroupId: ${JSON.stringify(canonical(g.acsAccessGroupId))}`);
    if (g.acsSystemId !== undefined) out.push(`    acsSystemId: ${JSON.stringify(canonical(g.acsSystemId))}`);
    out.push("    members:");
    // Each person once: loadRoster refuses a member listed twice.
    const members = [...new Map(g.members.map((m) => [canonical(m.acsUserId), m])).values()];
    const entries = members.map((m) => ({ m, e: memberEntry(m, g.searchable) })).sort((a, b) => a.e.value.localeCompare(b.e.value));
    for (const { m, e } of entries) {
      const who = [m.fullName, e.by === "acsUserId" ? (m.email ?? m.userIdentityEmail) : undefined].filter(Boolean).join(", ");
      const note = [who, e.why].filter(Boolean).join("; ");
      out.push(`      - ${e.by}: ${JSON.stringify(e.value)}${note ? ` # ${comment(note)}` : ""}`);
    }
  }
  for (const g of empty) {
    out.push(`  # ${comment(g.name)} (${canonical(g.acsAccessGroupId)}) has no members at Seam; a roster lists at least one, so it is left out.`);
  }
  return `${out.join("\n")}\n`;
}

/** A name from Seam inside a YAML comment: one line, nothing that could end the comment. */
function comment(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]+/g, " ");
}
