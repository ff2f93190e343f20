/**
 * The real engine: the pulumi CLI runs a program that installed the packed package, against
 * Seam's fake (with the route shim). What a user sees in a pull request and a pipeline.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Membership, PulumiProject } from "./support/pulumi";
import { addRoute as add, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

const mutating = new Set([add, remove]);

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

function people(...names: string[]) {
  return Object.fromEntries(names.map((n) => [n, fake.addUser(n)]));
}
function groups(...names: string[]) {
  return Object.fromEntries(names.map((n) => [n, fake.addGroup(n)]));
}
function project(name: string, env: NodeJS.ProcessEnv = { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url }) {
  return new PulumiProject(name, { env });
}
/** Whether each membership is in Seam right now. */
function present(ms: Membership[]) {
  return ms.map((m) => fake.membersOf(m.acsAccessGroupId).includes(m.acsUserId));
}
function mutationsSince(count: number) {
  return fake.requests.slice(count).filter((r) => mutating.has(r.path));
}

describe("one stack through its life", () => {
  const u = {} as Record<string, string>;
  const g = {} as Record<string, string>;
  let p: PulumiProject;
  let declared: Membership[];

  beforeAll(async () => {
    Object.assign(u, people("ada", "grace", "alan"));
    Object.assign(g, groups("lobby", "lab", "roof"));
    p = project("life");
    await p.init();
    declared = [
      { name: "ada-lobby", acsUserId: u.ada!, acsAccessGroupId: g.lobby! },
      { name: "grace-lobby", acsUserId: u.grace!, acsAccessGroupId: g.lobby! },
      { name: "alan-lab", acsUserId: u.alan!, acsAccessGroupId: g.lab! },
    ];
  });

  test("1. up adds exactly the three declared memberships", async () => {
    await p.setMemberships(declared);
    const before = fake.requests.length;
    await p.up();
    const sent = mutationsSince(before);
    expect(sent.map((r) => r.path)).toEqual([add, add, add]);
    expect(sent.map((r) => r.body)).toEqual(
      expect.arrayContaining(declared.map((m) => ({ acs_user_id: m.acsUserId, acs_access_group_id: m.acsAccessGroupId }))),
    );
    expect(fake.membersOf(g.lobby!).sort()).toEqual([u.ada, u.grace].sort());
    expect(fake.membersOf(g.lab!)).toEqual([u.alan]);
    expect((await p.memberships()).map((r) => r.id).sort()).toEqual(declared.map((m) => `${m.acsAccessGroupId}/${m.acsUserId}`).sort());
    const workspaces = [fake.seed.seed_workspace_1, fake.seed.seed_workspace_1, fake.seed.seed_workspace_1];
    expect((await p.memberships()).map((r) => r.outputs.workspaceId)).toEqual(workspaces);
    expect(JSON.parse((await p.run(["stack", "output", "workspaces", "--json"])).stdout)).toEqual(workspaces);
  });

  test("2. a removed membership: preview shows one delete and sends nothing; up removes it once", async () => {
    await p.setMemberships(declared.filter((m) => m.name !== "alan-lab"));
    const before = fake.requests.length;
    const preview = await p.preview();
    expect(preview.stdout).toMatch(/-\s+pulumi-nodejs:dynamic\/seam:AccessGroupMembership alan-lab delete/);
    expect(preview.stdout).toMatch(/- 1 to delete/);
    expect(preview.stdout).not.toMatch(/ada-lobby (create|delete|replace)/);
    expect(mutationsSince(before)).toEqual([]);
    expect(fake.membersOf(g.lab!)).toEqual([u.alan]);

    await p.up();
    const sent = mutationsSince(before);
    expect(sent.map((r) => [r.path, r.body])).toEqual([[remove, { acs_user_id: u.alan, acs_access_group_id: g.lab }]]);
    expect(fake.membersOf(g.lab!)).toEqual([]);
    expect(present(declared.slice(0, 2))).toEqual([true, true]);
  });

  test("3. removed out of band: refresh notices, the next up restores it", async () => {
    fake.removeOutOfBand(u.grace!, g.lobby!);
    await p.refresh();
    expect((await p.memberships()).map((r) => r.id)).toEqual([`${g.lobby}/${u.ada}`]);
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(before).map((r) => [r.path, r.body])).toEqual([[add, { acs_user_id: u.grace, acs_access_group_id: g.lobby }]]);
    expect(fake.membersOf(g.lobby!).sort()).toEqual([u.ada, u.grace].sort());
  });

  test("4. changing a membership's group replaces it: the new one added, then the old one removed", async () => {
    const now = [declared[0]!, { ...declared[1]!, acsAccessGroupId: g.roof! }];
    await p.setMemberships(now);
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(before).map((r) => [r.path, r.body])).toEqual([
      [add, { acs_user_id: u.grace, acs_access_group_id: g.roof }],
      [remove, { acs_user_id: u.grace, acs_access_group_id: g.lobby }],
    ]);
    expect(fake.membersOf(g.lobby!)).toEqual([u.ada]);
    expect(fake.membersOf(g.roof!)).toEqual([u.grace]);
  });

  test("6. destroy removes every membership", async () => {
    const before = fake.requests.length;
    await p.destroy();
    expect(mutationsSince(before).map((r) => r.path)).toEqual([remove, remove]);
    expect(fake.membersOf(g.lobby!)).toEqual([]);
    expect(fake.membersOf(g.roof!)).toEqual([]);
    expect(await p.memberships()).toEqual([]);
  });
});

