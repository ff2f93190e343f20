/**
 * The review in doors through the real CLI: previews the engine made of a seeded world with
 * overlapping groups (some access granted out of band, so people stay in groups no stack
 * declares), reviewed by the packed package's bin (doors are in every review that reads names);
 * each person's doors against the
 * oracle computed from the seed, over a few seeded random changes (the many rounds run without
 * the engine in test/review-doors.test.ts). Then the door guards' exit codes, a group whose door
 * set is changing, a Seam that does not answer the door routes, the text and Markdown lines, and
 * the requests.
 */
import { Membership, PulumiProject, RunResult } from "./support/pulumi";
import { reviewProgram, runReview } from "./support/review";
import { makeWorld, oracle, random, randomChanges, seedWorld, SeededWorld, World, WorldChange } from "./support/door-world";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
let p: PulumiProject;
let world: World;
let s: SeededWorld;
const declared = new Set<string>();
const key = (person: number, group: number) => `${person}/${group}`;
const membership = (person: number, group: number): Membership => ({ name: `p${person}-g${group}`, acsUserId: s.users[person]!, acsAccessGroupId: s.groups[group]! });
const env = () => ({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url });

beforeAll(async () => {
  fake = await startSeamFake();
  world = makeWorld(random(20_20), 6, 4, 5);
  s = seedWorld(fake, { ...world, members: world.members.map(() => []) }, "cli");
  // Most of the world is declared by the stack; the rest is granted out of band after up.
  const pairs = world.members.flatMap((ms, g) => ms.map((person) => [person, g] as const));
  pairs.forEach(([person, g], i) => (i % 4 === 3 ? undefined : declared.add(key(person, g))));
  p = new PulumiProject("doors", { program: reviewProgram, env: env() });
  await p.init();
  await p.setMemberships(pairs.filter(([person, g]) => declared.has(key(person, g))).map(([person, g]) => membership(person, g)));
  await p.up();
  for (const [person, g] of pairs) if (!declared.has(key(person, g))) fake.grantOutOfBand(s.users[person]!, s.groups[g]!);
}, 300_000);

afterAll(async () => {
  await fake.stop();
});

/** Changes the program can make: drop declared pairs, declare new ones. */
function programChanges(seed: number): WorldChange[] {
  return randomChanges(random(seed), world, 8).filter((c) => (c.kind === "remove") === declared.has(key(c.person, c.group)));
}

async function previewOf(changes: readonly WorldChange[]): Promise<RunResult> {
  const program = new Set(declared);
  for (const c of changes) (c.kind === "remove" ? program.delete(key(c.person, c.group)) : program.add(key(c.person, c.group)));
  await p.setMemberships([...program].map((k) => k.split("/").map(Number) as [number, number]).map(([person, g]) => membership(person, g)));
  const preview = await p.previewJson(["--show-sames"]);
  expect(preview.code).toBe(0);
  return preview;
}

type JsonDoor = { acsEntranceId: string; through?: { acsAccessGroupId: string }[] };

test.each([31, 32, 33])("seed %i: `preview --json` reviewed (doors by default) equals the oracle, person by person", async (seed) => {
  const changes = programChanges(seed);
  const preview = await previewOf(changes);
  const before = fake.requests.length;
  const r = await runReview(["review", "--format", "json"], { stdin: preview.stdout, env: env() });
  expect(r.code).toBe(0);
  const doors = JSON.parse(r.stdout).doors as { people: { acsUserId: string; unchanged: boolean; loses: JsonDoor[]; gains: JsonDoor[]; keeps: JsonDoor[]; undetermined: unknown[] }[] };
  const expected = oracle(world, changes);
  expect(doors.people.map((x) => s.users.indexOf(x.acsUserId)).sort()).toEqual([...expected.keys()].sort());
  const e = (x: JsonDoor) => s.entrances.indexOf(x.acsEntranceId);
  for (const person of doors.people) {
    const want = expected.get(s.users.indexOf(person.acsUserId))!;
    expect(person.undetermined).toEqual([]);
    expect(person.loses.map(e).sort()).toEqual(want.loses);
    expect(person.gains.map(e).sort()).toEqual(want.gains);
    expect(new Map(person.keeps.map((k) => [e(k), k.through!.map((g) => s.groups.indexOf(g.acsAccessGroupId)).sort()]))).toEqual(want.keeps);
    expect(person.unchanged).toBe(want.loses.length === 0 && want.gains.length === 0);
  }
  // Reads only, and each group's entrances once at most.
  const sent = fake.requests.slice(before);
  expect(sent.every((x) => !/add|remove|create|update|delete/.test(x.path))).toBe(true);
  const lists = sent.filter((x) => x.path === "/acs/access_groups/list_accessible_entrances").map((x) => (x.body as { acs_access_group_id: string }).acs_access_group_id);
  expect(new Set(lists).size).toBe(lists.length);
});

