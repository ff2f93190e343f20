/**
 * The audit per door and per person in text, Markdown and JSON. Every grant names the group that
 * grants it and, when states were given, the resources that declare the pair (or that none does).
 * JSON shape:
 *  - `entrances: [{ acsEntranceId, name, acsSystemId, holders: [{ acsUserId, user, groups: [{ acsAccessGroupId, name, declaredBy: [URN…] }] }], unsure: [{ acsAccessGroupId, name, reason }] }]`;
 *  - `people: [{ query, acsUsers: [{ acsUserId, acsSystemId, user }], grants: [{ acsEntranceId, name, acsSystemId, acsUserId, groups: [...] }], unsure: [{ acsUserId, acsAccessGroupId, name, reason }] }]`.
 * `declaredBy` is null when no state was given.
 */
import type { AccessGroup, AcsUser } from "../seam/client";
import { canonical } from "../provider/inputs";
import { membershipId } from "../provider/membership-id";
import { clean } from "../review/format-text";
import { escapeCell } from "../review/format-markdown";
import { nameOf } from "../review/preview-file";
import type { EntranceAccess, PersonAccess, UnsureGroup } from "./access";
import type { Declaration } from "./findings";
import { stackOfUrn } from "./format-text";

export interface AccessAudit {
  readonly entrances: readonly EntranceAccess[];
  readonly people: readonly PersonAccess[];
  /** Declarations of the given states; null when none was given. */
  readonly declarations: readonly Declaration[] | null;
}

/** The URNs declaring a pair, or null without states. */
function declaredBy(a: AccessAudit, acsUserId: string, g: AccessGroup): string[] | null {
  if (a.declarations === null) return null;
  const key = membershipId({ acsUserId: canonical(acsUserId), acsAccessGroupId: canonical(g.acsAccessGroupId) });
  return a.declarations.filter((d) => membershipId({ acsUserId: canonical(d.ids.acsUserId), acsAccessGroupId: canonical(d.ids.acsAccessGroupId) }) === key).map((d) => d.urn).sort();
}

const who = (u: AcsUser) => (u.fullName && (u.email ?? u.userIdentityEmail) ? `${u.fullName} (${u.email ?? u.userIdentityEmail})` : (u.fullName ?? u.email ?? u.acsUserId));
const unsureWhy = (u: UnsureGroup) => (u.reason === "changing" ? "its door set is changing: updating_entrance_membership" : "its entrances could not be read");

function grantText(a: AccessAudit, acsUserId: string, groups: readonly AccessGroup[]): string {
  return groups
    .map((g) => {
      const by = declaredBy(a, acsUserId, g);
      const decl = by === null ? "" : by.length === 0 ? ", declared by no given stack" : `, declared by ${by.map((urn) => `${stackOfUrn(urn)}: ${nameOf(urn)}`).join(", ")}`;
      return `${g.name}${decl}`;
    })
    .join("; ");
}

export function formatAccessText(a: AccessAudit): string {
  const lines: string[] = [];
  for (const e of a.entrances) {
    if (lines.length > 0) lines.push("");
    lines.push(`Who can open ${clean(e.entrance.name)} (${clean(e.entrance.acsEntranceId)}): ${e.holders.length} ${e.holders.length === 1 ? "person" : "people"}`);
    for (const h of e.holders) lines.push(`  ${clean(who(h.user))} — through ${clean(grantText(a, h.user.acsUserId, h.groups))}`);
    for (const u of e.unsure) lines.push(`  Seam cannot say whether ${clean(u.group.name)} opens it (${unsureWhy(u)})`);
  }
  for (const p of a.people) {
    if (lines.length > 0) lines.push("");
    lines.push(`What ${clean(p.query)} can open: ${p.grants.length} entrance${p.grants.length === 1 ? "" : "s"} through ${p.acsUsers.length} ACS user${p.acsUsers.length === 1 ? "" : "s"}`);
    for (const g of p.grants) lines.push(`  ${clean(g.entrance.name)} — as ${clean(g.acsUser.acsUserId)} — through ${clean(grantText(a, g.acsUser.acsUserId, g.groups))}`);
    for (const u of p.unsure) lines.push(`  Seam cannot say which doors ${clean(u.group.name)} opens (${unsureWhy(u)})`);
  }
  return `${lines.join("\n")}\n`;
}

export function formatAccessMarkdown(a: AccessAudit): string {
  const out: string[] = ["## Seam access audit: who can open what"];
  for (const e of a.entrances) {
    out.push("", `### Who can open ${escapeCell(e.entrance.name)}`, "", "| Person | Access group (declared by) |", "|---|---|");
    for (const h of e.holders) out.push(`| ${escapeCell(who(h.user))} | ${escapeCell(grantText(a, h.user.acsUserId, h.groups))} |`);
    for (const u of e.unsure) out.push("", `> Seam cannot say whether ${escapeCell(u.group.name)} opens it (${unsureWhy(u)}).`);
  }
  for (const p of a.people) {
    out.push("", `### What ${escapeCell(p.query)} can open`, "", "| Entrance | ACS user | Access group (declared by) |", "|---|---|---|");
    for (const g of p.grants) out.push(`| ${escapeCell(g.entrance.name)} | ${escapeCell(g.acsUser.acsUserId)} | ${escapeCell(grantText(a, g.acsUser.acsUserId, g.groups))} |`);
    for (const u of p.unsure) out.push("", `> Seam cannot say which doors ${escapeCell(u.group.name)} opens (${unsureWhy(u)}).`);
  }
  return `${out.join("\n")}\n`;
}

export function formatAccessJson(a: AccessAudit): string {
  const user = (u: AcsUser) => ({ fullName: u.fullName ?? null, email: u.email ?? u.userIdentityEmail ?? null });
  const groups = (acsUserId: string, gs: readonly AccessGroup[]) => gs.map((g) => ({ acsAccessGroupId: g.acsAccessGroupId, name: g.name, declaredBy: declaredBy(a, acsUserId, g) }));
  const unsure = (u: UnsureGroup) => ({ acsAccessGroupId: u.group.acsAccessGroupId, name: u.group.name, reason: u.reason });
  return `${JSON.stringify(
    {
      entrances: a.entrances.map((e) => ({
        acsEntranceId: e.entrance.acsEntranceId,
        name: e.entrance.name,
        acsSystemId: e.entrance.acsSystemId,
        holders: e.holders.map((h) => ({ acsUserId: h.user.acsUserId, user: user(h.user), groups: groups(h.user.acsUserId, h.groups) })),
        unsure: e.unsure.map(unsure),
      })),
      people: a.people.map((p) => ({
        query: p.query,
        acsUsers: p.acsUsers.map((u) => ({ acsUserId: u.acsUserId, acsSystemId: u.acsSystemId ?? null, user: user(u) })),
        grants: p.grants.map((g) => ({
          acsEntranceId: g.entrance.acsEntranceId,
          name: g.entrance.name,
          acsSystemId: g.entrance.acsSystemId,
          acsUserId: g.acsUser.acsUserId,
          groups: groups(g.acsUser.acsUserId, g.groups),
        })),
        unsure: p.unsure.map((u) => ({ acsUserId: u.acsUserId, ...unsure(u) })),
      })),
    },
    null,
    2,
  )}\n`;
}