describe("5. access the program still declares is never revoked", () => {
  test("a resource renamed without an alias", async () => {
    const { ada } = people("ada");
    const { lobby } = groups("lobby");
    const p = project("rename");
    await p.init();
    await p.setMemberships([{ name: "ada-lobby", acsUserId: ada!, acsAccessGroupId: lobby! }]);
    await p.up();
    await p.setMemberships([{ name: "ada-in-the-lobby", acsUserId: ada!, acsAccessGroupId: lobby! }]);
    await p.up();
    expect(fake.membersOf(lobby!)).toEqual([ada]);
    expect((await p.memberships()).map((r) => r.urn)).toEqual([expect.stringMatching(/::ada-in-the-lobby$/)]);
  });

  test("two resources for one pair in state written before one declarer per pair: dropping one sends nothing", async () => {
    const { ada } = people("ada");
    const { lobby } = groups("lobby");
    const p = project("duplicate");
    await p.init();
    const pair = { acsUserId: ada!, acsAccessGroupId: lobby! };
    await p.setMemberships([{ name: "first", ...pair }]);
    await p.up();
    // A program can no longer declare the pair twice; state from before that rule can hold it
    // twice: "second", a copy of "first" under another name.
    const state = JSON.parse((await p.run(["stack", "export"])).stdout);
    const first = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::first"));
    state.deployment.resources.push({ ...first, urn: first.urn.replace(/::first$/, "::second") });
    const file = path.join(p.dir, "legacy-state.json");
    fs.writeFileSync(file, JSON.stringify(state));
    await p.run(["stack", "import", "--file", file]);
    await p.setMemberships([{ name: "second", ...pair }]);
    const before = fake.requests.length;
    await p.up();
    expect(mutationsSince(before)).toEqual([]);
    expect(fake.membersOf(lobby!)).toContain(ada);
    expect((await p.memberships()).map((r) => r.urn)).toEqual([expect.stringMatching(/::second$/)]);
  });

  test("two resources swapping their groups", async () => {
    const { ada } = people("ada");
    const { lobby, lab } = groups("lobby", "lab");
    const p = project("swap");
    await p.init();
    await p.setMemberships([
      { name: "a", acsUserId: ada!, acsAccessGroupId: lobby! },
      { name: "b", acsUserId: ada!, acsAccessGroupId: lab! },
    ]);
    await p.up();
    const swapped = [
      { name: "a", acsUserId: ada!, acsAccessGroupId: lab! },
      { name: "b", acsUserId: ada!, acsAccessGroupId: lobby! },
    ];
    await p.setMemberships(swapped);
    // One step at a time, so no lucky interleaving can hide a revocation; and not even a
    // momentary one: no remove may be sent at all.
    const before = fake.requests.length;
    await p.up({ parallel: 1 });
    expect(present(swapped)).toEqual([true, true]);
    expect(mutationsSince(before).filter((r) => r.path === remove)).toEqual([]);
  });

  test("a pair that moves to another resource declared later in the program (its id from the first's output) is not removed", async () => {
    const { ada } = people("ada");
    const { lobby, lab } = groups("lobby", "lab");
    const p = project("duplicate-moves");
    await p.init();
    // "second" takes its user from "first", so the engine sees it only after first's step:
    // a delete of first's old pair that ran before then could not know second wants it.
    await p.setMemberships([
      { name: "first", acsUserId: ada!, acsAccessGroupId: lobby! },
      { name: "second", acsUserId: "", userFrom: "first", acsAccessGroupId: lab! },
    ]);
    await p.up();
    await p.setMemberships([
      { name: "first", acsUserId: ada!, acsAccessGroupId: lab! },
      { name: "second", acsUserId: "", userFrom: "first", acsAccessGroupId: lobby! },
    ]);
    const before = fake.requests.length;
    await p.up({ parallel: 1 });
    expect(fake.membersOf(lobby!)).toEqual([ada]);
    expect(fake.membersOf(lab!)).toEqual([ada]);
    expect(mutationsSince(before).filter((r) => r.path === remove)).toEqual([]);
  });
});

