/**
 * The doors of the history's groups, as Seam maps groups to entrances NOW (Seam keeps no history
 * of a group's door set, so a door answer about the past assumes the group opened the same
 * entrances then; every output says so). One `/acs/access_groups/list` and one
 * `list_accessible_entrances` per group, through the audit's entrance reads (audit/access.ts).
 */
import { EntranceCache, type AccessReader } from "../audit/access";
import { canonical } from "../provider/inputs";
import type { Entrance } from "../seam/client";

/** A group's entrances now; "gone": Seam no longer has the group; "changing": its door set is being changed; "unreadable": Seam did not answer. */
export type GroupEntrances = readonly Entrance[] | "gone" | "changing" | "unreadable";

/** Each group's entrances (keyed by canonical id). */
export async function readGroupEntrances(reader: AccessReader, groups: Iterable<string>): Promise<Map<string, GroupEntrances>> {
  const records = await reader.listAccessGroups();
  const cache = new EntranceCache(reader);
  const out = new Map<string, GroupEntrances>();
  await Promise.all(
    [...new Set([...groups].map(canonical))].map(async (g) => {
      const record = records.find((r) => canonical(r.acsAccessGroupId) === g);
      out.set(g, record ? await cache.of(record) : "gone");
    }),
  );
  return out;
}

/** The groups (of `doors`) that open any of `entrances` now. */
export function groupsOpening(doors: ReadonlyMap<string, GroupEntrances>, entrances: readonly Entrance[]): Set<string> {
  const wanted = new Set(entrances.map((e) => canonical(e.acsEntranceId)));
  const out = new Set<string>();
  for (const [g, list] of doors) if (typeof list !== "string" && list.some((e) => wanted.has(canonical(e.acsEntranceId)))) out.add(g);
  return out;
}

/** One door and who could open it through the given pairs' groups. */
export interface DoorHolders<T> {
  readonly entrance: Entrance;
  readonly holders: readonly T[];
}

/** The pairs grouped by the entrances their group opens now, doors by name. */
export function byDoor<T extends { acsAccessGroupId: string }>(pairs: readonly T[], doors: ReadonlyMap<string, GroupEntrances>): DoorHolders<T>[] {
  const out = new Map<string, { entrance: Entrance; holders: T[] }>();
  for (const p of pairs) {
    const list = doors.get(canonical(p.acsAccessGroupId));
    if (!list || typeof list === "string") continue;
    for (const e of list) {
      const k = canonical(e.acsEntranceId);
      const d = out.get(k) ?? { entrance: e, holders: [] };
      d.holders.push(p);
      out.set(k, d);
    }
  }
  return [...out.values()].sort((a, b) => a.entrance.name.localeCompare(b.entrance.name) || a.entrance.acsEntranceId.localeCompare(b.entrance.acsEntranceId));
}
