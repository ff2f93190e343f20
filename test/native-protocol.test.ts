/**
 * The native `seam` plugin as the engine drives it, call by call over gRPC, against Seam's fake:
 * the schema it serves, configuration (stack config and explicit-provider arguments, plaintext
 * tokens refused), the resource calls on the shared provider code, detailed diffs and the reads
 * `pulumi import` makes. The same plugin under the real CLI: native-yaml-engine.test.ts.
 */
import { membershipType, NativePlugin, provproto, rosterType, secret } from "./support/native-plugin";
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

const Kind = provproto.PropertyDiff.Kind;

let fake: SeamFake;
const plugins: NativePlugin[] = [];
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(async () => {
  for (const p of plugins) p.stop();
  await fake.stop();
});

async function plugin(env: NodeJS.ProcessEnv = {}): Promise<NativePlugin> {
  const p = await NativePlugin.start(env);
  plugins.push(p);
  return p;
}
async function configured(args: Record<string, unknown> = { apiKey: secret(fake.apiKey), endpoint: fake.url }, name?: string) {
  const p = await plugin();
  await p.configure(args, name);
  return p;
}

test("serves the schema it was generated from, with the package version", async () => {
  const p = await plugin();
  const schema = await p.schema();
  expect(schema.name).toBe("seam");
  expect(schema.version).toBe(await p.version());
  expect(Object.keys(schema.resources).sort()).toEqual([membershipType, rosterType]);
  for (const key of ["apiKey", "personalAccessToken", "consoleSessionToken"]) {
    expect(schema.config.variables[key].secret).toBe(true);
    expect(schema.provider.inputProperties[key].secret).toBe(true);
  }
  expect(Object.keys(schema.provider.inputProperties)).toEqual(expect.arrayContaining(["workspaceId", "endpoint", "maxAttempts", "waitForSync", "syncTimeoutSeconds"]));
});

test("a token in plain text is refused at configure, naming the command that stores it encrypted, without the value", async () => {
  const p = await plugin();
  const err = await p.configure({ apiKey: fake.apiKey, endpoint: fake.url }).catch((e: Error) => e);
  expect(String(err)).toContain("pulumi config set --secret seam:apiKey");
  expect(String(err)).not.toContain(fake.apiKey);
  const explicit = await plugin();
  const err2 = await explicit.configure({ apiKey: fake.apiKey, endpoint: fake.url }, "site-b").catch((e: Error) => e);
  expect(String(err2)).toContain('provider "site-b": apiKey is given in plain text');
  expect(String(err2)).not.toContain(fake.apiKey);
});

test("missing credentials fail check (preview), naming the keys", async () => {
  const p = await configured({ endpoint: fake.url });
  const err = await p.check(membershipType, "m", { acsUserId: "u1", acsAccessGroupId: "g1" }).catch((e: Error) => e);
  expect(String(err)).toContain("No Seam credentials");
});

test("a membership: check, create, read, diff, delete on the shared provider; no token in any answer", async () => {
  const p = await configured();
  const user = fake.addUser("Ada");
  const group = fake.addGroup("Lobby");
  const bad = await p.check(membershipType, "m", { acsUserId: " x", acsAccessGroupId: group });
  expect(bad.failures).toContainEqual({ property: "acsUserId", reason: "acsUserId has leading or trailing whitespace" });
  const { inputs } = await p.check(membershipType, "m", { acsUserId: user, acsAccessGroupId: group });
  expect(inputs).toEqual({ acsUserId: user, acsAccessGroupId: group });
  const created = await p.create(membershipType, "m", inputs);
  expect(created.id).toBe(`${group}/${user}`);
  expect(created.outs).toEqual({ acsUserId: user, acsAccessGroupId: group, workspaceId: fake.seed.seed_workspace_1 });
  expect(fake.membersOf(group)).toEqual([user]);
  expect(await p.read(membershipType, "m", created.id, created.outs)).toMatchObject({ id: created.id, outs: created.outs });
  expect(await p.diff(membershipType, "m", created.id, created.outs, inputs)).toEqual({ changes: "none", replaces: [], detailedDiff: {} });
  const other = fake.addUser("Grace");
  const replaced = await (await configured()).diff(membershipType, "m", created.id, created.outs, { ...inputs, acsUserId: other });
  expect(replaced).toEqual({ changes: "some", replaces: ["acsUserId"], detailedDiff: { acsUserId: Kind.UPDATE_REPLACE } });
  fake.removeOutOfBand(user, group);
  expect((await (await configured()).read(membershipType, "m", created.id, created.outs)).id).toBe("");
  fake.grantOutOfBand(user, group);
  // A destroy: a new run, whose process saw no declarer of the pair.
  await (await configured()).delete(membershipType, "m", created.id, created.outs);
  expect(fake.membersOf(group)).toEqual([]);
  expect(p.stderr()).not.toContain(fake.apiKey);
});