describe("7–8. credentials", () => {
  test("from a config secret (environment unset) and from the environment, for up and destroy; never in state or output", async () => {
    const canary = `seam_canary${randomBytes(12).toString("hex")}`;
    fake.addApiKey(canary);
    const { ada } = people("ada");
    const { lobby, lab } = groups("lobby", "lab");

    const viaConfig = project("secret-config", {});
    await viaConfig.init();
    await viaConfig.run(["config", "set", "--secret", "seam:apiKey", canary]);
    await viaConfig.run(["config", "set", "seam:endpoint", fake.url]);
    await viaConfig.setMemberships([{ name: "ada-lobby", acsUserId: ada!, acsAccessGroupId: lobby! }]);
    const outputs = [await viaConfig.up(), await viaConfig.preview(), await viaConfig.refresh()];
    expect(fake.membersOf(lobby!)).toEqual([ada]);
    expect(fake.requestsTo(add).at(-1)!.headers.authorization).toBe(`Bearer ${canary}`);
    const exported = (await viaConfig.run(["stack", "export"])).stdout;
    const state = viaConfig.stateFiles();
    outputs.push(await viaConfig.destroy());
    expect(fake.membersOf(lobby!)).toEqual([]);

    const viaEnv = project("secret-env", { SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url });
    await viaEnv.init();
    await viaEnv.setMemberships([{ name: "ada-lab", acsUserId: ada!, acsAccessGroupId: lab! }]);
    outputs.push(await viaEnv.up());
    expect(fake.membersOf(lab!)).toEqual([ada]);
    const exportedEnv = (await viaEnv.run(["stack", "export"])).stdout;
    const stateEnv = viaEnv.stateFiles();
    outputs.push(await viaEnv.destroy());
    expect(fake.membersOf(lab!)).toEqual([]);

    expect(exported).toContain("pulumi-nodejs:dynamic/seam:AccessGroupMembership");
    for (const text of [exported, state, exportedEnv, stateEnv, ...outputs.flatMap((o) => [o.stdout, o.stderr])]) {
      expect(text).not.toContain(canary);
    }
  });
});
