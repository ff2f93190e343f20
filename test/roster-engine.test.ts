/**
 * Rosters under the real engine, against Seam's fake: one resource per group walks through the
 * changes people make to a group's list; members move between rosters and memberships without a
 * blink; a roster file's mistakes surface at preview with their line.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { runReview } from "./support/review";
import { declare, mutationsSince, reviewOf, rosterProgram, rosterType, stateResources } from "./support/rosters";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

describe("one roster through the changes people make", () => {
  let p: PulumiProject;
  const u: Record<string, string> = {};
  let lobby: string;
  const lobbyRoster = (ids: string[], name = "lobby", aliases?: string[]) => declare(p, [{ name, group: lobby, ids, aliases }]);

  beforeAll(async () => {
    for (const n of ["ada", "grace", "alan", "hedy"]) u[n] = fake.addUser(n);
    lobby = fake.addGroup("lobby");
    p = new PulumiProject("roster", { program: rosterProgram, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
    await p.init();
  });

  test("1. create: one resource for the group, one read of the group, one add per member; outputs are the sorted ids", async () => {
    await lobbyRoster([u.grace!, u.ada!, u.alan!]);
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(fake, before).sort()).toEqual([["add", u.ada], ["add", u.alan], ["add", u.grace]].sort());
    expect(fake.requests.slice(before).filter((r) => r.path === "/acs/access_groups/list_users")).toHaveLength(1);
    expect(fake.membersOf(lobby).sort()).toEqual([u.ada, u.grace, u.alan].sort());
    const [roster, ...others] = await stateResources(p, rosterType);
    expect(others).toEqual([]);
    expect(roster!.outputs.members).toEqual([u.ada, u.grace, u.alan].sort());
    expect(roster!.id).toBe(`roster:${lobby}`);
    expect(await p.memberships()).toEqual([]);
    const outputs = JSON.parse((await p.run(["stack", "output", "rosters", "--json"])).stdout);
    expect(outputs.lobby).toEqual([u.ada, u.grace, u.alan].sort());
  });

  test("2. reorder and a repeated id: no change and no request at all", async () => {
    await lobbyRoster([u.alan!, u.ada!, u.grace!, u.ada!]);
    const before = fake.requests.length;
    const up = await p.up();
    expect(fake.requests.length).toBe(before);
    expect(up.stdout).not.toMatch(/created|deleted|updated|replaced/);
  });

  test("3. add one: updated in place, one read and exactly one add; the review shows one gain", async () => {
    await lobbyRoster([u.alan!, u.ada!, u.grace!, u.hedy!]);
    const review = await reviewOf(p);
    expect({ removals: review.removals, additions: review.additions, moves: review.moves }).toEqual({ removals: [], additions: [[u.hedy, [`lobby[${u.hedy}]`]]], moves: [] });
    const before = fake.requests.length;
    const up = await p.up();
    expect(up.stdout).toMatch(/lobby updated/);
    expect(mutationsSince(fake, before)).toEqual([["add", u.hedy]]);
    expect(fake.membersOf(lobby)).toHaveLength(4);
  });

  test("4. drop one: replaced create-first, exactly that one removed; the review shows one loss and nothing else", async () => {
    await lobbyRoster([u.alan!, u.ada!, u.hedy!]);
    const review = await reviewOf(p);
    expect({ removals: review.removals, additions: review.additions, moves: review.moves }).toEqual({ removals: [[u.grace, [`lobby[${u.grace}]`]]], additions: [], moves: [] });
    const before = fake.requests.length;
    const up = await p.up();
    expect(up.stdout).toMatch(/lobby replaced/);
    expect(mutationsSince(fake, before)).toEqual([["remove", u.grace]]);
    expect(fake.membersOf(lobby).sort()).toEqual([u.ada, u.alan, u.hedy].sort());
    expect((await stateResources(p, rosterType)).map((r) => r.outputs.members)).toEqual([[u.ada, u.alan, u.hedy].sort()]);
  });

  test("5. refresh reads the group once and drops a member gone at Seam; the next up adds them back", async () => {
    fake.removeOutOfBand(u.ada!, lobby);
    let before = fake.requests.length;
    await p.refresh();
    const paths = fake.requests.slice(before).map((r) => r.path).sort();
    expect(paths).toEqual(["/acs/access_groups/list_users", "/workspaces/get"]);
    expect((await stateResources(p, rosterType))[0]!.outputs.members).toEqual([u.alan, u.hedy].sort());
    before = fake.requests.length;
    await p.up();
    expect(mutationsSince(fake, before)).toEqual([["add", u.ada]]);
    expect(fake.membersOf(lobby).sort()).toEqual([u.ada, u.alan, u.hedy].sort());
  });

  test("6. renamed with an alias: nothing is sent", async () => {
    await lobbyRoster([u.alan!, u.ada!, u.hedy!], "front-lobby", ["lobby"]);
    const before = fake.requests.length;
    const up = await p.up();
    expect(mutationsSince(fake, before)).toEqual([]);
    expect(up.stdout).not.toMatch(/created|deleted|replaced/);
  });

  test("7. renamed without an alias: a new roster, the old one leaves the state, no remove; the review shows moves only, in names from one list of the group", async () => {
    await lobbyRoster([u.alan!, u.ada!, u.hedy!], "main-lobby");
    const preview = await p.previewJson(["--show-sames"]);
    const named = fake.requests.length;
    const review = await runReview(["review", "--format", "json"], { stdin: preview.stdout, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
    expect(review.code).toBe(0);
    const report = JSON.parse(review.stdout);
    expect({ removals: report.removals.length, additions: report.additions.length, moves: report.moves.length }).toEqual({ removals: 0, additions: 0, moves: 3 });
    expect(report.moves.map((m: { user: { fullName: string } }) => m.user.fullName).sort()).toEqual(["ada", "alan", "hedy"]);
    expect(fake.requests.slice(named).map((r) => r.path).sort()).toEqual(["/acs/access_groups/get", "/acs/access_groups/list_users"]);
    // Names were read, so the doors are there: nobody gains or loses, so no door read either.
    expect(report.doors).toEqual({ people: [] });
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(fake, before)).toEqual([]);
    expect(fake.membersOf(lobby).sort()).toEqual([u.ada, u.alan, u.hedy].sort());
    expect((await stateResources(p, rosterType)).map((r) => r.urn.split("::").at(-1))).toEqual(["main-lobby"]);
  });

  test("8. destroy removes every member", async () => {
    const before = fake.requests.length;
    await p.destroy();
    expect(mutationsSince(fake, before).sort()).toEqual([["remove", u.ada], ["remove", u.alan], ["remove", u.hedy]].sort());
    expect(fake.membersOf(lobby)).toEqual([]);
  });
});

describe("members move between a roster and a membership, and between rosters, without a blink", () => {
  let p: PulumiProject;
  const u: Record<string, string> = {};
  let lab: string;

  beforeAll(async () => {
    for (const n of ["ada", "grace", "alan"]) u[n] = fake.addUser(n);
    lab = fake.addGroup("lab");
    p = new PulumiProject("roster-moves", { program: rosterProgram, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
    await p.init();
    await declare(p, [{ name: "lab", group: lab, ids: { ada: u.ada!, grace: u.grace!, alan: u.alan! } }]);
    await p.up();
  });

  test("roster → a membership declared later in the program: the review says moved, and no remove is sent", async () => {
    await declare(p, [
      { name: "lab", group: lab, ids: { grace: u.grace!, alan: u.alan! } },
      { name: "ada-lab", group: lab, user: u.ada! },
    ]);
    const review = await reviewOf(p);
    expect({ removals: review.removals, additions: review.additions, moves: review.moves }).toEqual({ removals: [], additions: [], moves: [[u.ada, ["ada-lab", "lab[ada]"]]] });
    const before = fake.requests.length;
    const up = await p.up({ parallel: 1 });
    expect(up.stdout).toMatch(/lab replaced/);
    expect(mutationsSince(fake, before).filter(([op]) => op === "remove")).toEqual([]);
    expect(fake.membersOf(lab).sort()).toEqual([u.ada, u.grace, u.alan].sort());
  });

  test("a membership → a roster, and a member between two rosters of the group: moves, no remove", async () => {
    await declare(p, [
      { name: "ada-lab", group: lab, user: u.alan! }, // the resource now declares alan: ada moves into lab-2
      { name: "lab", group: lab, ids: { grace: u.grace! } },
      { name: "lab-2", group: lab, ids: { ada: u.ada! } },
    ]);
    const review = await reviewOf(p);
    expect(review.removals).toEqual([]);
    expect(review.moves.sort()).toEqual([[u.ada, ["ada-lab", "lab-2[ada]"]], [u.alan, ["ada-lab", "lab[alan]"]]].sort());
    const before = fake.requests.length;
    await p.up({ parallel: 1 });
    expect(mutationsSince(fake, before).filter(([op]) => op === "remove")).toEqual([]);
    expect(fake.membersOf(lab).sort()).toEqual([u.ada, u.grace, u.alan].sort());
  });

  test("a pair declared by a roster and a membership is refused at preview, naming both; deleteBeforeReplace is refused", async () => {
    await declare(p, [
      { name: "lab", group: lab, ids: { grace: u.grace! } },
      { name: "lab-2", group: lab, ids: { ada: u.ada!, alan: u.alan! } },
      { name: "grace-too", group: lab, user: u.grace! },
    ]);
    const before = fake.requests.length;
    const twice = await p.preview({ allowFailure: true });
    expect(twice.code).not.toBe(0);
    expect(twice.stdout + twice.stderr).toMatch(/declared twice: by AccessGroupRoster "lab" member "grace" and by AccessGroupMembership "grace-too"/);
    await declare(p, [{ name: "lab", group: lab, ids: { grace: u.grace! }, dbr: true }]);
    const dbr = await p.preview({ allowFailure: true });
    expect(dbr.code).not.toBe(0);
    expect(dbr.stdout + dbr.stderr).toMatch(/AccessGroupRoster "lab": deleteBeforeReplace is refused/);
    expect(mutationsSince(fake, before)).toEqual([]);
  });
});

test("a roster file: a mistake fails preview at its line, an unknown email names the file and line, a good file applies with one lookup per email", async () => {
  const canary = `seam_canary${randomBytes(12).toString("hex")}`;
  fake.addApiKey(canary);
  const grace = fake.addUser("Grace Hopper", undefined, { email: "grace@example.com" });
  const ada = fake.addUser("Ada Lovelace");
  const lab = fake.addGroup("lab");
  const p = new PulumiProject("roster-file", {
    program: `
const { AccessGroupRoster, loadRoster } = require("pulumi-seam-acs");
for (const [name, args] of Object.entries(loadRoster("roster.yaml"))) new AccessGroupRoster(name, args);
`,
    env: { SEAM_API_KEY: undefined, SEAM_ENDPOINT: undefined },
  });
  await p.init();
  // Credentials from a config secret: the program's lookups read them as the provider does.
  await p.run(["config", "set", "--secret", "seam:apiKey", canary]);
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  const roster = (members: string) => fs.writeFileSync(path.join(p.dir, "roster.yaml"), `groups:\n  lab:\n    acsAccessGroupId: ${lab}\n    members:\n${members}`);
  const outputs = [];

  roster(`      - acsUserId: ${ada}\n      - email: grace@example\n`);
  const before = fake.requests.length;
  const bad = await p.preview({ allowFailure: true });
  outputs.push(bad);
  expect(bad.code).not.toBe(0);
  expect(bad.stdout + bad.stderr).toMatch(/Roster file roster\.yaml has a problem; nothing was declared:\s+roster\.yaml:6:16: groups\.lab\.members\[1\]\.email: is not an email address/);
  expect(fake.requests.length).toBe(before);

  roster(`      - acsUserId: ${ada}\n      - email: grace.hopper@example.com\n`);
  const unknown = await p.preview({ allowFailure: true });
  outputs.push(unknown);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stdout + unknown.stderr).toMatch(/roster\.yaml:6:16: groups\.lab\.members\[1\]\.email: lookupAcsUser: no ACS user has the email grace\.hopper@example\.com/);

  roster(`      - acsUserId: ${ada}\n      - email: Grace@Example.com\n`);
  const lookupsBefore = fake.requestsTo("/acs/users/list").length;
  const up = await p.up();
  outputs.push(up);
  expect(fake.membersOf(lab).sort()).toEqual([ada, grace].sort());
  expect(fake.requestsTo("/acs/users/list").length - lookupsBefore).toBe(2); // one lookup: the search and the identity filter
  expect((await stateResources(p, rosterType)).map((r) => r.outputs.members)).toEqual([{ [ada]: ada, "grace@example.com": grace }]);
  for (const o of outputs) {
    expect(o.stdout + o.stderr).not.toContain(canary);
    expect(o.stdout + o.stderr).not.toMatch(/is a secret/);
  }
  expect(p.stateFiles()).not.toContain(canary);
});