test("a roster: per-member detailed diff; a loss replaces it and its delete removes only what nothing declares", async () => {
  const p = await configured();
  const [a, b, c] = ["A", "B", "C"].map((n) => fake.addUser(n)) as [string, string, string];
  const group = fake.addGroup("Staff");
  const { inputs } = await p.check(rosterType, "staff", { acsAccessGroupId: group, acsUserIds: [c, a, b, a] });
  expect(inputs).toEqual({ acsAccessGroupId: group, acsUserIds: [a, b, c].sort() });
  const created = await p.create(rosterType, "staff", inputs);
  expect(created.id).toBe(`roster:${group}`);
  expect(created.outs).toEqual({ acsAccessGroupId: group, acsUserIds: [a, b, c].sort(), workspaceId: fake.seed.seed_workspace_1 });
  expect(fake.membersOf(group).sort()).toEqual([a, b, c].sort());

  // Each deployment is its own provider process (the engine starts one per run).
  const keyedRun = await configured();
  const keyed = await keyedRun.check(rosterType, "named", { acsAccessGroupId: group, acsUserIds: { ada: a, bob: b } });
  const before = { acsAccessGroupId: group, acsUserIds: { ada: a, bob: b } };
  const d = await keyedRun.diff(rosterType, "named", `roster:${group}`, before, { ...keyed.inputs, acsUserIds: { ada: a, cy: c } });
  expect(d.changes).toBe("some");
  expect(d.replaces).toEqual(["acsUserIds"]);
  expect(d.detailedDiff).toEqual({ "acsUserIds.bob": Kind.DELETE_REPLACE, "acsUserIds.cy": Kind.ADD });

  const run2 = await configured();
  const sorted = [a, b, c].sort();
  const loses = sorted[1]!;
  const next = (await run2.check(rosterType, "staff", { acsAccessGroupId: group, acsUserIds: sorted.filter((id) => id !== loses) })).inputs;
  const diff = await run2.diff(rosterType, "staff", created.id, created.outs, next);
  expect(diff).toEqual({ changes: "some", replaces: ["acsUserIds"], detailedDiff: { "acsUserIds[1]": Kind.DELETE_REPLACE } });
  const replacement = await run2.create(rosterType, "staff", next);
  const removesBefore = fake.requestsTo(removeRoute).length;
  await run2.delete(rosterType, "staff", created.id, created.outs);
  expect(fake.requestsTo(removeRoute).slice(removesBefore).map((r) => (r.body as { acs_user_id: string }).acs_user_id)).toEqual([loses]);
  expect(fake.membersOf(group).sort()).toEqual(replacement.outs.acsUserIds);
});

test("pulumi import reads: a membership by <group>/<user>, a roster by its group id (every member at Seam now)", async () => {
  const p = await configured();
  const [a, b] = ["Ia", "Ib"].map((n) => fake.addUser(n)) as [string, string];
  const group = fake.addGroup("Imported");
  fake.grantOutOfBand(a, group);
  fake.grantOutOfBand(b, group);
  const adds = fake.requestsTo(addRoute).length;
  const m = await p.read(membershipType, "m", `${group}/${a}`);
  expect(m).toEqual({ id: `${group}/${a}`, outs: { acsUserId: a, acsAccessGroupId: group, workspaceId: fake.seed.seed_workspace_1 }, inputs: { acsUserId: a, acsAccessGroupId: group } });
  const r = await p.read(rosterType, "r", group);
  expect(r).toEqual({
    id: `roster:${group}`,
    outs: { acsAccessGroupId: group, acsUserIds: [a, b].sort(), workspaceId: fake.seed.seed_workspace_1 },
    inputs: { acsAccessGroupId: group, acsUserIds: [a, b].sort() },
  });
  // A pair Seam does not hold: said in Seam's terms, not as the engine's "does not exist".
  const nobody = fake.addUser("Nobody");
  const gone = await p.read(membershipType, "gone", `${group}/${nobody}`).catch((e: Error) => e);
  expect(String(gone)).toMatch(new RegExp(`Cannot import AccessGroupMembership ${group}/${nobody}: the ACS user ${nobody} \\(Nobody[^)]*\\) is not in the access group ${group} \\(Imported\\) at Seam`));
  const bad = await p.read(membershipType, "m", "not-an-id").catch((e: Error) => e);
  expect(String(bad)).toContain("import a membership as <acsAccessGroupId>/<acsUserId>");
  expect(fake.requestsTo(addRoute).length).toBe(adds);
});

