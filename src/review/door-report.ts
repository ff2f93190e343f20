/**
 * The review's door section as the formats show it: per person, the doors lost, gained and kept
 * (with the groups through which they stay open), or that they stay as they were, or which
 * groups Seam cannot say about. Built from `readDoors` (doors.ts) and the review's names.
 */
import type { Entrance } from "../seam/client";
import { DoorsRead, doorsUnchanged, PersonDoors, UndeterminedReason } from "./doors";
import type { Names, UserName } from "./names";
import { Known, known } from "./report";

export interface GroupRef {
  readonly acsAccessGroupId: string;
  /** The group's name when a list or a lookup named it. */
  readonly name: string | null;
}

export interface DoorItem {
  readonly entrance: Entrance;
  readonly groups: readonly GroupRef[];
}

export interface PersonDoorReport {
  readonly acsUserId: string;
  readonly user: Known<UserName>;
  readonly loses: readonly DoorItem[];
  readonly gains: readonly DoorItem[];
  readonly keeps: readonly DoorItem[];
  readonly undetermined: readonly { readonly group: GroupRef | null; readonly reason: UndeterminedReason }[];
  /** Nothing lost, nothing gained, nothing Seam could not say. */
  readonly unchanged: boolean;
}

export interface DoorReport {
  readonly people: readonly PersonDoorReport[];
  /** Requests the door section sent (person group lists, entrance lists, workspace lists). */
  readonly reads: DoorsRead["reads"];
}

export function buildDoorReport(read: DoorsRead, names: Names): DoorReport {
  const ref = (g: string): GroupRef => {
    const named = names.group(g);
    return { acsAccessGroupId: g, name: read.world.groupName(g) ?? (named && named !== "missing" ? named.name : null) };
  };
  const items = (lines: PersonDoors["loses"]) => lines.map((l) => ({ entrance: l.entrance, groups: l.groups.map(ref) }));
  return {
    reads: read.reads,
    people: read.people.map((p) => ({
      acsUserId: p.acsUserId,
      user: known(p.acsUserId, names.user),
      loses: items(p.loses),
      gains: items(p.gains),
      keeps: items(p.keeps),
      undetermined: p.undetermined.map((u) => ({ group: u.acsAccessGroupId === null ? null : ref(u.acsAccessGroupId), reason: u.reason })),
      unchanged: doorsUnchanged(p),
    })),
  };
}

const groupLabel = (g: GroupRef) => g.name ?? g.acsAccessGroupId;
const list = (items: readonly DoorItem[]) => items.map((i) => i.entrance.name).join(", ");

/**
 * The person's doors in phrases: `loses Garage gate (Garage)`, `gains Lab door (Lab)`,
 * `keeps Lobby door through Staff`, `doors as they were`, `Seam cannot say which doors Vault opens (…)`.
 * Names are Seam's, unescaped: each format cleans or escapes them.
 */
export function doorPhrases(p: PersonDoorReport): string[] {
  const phrases: string[] = [];
  const via = (i: DoorItem) => (i.groups.length > 0 ? ` (${i.groups.map(groupLabel).join(", ")})` : "");
  if (p.loses.length > 0) phrases.push(`loses ${p.loses.map((i) => `${i.entrance.name}${via(i)}`).join(", ")}`);
  if (p.gains.length > 0) phrases.push(`gains ${p.gains.map((i) => `${i.entrance.name}${via(i)}`).join(", ")}`);
  for (const k of p.keeps) phrases.push(`keeps ${k.entrance.name} through ${k.groups.map(groupLabel).join(", ")}`);
  for (const u of p.undetermined) phrases.push(undeterminedPhrase(u));
  if (p.unchanged) phrases.unshift("doors as they were");
  return phrases;
}

export function undeterminedPhrase(u: PersonDoorReport["undetermined"][number]): string {
  if (u.group === null) return "Seam cannot say: this person's access groups could not be read";
  const why = u.reason === "changing" ? "its door set is changing: updating_entrance_membership" : "its entrances could not be read";
  return `Seam cannot say which doors ${groupLabel(u.group)} opens (${why})`;
}

/** `3 people lose an entrance, 1 gains one, 2 keep their doors` for the door section's heading. */
export function doorSummary(d: DoorReport): string {
  const losing = d.people.filter((p) => p.loses.length > 0).length;
  const gaining = d.people.filter((p) => p.gains.length > 0).length;
  const same = d.people.filter((p) => p.unchanged).length;
  const unsure = d.people.filter((p) => p.undetermined.length > 0).length;
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [n(losing, "person loses an entrance", "people lose an entrance"), `${gaining} gain${gaining === 1 ? "s" : ""} one`, n(same, "keeps the same doors", "keep the same doors")];
  if (unsure > 0) parts.push(`Seam cannot say for ${n(unsure, "person", "people")}`);
  return parts.join(", ");
}

/** The door section in JSON: ids and names of entrances and groups. */
export function doorJson(d: DoorReport) {
  const entrance = (i: DoorItem) => ({ acsEntranceId: i.entrance.acsEntranceId, name: i.entrance.name, acsSystemId: i.entrance.acsSystemId });
  const groups = (i: DoorItem) => i.groups.map((g) => ({ acsAccessGroupId: g.acsAccessGroupId, name: g.name }));
  return {
    people: d.people.map((p) => ({
      acsUserId: p.acsUserId,
      user: p.user.kind === "named" ? { fullName: p.user.value.fullName, email: p.user.value.email } : null,
      unchanged: p.unchanged,
      loses: p.loses.map((i) => ({ ...entrance(i), via: groups(i) })),
      gains: p.gains.map((i) => ({ ...entrance(i), through: groups(i) })),
      keeps: p.keeps.map((i) => ({ ...entrance(i), through: groups(i) })),
      undetermined: p.undetermined.map((u) => ({ acsAccessGroupId: u.group?.acsAccessGroupId ?? null, name: u.group?.name ?? null, reason: u.reason })),
    })),
  };
}
