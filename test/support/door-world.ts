/**
 * Seeded worlds of doors for the review's door tests: entrances in overlapping access groups (the
 * same entrance in two and three groups, people in several groups), random changes to them, and
 * a plain oracle of what each person loses, gains and keeps, computed from the seed alone.
 */
import type { SeamFake } from "./seam-fake";

export { random } from "./random";

/** A world by index: `doors[g]` the entrances group g opens, `members[g]` its people at Seam now. */
export interface World {
  readonly people: number;
  readonly doors: number[][];
  readonly members: number[][];
}

/** A change of the preview: person p leaves (remove) or joins (add) group g. */
export interface WorldChange {
  readonly kind: "remove" | "add";
  readonly person: number;
  readonly group: number;
}

/**
 * `groups` groups over `entrances` entrances: entrance 0 is in two groups and entrance 1 in three
 * (when there are that many), the rest where the dice say; each person in 0–3 groups.
 */
export function makeWorld(next: () => number, people: number, groups: number, entrances: number): World {
  const pick = (n: number) => Math.floor(next() * n);
  const doors = Array.from({ length: groups }, () => [...new Set(Array.from({ length: pick(4) }, () => pick(entrances)))].sort((a, b) => a - b));
  const into = (e: number, count: number) => {
    for (let g = 0; g < Math.min(count, groups); g++) if (!doors[g]!.includes(e)) doors[g]!.push(e);
  };
  into(0, 2);
  into(1, 3);
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let p = 0; p < people; p++) for (const g of new Set(Array.from({ length: pick(4) }, () => pick(groups)))) members[g]!.push(p);
  return { people, doors, members };
}

/** Changes a preview could hold: removes of pairs at Seam (and a few already gone), adds of new (and a few held) pairs; each pair once. */
export function randomChanges(next: () => number, world: World, count: number): WorldChange[] {
  const pick = (n: number) => Math.floor(next() * n);
  const seen = new Set<string>();
  const changes: WorldChange[] = [];
  for (let tries = 0; changes.length < count && tries < count * 20; tries++) {
    const person = pick(world.people);
    const group = pick(world.doors.length);
    const key = `${person}/${group}`;
    if (seen.has(key)) continue;
    const member = world.members[group]!.includes(person);
    // Mostly real changes; now and then an already-gone remove or an adopted add.
    const kind = next() < 0.1 ? (member ? "add" : "remove") : member ? "remove" : "add";
    seen.add(key);
    changes.push({ kind, person, group });
  }
  return changes;
}

export interface OracleDoors {
  loses: number[];
  gains: number[];
  /** entrance → groups after that open it, for doors of a group left that stay open. */
  keeps: Map<number, number[]>;
}

/** By sets and nothing else: doors now against doors after every change, per person changed. */
export function oracle(world: World, changes: readonly WorldChange[]): Map<number, OracleDoors> {
  const out = new Map<number, OracleDoors>();
  for (const person of new Set(changes.map((c) => c.person))) {
    const now = new Set(world.members.flatMap((m, g) => (m.includes(person) ? [g] : [])));
    const after = new Set(now);
    for (const c of changes) if (c.person === person) (c.kind === "remove" ? after.delete(c.group) : after.add(c.group));
    const open = (gs: Set<number>) => new Set([...gs].flatMap((g) => world.doors[g]!));
    const before = open(now);
    const later = open(after);
    const left = [...now].filter((g) => !after.has(g));
    const keeps = new Map<number, number[]>();
    for (const e of new Set(left.flatMap((g) => world.doors[g]!))) {
      if (later.has(e)) keeps.set(e, [...after].filter((g) => world.doors[g]!.includes(e)).sort((a, b) => a - b));
    }
    out.set(person, {
      loses: [...before].filter((e) => !later.has(e)).sort((a, b) => a - b),
      gains: [...later].filter((e) => !before.has(e)).sort((a, b) => a - b),
      keeps,
    });
  }
  return out;
}

/** The world in the local Seam: ids by index. */
export interface SeededWorld {
  readonly users: string[];
  readonly groups: string[];
  readonly entrances: string[];
}

export function seedWorld(fake: SeamFake, world: World, label: string): SeededWorld {
  const entranceCount = Math.max(0, ...world.doors.flat()) + 1;
  const entrances = Array.from({ length: entranceCount }, (_, e) => fake.addEntrance(`${label} door ${e}`));
  const users = Array.from({ length: world.people }, (_, p) => fake.addUser(`${label} person ${p}`));
  const groups = world.doors.map((_, g) => fake.addGroup(`${label} group ${g}`));
  world.doors.forEach((ds, g) => fake.setGroupEntrances(groups[g]!, ds.map((e) => entrances[e]!)));
  world.members.forEach((ms, g) => ms.forEach((p) => fake.grantOutOfBand(users[p]!, groups[g]!)));
  return { users, groups, entrances };
}