test("an explicit provider on workspace 2 acts there with its own key", async () => {
  const p = await configured({ apiKey: secret(fake.seed.seam_apikey2_token), endpoint: fake.url }, "site-b");
  const user = fake.addUser("W2", fake.seed.seed_workspace_2);
  const group = fake.addGroup("W2 group", fake.seed.seed_workspace_2);
  const { inputs } = await p.check(membershipType, "w2", { acsUserId: user, acsAccessGroupId: group });
  const created = await p.create(membershipType, "w2", inputs);
  expect(created.outs.workspaceId).toBe(fake.seed.seed_workspace_2);
  expect(fake.membersOf(group)).toEqual([user]);
});

describe("one deployment's provider processes see every declarer (the engine address keys them)", () => {
  const deployment = () => `127.0.0.1:${40_000 + Math.floor(Math.random() * 20_000)}`;
  async function instance(address: string, name: string, apiKey = fake.apiKey) {
    const p = await NativePlugin.start({}, address);
    plugins.push(p);
    await p.configure({ apiKey: secret(apiKey), endpoint: fake.url }, name);
    return p;
  }

  test("two resources declaring one pair through one provider: the second is refused, naming both", async () => {
    const p = await instance(deployment(), "default_0_1_0");
    const [user, group] = [fake.addUser("Dup"), fake.addGroup("Dup")];
    expect((await p.check(membershipType, "first", { acsUserId: user, acsAccessGroupId: group })).failures).toEqual([]);
    expect((await p.check(membershipType, "first", { acsUserId: user, acsAccessGroupId: group })).failures).toEqual([]);
    const second = await p.check(rosterType, "staff", { acsAccessGroupId: group, acsUserIds: { dup: user } });
    expect(second.failures).toHaveLength(1);
    expect(second.failures[0]!.property).toBe("acsUserIds");
    expect(second.failures[0]!.reason).toContain(`acs_user_id ${user} in acs_access_group_id ${group} is declared twice: by AccessGroupMembership "first"`);
    expect(second.failures[0]!.reason).toContain('and by AccessGroupRoster "staff"');
  });

  test("two providers on one workspace are refused at check, naming both; on two workspaces they are not", async () => {
    const address = deployment();
    const a = await instance(address, "site-a");
    const b = await instance(address, "site-b");
    const c = await instance(address, "site-c", fake.seed.seam_apikey2_token);
    const [u1, g1] = [fake.addUser("P1"), fake.addGroup("P1")];
    expect((await a.check(membershipType, "m1", { acsUserId: u1, acsAccessGroupId: g1 })).failures).toEqual([]);
    const [u2, g2] = [fake.addUser("P2", fake.seed.seed_workspace_2), fake.addGroup("P2", fake.seed.seed_workspace_2)];
    expect((await c.check(membershipType, "m2", { acsUserId: u2, acsAccessGroupId: g2 })).failures).toEqual([]);
    const err = await b.check(membershipType, "m3", { acsUserId: fake.addUser("P3"), acsAccessGroupId: g1 }).catch((e: Error) => e);
    expect(String(err)).toContain(`Seam workspace ${fake.seed.seed_workspace_1} is served by two seam provider instances in this deployment: provider "site-a" and provider "site-b"`);
  });

  test("a pair declared through two provider processes is refused by the later one", async () => {
    const address = deployment();
    const a = await instance(address, "default_0_1_0");
    const b = await instance(address, "site-w2", fake.seed.seam_apikey2_token);
    const [user, group] = [fake.addUser("Cross"), fake.addGroup("Cross")];
    expect((await a.check(membershipType, "here", { acsUserId: user, acsAccessGroupId: group })).failures).toEqual([]);
    const there = await b.check(membershipType, "there", { acsUserId: user, acsAccessGroupId: group });
    expect(there.failures[0]?.reason).toContain('by AccessGroupMembership "here" (through the default seam provider) and by AccessGroupMembership "there" (through provider "site-w2")');
  });
});