test("the door guards: exit 3 when a protected entrance is lost or too many people lose one, 0 within the limits; text and Markdown say it in doors", async () => {
  // The first person who loses a door when leaving every group the stack declares for them.
  const leaving = (person: number) => world.doors.flatMap((_, g) => (declared.has(key(person, g)) ? [{ kind: "remove" as const, person, group: g }] : []));
  const who = [...Array(world.people).keys()].find((person) => (oracle(world, leaving(person)).get(person)?.loses.length ?? 0) > 0)!;
  expect(who).toBeDefined();
  const changes = leaving(who);
  const want = oracle(world, changes).get(who)!;
  const preview = await previewOf(changes);
  const lost = `cli door ${want.loses[0]}`;
  const run = (args: string[]) => runReview(["review", ...args], { stdin: preview.stdout, env: env() });
  const protectedRun = await run(["--protect-entrance", lost]);
  expect(protectedRun.code).toBe(3);
  expect(protectedRun.stderr).toContain(`cli person ${who} would lose ${lost}, protected by --protect-entrance ${lost}.`);
  expect(protectedRun.stdout).toMatch(new RegExp(`\n  cli person ${who} \\([^)]*\\): loses ${lost} \\(`));
  expect((await run(["--protect-entrance", s.entrances[want.loses[0]!]!])).code).toBe(3);
  expect((await run(["--protect-entrance", "No such door"])).code).toBe(0);
  expect((await run(["--max-people-losing-entrances", "1"])).code).toBe(0);
  const tight = await run(["--max-people-losing-entrances", "0", "--format", "markdown"]);
  expect(tight.code).toBe(3);
  expect(tight.stderr).toContain("1 person would lose an entrance");
  expect(tight.stdout).toContain("### Doors (net of every change and every group kept at Seam)");
  expect(tight.stdout).toMatch(new RegExp(`\\| cli person ${who} \\| [^|]* \\| loses `));
  const usage = await run(["--doors", "--no-names"]);
  expect(usage.code).toBe(2);
  expect((await run(["--protect-entrance", lost, "--no-names"])).code).toBe(2);
  // --no-names alone means no doors: ids only, no `doors` key, and not one request.
  const before = fake.requests.length;
  const idsOnly = await run(["--no-names", "--format", "json"]);
  expect(idsOnly.code).toBe(0);
  expect(JSON.parse(idsOnly.stdout).doors).toBeUndefined();
  expect(fake.requests.length).toBe(before);
  // Without credentials the doors cannot be read: the door guard trips rather than pass.
  const blind = await runReview(["review", "--protect-entrance", lost], { stdin: preview.stdout, env: {} });
  expect(blind.code).toBe(3);
  expect(blind.stderr).toContain("the door guards need Seam's entrance lists, which could not be read");
  // A group whose door set is changing: Seam cannot say, and the guards do not pass on a hope.
  const g = changes[0]!.group;
  fake.setGroupPendingMutations(s.groups[g]!, [{ mutation_code: "updating_entrance_membership", created_at: new Date().toISOString(), message: "changing", from: { acs_entrance_id: null }, to: { acs_entrance_id: null } }]);
  try {
    const changing = await run(["--max-people-losing-entrances", "5"]);
    expect(changing.stdout).toContain(`Seam cannot say which doors cli group ${g} opens (its door set is changing: updating_entrance_membership)`);
    expect(changing.code).toBe(0);
    expect((await run(["--protect-entrance", "No such door"])).code).toBe(3);
  } finally {
    fake.setGroupPendingMutations(s.groups[g]!, []);
  }
});

test("a Seam that does not answer the door routes (404): the review succeeds and says per group that Seam cannot say; a door guard trips", async () => {
  const changes = programChanges(31).filter((c) => c.kind === "remove");
  expect(changes.length).toBeGreaterThan(0);
  const preview = await previewOf(changes);
  const run = (args: string[]) => runReview(["review", ...args], { stdin: preview.stdout, env: env() });
  // As an older local Seam, or a workspace without entrances, answers a route it does not have.
  const notFound = { kind: "status" as const, status: 404, body: JSON.stringify({ error: { type: "not_found", message: "Not Found" } }) };
  await fake.duringOutage("/acs/access_groups/list_accessible_entrances", notFound, { fraction: 1 }, async () => {
    const json = await run(["--format", "json"]);
    expect(json.code).toBe(0);
    const people = JSON.parse(json.stdout).doors.people as { acsUserId: string; unchanged: boolean; loses: unknown[]; gains: unknown[]; undetermined: { acsAccessGroupId: string; reason: string }[] }[];
    // The removals are listed as always, and per person every group left is named as one Seam cannot say about.
    expect(JSON.parse(json.stdout).removals.length).toBeGreaterThan(0);
    for (const c of changes) {
      const person = people.find((x) => x.acsUserId === s.users[c.person])!;
      expect(person.undetermined).toContainEqual({ acsAccessGroupId: s.groups[c.group], name: `cli group ${c.group}`, reason: "unreadable" });
      expect([person.unchanged, person.loses, person.gains]).toEqual([false, [], []]);
    }
    const text = await run([]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Seam cannot say which doors cli group ${changes[0]!.group} opens (its entrances could not be read)`);
    expect(text.stderr).not.toMatch(/unexpected failure/);
    // A guard does not pass on a hope.
    expect((await run(["--protect-entrance", "No such door"])).code).toBe(3);
    expect((await run(["--max-people-losing-entrances", "0"])).code).toBe(3);
  });
});
