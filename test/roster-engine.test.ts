/**
 * Rosters under the real engine, against Seam's fake: one stack walks through the changes people
 * make to a group's list, and a roster file's mistakes surface at preview with their line.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { runReview } from "./support/review";
import { addRoute as add, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const rosterProgram = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupRoster } = require("pulumi-seam-acs");
const r = new pulumi.Config().requireObject("roster");
const roster = new AccessGroupRoster(r.name, { acsAccessGroupId: r.group, acsUserIds: r.ids }, { aliases: (r.aliases || []).map((name) => ({ name })) });
module.exports.acsUserIds = roster.acsUserIds;
`;

const mutating = new Set([add, remove]);
function mutationsSince(count: number) {
  return fake.requests.slice(count).filter((r) => mutating.has(r.path)).map((r) => [r.path, (r.body as { acs_user_id: string }).acs_user_id]);
}

describe("one roster through the changes people make", () => {
  let p: PulumiProject;
  const u: Record<string, string> = {};
  let lobby: string;
  const childType = "seam:index:AccessGroupRoster$pulumi-nodejs:dynamic/seam:AccessGroupMembership";

  async function declare(name: string, ids: string[], aliases?: string[]) {
    await p.run(["config", "set", "roster", JSON.stringify({ name, group: lobby, ids, aliases })]);
  }
  async function children() {
    return (await p.memberships()).map((r) => r.urn.slice(r.urn.indexOf(childType) + childType.length + 2)).sort();
  }

  beforeAll(async () => {
    for (const n of ["ada", "grace", "alan", "hedy"]) u[n] = fake.addUser(n);
    lobby = fake.addGroup("lobby");
    p = new PulumiProject("roster", { program: rosterProgram, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
    await p.init();
  });

  test("1. create: one membership per member, named by the member, with the roster's output", async () => {
    await declare("lobby", [u.ada!, u.grace!, u.alan!]);
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(before).sort()).toEqual([[add, u.ada], [add, u.alan], [add, u.grace]].sort());
    expect(fake.membersOf(lobby).sort()).toEqual([u.ada, u.grace, u.alan].sort());
    expect(await children()).toEqual([`lobby-${u.ada}`, `lobby-${u.alan}`, `lobby-${u.grace}`].sort());
    expect(JSON.parse((await p.run(["stack", "output", "acsUserIds", "--json"])).stdout)).toEqual([u.ada, u.grace, u.alan].sort());
  });

  test("2. reorder: no change and no request at all", async () => {
    await declare("lobby", [u.alan!, u.ada!, u.grace!]);
    const before = fake.requests.length;
    const up = await p.up();
    expect(fake.requests.length).toBe(before);
    expect(up.stdout).toMatch(/5 unchanged/);
    expect(up.stdout).not.toMatch(/created|deleted|updated|replaced/);
  });

  test("3. add one: exactly one add", async () => {
    await declare("lobby", [u.alan!, u.ada!, u.grace!, u.hedy!]);
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(before)).toEqual([[add, u.hedy]]);
    expect(fake.membersOf(lobby)).toHaveLength(4);
  });

  test("4. drop one: exactly that one removed", async () => {
    await declare("lobby", [u.alan!, u.ada!, u.hedy!]);
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(before)).toEqual([[remove, u.grace]]);
    expect(fake.membersOf(lobby).sort()).toEqual([u.ada, u.alan, u.hedy].sort());
  });

  test("4b. the review shows a roster's members like any other membership: one loses access, one gains it", async () => {
    await declare("lobby", [u.alan!, u.ada!, u.grace!]);
    const preview = await p.previewJson(["--show-sames"]);
    const review = await runReview(["review", "--format", "json", "--no-names"], { stdin: preview.stdout });
    expect(review.code).toBe(0);
    const report = JSON.parse(review.stdout);
    const pairs = (items: { acsUserId: string; acsAccessGroupId: string; resources: string[] }[]) =>
      items.map((i) => [i.acsUserId, i.acsAccessGroupId, i.resources.map((r) => r.split("::").at(-1))]);
    expect(pairs(report.removals)).toEqual([[u.hedy, lobby, [`lobby-${u.hedy}`]]]);
    expect(pairs(report.additions)).toEqual([[u.grace, lobby, [`lobby-${u.grace}`]]]);
    expect(report.moves).toEqual([]);
    expect(report.removals[0].resources[0]).toContain(childType);
    await declare("lobby", [u.alan!, u.ada!, u.hedy!]);
  });

  test("5. a member listed twice is one membership: no change", async () => {
    await declare("lobby", [u.alan!, u.ada!, u.hedy!, u.ada!]);
    const before = fake.requests.length;
    const up = await p.up();
    expect(fake.requests.length).toBe(before);
    expect(up.stdout).toMatch(/5 unchanged/);
    expect(await children()).toHaveLength(3);
  });

  test("6. renamed with an alias: the children follow, nothing is sent", async () => {
    await declare("front-lobby", [u.alan!, u.ada!, u.hedy!], ["lobby"]);
    const before = fake.requests.length;
    const up = await p.up();
    expect(fake.requests.length).toBe(before);
    expect(up.stdout).not.toMatch(/created|deleted|replaced/);
    expect(await children()).toEqual([`front-lobby-${u.ada}`, `front-lobby-${u.alan}`, `front-lobby-${u.hedy}`].sort());
  });

  test("7. renamed without an alias: new children, old ones leave the state, and no access is lost (no remove)", async () => {
    await declare("main-lobby", [u.alan!, u.ada!, u.hedy!]);
    // The review agrees: every pair stays declared, so nobody loses access; all three are moves.
    const review = JSON.parse((await runReview(["review", "--format", "json", "--no-names"], { stdin: (await p.previewJson(["--show-sames"])).stdout })).stdout);
    expect({ removals: review.removals.length, additions: review.additions.length, moves: review.moves.length }).toEqual({ removals: 0, additions: 0, moves: 3 });
    const before = fake.requests.length;
    const up = await p.up({ parallel: 1 });
    expect(up.stdout).toMatch(/4 created/);
    expect(up.stdout).toMatch(/4 deleted/);
    expect(mutationsSince(before).filter(([route]) => route === remove)).toEqual([]);
    expect(fake.membersOf(lobby).sort()).toEqual([u.ada, u.alan, u.hedy].sort());
    expect(await children()).toEqual([`main-lobby-${u.ada}`, `main-lobby-${u.alan}`, `main-lobby-${u.hedy}`].sort());
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
  expect((await p.memberships()).map((r) => r.urn.split("::").at(-1)).sort()).toEqual([`lab-${ada}`, "lab-grace@example.com"].sort());
  for (const o of outputs) {
    expect(o.stdout + o.stderr).not.toContain(canary);
    expect(o.stdout + o.stderr).not.toMatch(/is a secret/);
  }
  expect(p.stateFiles()).not.toContain(canary);
});
