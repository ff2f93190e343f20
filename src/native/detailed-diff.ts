/**
 * The per-property detail of a diff (`DiffResponse.detailedDiff`), which `pulumi preview --diff`
 * prints: a roster's members one by one, a membership's replacement by the id that changed.
 * Keys are property paths into the native properties (`acsUserIds[3]` in a list, whose entries
 * are sorted ids; `acsUserIds.ada` or `acsUserIds["a b"]` in names → ids); the CLI shows the old
 * value at a path for a delete and the new one for an add.
 */
import { unknownValue } from "../provider/inputs";
import { rosterFromState, RosterShape, validateRosterInputs } from "../provider/roster-inputs";
import type { Props } from "./struct";

export type DiffKind = "add" | "addReplace" | "delete" | "deleteReplace" | "update" | "updateReplace";
export type DetailedDiff = Record<string, DiffKind>;

/** A membership: each changed id, as a replacement when `replaces` names it. */
export function membershipDetailedDiff(olds: Props, news: Props, replaces: readonly string[]): DetailedDiff {
  const detail: DetailedDiff = {};
  for (const name of ["acsUserId", "acsAccessGroupId"]) {
    if (replaces.includes(name)) detail[name] = "updateReplace";
    else if (olds[name] !== news[name]) detail[name] = "update";
  }
  return detail;
}

/**
 * A roster: `olds` the state's shared-shape outputs (members in place), `news` the checked
 * inputs (shared shape). A member leaving is a delete that replaces the roster (its delete, at
 * the end of the run, removes it); a member joining is an add; a named member whose id changes
 * is a replacing update; a member not known yet at preview is an update.
 */
export function rosterDetailedDiff(olds: Props, news: Props): DetailedDiff {
  const detail: DetailedDiff = {};
  const before = rosterFromState(olds);
  const checked = validateRosterInputs(news);
  if (!checked.ok) return detail;
  const after = checked.roster;
  if (after.acsAccessGroupId !== before.acsAccessGroupId) detail.acsAccessGroupId = "updateReplace";
  if (news.members === unknownValue) {
    detail.acsUserIds = "updateReplace";
    return detail;
  }
  if (before.list && after.list) {
    const oldIds = sortedIds(before);
    const newIds = sortedIds(after);
    oldIds.forEach((id, i) => {
      if (!after.members.has(id)) detail[`acsUserIds[${i}]`] = "deleteReplace";
    });
    newIds.forEach((id, i) => {
      if (!before.members.has(id)) detail[`acsUserIds[${i}]`] = detail[`acsUserIds[${i}]`] ? "updateReplace" : "add";
    });
    return detail;
  }
  if (!before.list && !after.list) {
    const newIds = new Set(after.members.values());
    for (const [name, id] of before.members) {
      const next = after.members.get(name);
      if (next === undefined) detail[memberPath(name)] = newIds.has(id) ? "delete" : "deleteReplace";
      else if (next === unknownValue) detail[memberPath(name)] = "update";
      else if (next !== id) detail[memberPath(name)] = newIds.has(id) ? "update" : "updateReplace";
    }
    for (const name of after.members.keys()) if (!before.members.has(name)) detail[memberPath(name)] = "add";
    return detail;
  }
  // The form changed (list ↔ names): the whole set is shown as one change.
  detail.acsUserIds = [...before.members.values()].some((id) => ![...after.members.values()].includes(id)) ? "updateReplace" : "update";
  return detail;
}

function sortedIds(roster: RosterShape): string[] {
  return [...new Set(roster.members.values())].sort();
}

function memberPath(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `acsUserIds.${name}` : `acsUserIds[${JSON.stringify(name)}]`;
}
