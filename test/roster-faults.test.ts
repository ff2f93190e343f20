/**
 * Rosters when things go wrong or the engine is driven with options: partial failures leave the
 * state equal to Seam, `--continue-on-error`, `--target` and `retainOnDelete` keep every granted
 * pair tracked, and a 2,000-member roster costs the requests it should (counted, not timed).
 */
import { PulumiProject } from "./support/pulumi";
import { declare, mutationsSince, rosterProgram, rosterType, stateResources } from "./support/rosters";
import { addRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const definite = { kind: "status", status: 400, body: JSON.stringify({ error: { type: "invalid_input", message: "refused for the test" } }) } as const;

function project(name: string): PulumiProject {
  return new PulumiProject(name, { program: rosterProgram, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
}

async function rosterMembers(p: PulumiProject, name: string): Promise<string[]> {
  const r = (await stateResources(p, rosterType)).find((s) => s.urn.endsWith(`::${name}`));
  const members = r?.outputs.members;
  return (Array.isArray(members) ? members : Object.values(members ?? {})).slice().sort() as string[];
}

test("partial failure: a create and an update whose adds partly fail record exactly the members in place; the next up adds the rest", async () => {
  const users = Array.from({ length: 9 }, (_, i) => fake.addUser(`member ${i}`));
  const group = fake.addGroup("partial");
  const p = project("roster-partial");
  await p.init();

  await declare(p, [{ name: "partial", group, ids: users.slice(0, 6) }]);
  fake.injectFaults(addRoute, [definite, definite]);
  const failed = await p.up({ allowFailure: true });
  expect(failed.code).not.toBe(0);
  expect(failed.stdout + failed.stderr).toMatch(/2 of 6 members could not be added; the state records the 4 in place/);
  expect(fake.membersOf(group)).toHaveLength(4);
  expect(await rosterMembers(p, "partial")).toEqual(fake.membersOf(group).sort());

  // An update that gains three, one of which fails: again exactly what is in place.
  await declare(p, [{ name: "partial", group, ids: users }]);
  fake.injectFaults(addRoute, [definite]);
  const failedUpdate = await p.up({ allowFailure: true });
  expect(failedUpdate.code).not.toBe(0);
  expect(fake.membersOf(group)).toHaveLength(8);
  expect(await rosterMembers(p, "partial")).toEqual(fake.membersOf(group).sort());

  const before = fake.requests.length;
  await p.up();
  expect(mutationsSince(fake, before).map(([op]) => op)).toEqual(["add"]);
  expect(fake.membersOf(group).sort()).toEqual(users.slice().sort());
  expect(await rosterMembers(p, "partial")).toEqual(users.slice().sort());
});

test("--continue-on-error: a roster renamed without an alias whose new member's add fails keeps every old member tracked, with no remove", async () => {
  const [ada, grace, alan] = [fake.addUser("Ada"), fake.addUser("Grace"), fake.addUser("Alan")];
  const group = fake.addGroup("coe");
  const other = fake.addGroup("coe-other");
  const p = project("roster-coe");
  await p.init();
  await declare(p, [{ name: "old", group, ids: [ada, grace] }]);
  await p.up();

  await declare(p, [
    { name: "new", group, ids: [ada, grace, alan] },
    { name: "alan-other", group: other, user: alan },
  ]);
  // Only the roster's add fails: the engine may register the two resources in either order.
  fake.injectFaults(addRoute, [definite], (body) => (body as { acs_access_group_id?: string }).acs_access_group_id === group);
  const before = fake.requests.length;
  const run = await p.run(["up", "--yes", "--skip-preview", "--continue-on-error", "--parallel", "1"], { allowFailure: true });
  expect(run.code).not.toBe(0);
  const sent = mutationsSince(fake, before);
  expect(sent.filter(([op]) => op === "remove")).toEqual([]);
  // The membership after the failed roster still ran; the old roster left the state, its members now tracked by the new one.
  expect(fake.membersOf(other)).toEqual([alan]);
  expect((await stateResources(p, rosterType)).map((r) => r.urn.split("::").at(-1))).toEqual(["new"]);
  expect(await rosterMembers(p, "new")).toEqual(fake.membersOf(group).sort());
  expect(fake.membersOf(group).sort()).toEqual([ada, grace].sort());

  await p.up();
  expect(fake.membersOf(group).sort()).toEqual([ada, grace, alan].sort());
});

test("--target a roster that drops a member removes exactly that member; retainOnDelete lets a roster leave with no remove", async () => {
  const [ada, grace, alan] = [fake.addUser("Ada"), fake.addUser("Grace"), fake.addUser("Alan")];
  const lobby = fake.addGroup("target-lobby");
  const lab = fake.addGroup("target-lab");
  const p = project("roster-options");
  await p.init();
  await declare(p, [
    { name: "lobby", group: lobby, ids: [ada, grace] },
    { name: "lab", group: lab, ids: [ada, alan], retain: true },
  ]);
  await p.up();

  // Both rosters change; only the lobby is targeted.
  await declare(p, [
    { name: "lobby", group: lobby, ids: [ada] },
    { name: "lab", group: lab, ids: [ada], retain: true },
  ]);
  const lobbyUrn = (await stateResources(p, rosterType)).find((r) => r.urn.endsWith("::lobby"))!.urn;
  let before = fake.requests.length;
  await p.run(["up", "--yes", "--skip-preview", "--target", lobbyUrn]);
  expect(mutationsSince(fake, before)).toEqual([["remove", grace]]);
  expect(fake.membersOf(lobby)).toEqual([ada]);
  expect(fake.membersOf(lab).sort()).toEqual([ada, alan].sort());
  expect(await rosterMembers(p, "lab")).toEqual([ada, alan].sort());

  // The retained roster leaves the program: released from state, access stays at Seam.
  await declare(p, [{ name: "lobby", group: lobby, ids: [ada] }]);
  before = fake.requests.length;
  await p.up();
  expect(mutationsSince(fake, before)).toEqual([]);
  expect(fake.membersOf(lab).sort()).toEqual([ada, alan].sort());
  expect((await stateResources(p, rosterType)).map((r) => r.urn.split("::").at(-1))).toEqual(["lobby"]);
});

test("a 2,000-member roster: up, refresh, a one-member change and destroy send exactly the requests they need", async () => {
  const n = 2_000;
  const users = Array.from({ length: n + 1 }, (_, i) => fake.addUser(`campus ${i}`));
  const group = fake.addGroup("campus");
  const p = project("roster-2000");
  await p.init();
  const count = (before: number) => {
    const byRoute: Record<string, number> = {};
    for (const r of fake.requests.slice(before)) byRoute[r.path] = (byRoute[r.path] ?? 0) + 1;
    return byRoute;
  };

  await declare(p, [{ name: "campus", group, ids: users.slice(0, n) }]);
  let before = fake.requests.length;
  await p.up();
  expect(count(before)).toEqual({ "/workspaces/get": 1, "/acs/access_groups/list_users": 1, "/acs/users/add_to_access_group": n });
  expect(fake.membersOf(group)).toHaveLength(n);
  const [roster] = await stateResources(p, rosterType);
  // State per member: inputs and outputs together.
  expect(JSON.stringify(roster!.inputs.members).length + JSON.stringify(roster!.outputs.members).length).toBeLessThanOrEqual(150 * n);

  before = fake.requests.length;
  await p.refresh();
  expect(count(before)).toEqual({ "/workspaces/get": 1, "/acs/access_groups/list_users": 1 });

  // One leaves, one joins: a create-first replacement reads the group once, adds one, removes one.
  await declare(p, [{ name: "campus", group, ids: users.slice(1, n + 1) }]);
  before = fake.requests.length;
  await p.up();
  expect(count(before)).toEqual({ "/workspaces/get": 1, "/acs/access_groups/list_users": 1, "/acs/users/add_to_access_group": 1, "/acs/users/remove_from_access_group": 1 });
  expect(fake.membersOf(group)).not.toContain(users[0]);

  before = fake.requests.length;
  await p.destroy();
  expect(count(before)).toEqual({ "/workspaces/get": 1, "/acs/users/remove_from_access_group": n });
  expect(fake.membersOf(group)).toEqual([]);
}, 300_000);
