import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DeclarerRendezvous } from "../src/provider/declarers";
import { MembershipProvider } from "../src/provider/membership-provider";
import { unknownValue } from "../src/provider/inputs";
import { addRoute as add, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
const providers: MembershipProvider[] = [];
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await fake.stop();
});

function provider(env: NodeJS.ProcessEnv = { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url }) {
  const p = new MembershipProvider(env);
  providers.push(p);
  return p;
}

function pair(name: string) {
  return { acsUserId: fake.addUser(name), acsAccessGroupId: fake.addGroup(`${name}'s group`) };
}


describe("check", () => {
  test("accepts both ids, returns only them, and sends nothing", async () => {
    const before = fake.requests.length;
    const result = await provider().check({}, { acsUserId: "u1", acsAccessGroupId: "g1", __provider: "code" });
    expect(result).toEqual({ inputs: { acsUserId: "u1", acsAccessGroupId: "g1" } });
    expect(fake.requests.length).toBe(before);
  });

  test.each([
    [{ acsAccessGroupId: "g" }, "acsUserId", "acsUserId is required"],
    [{ acsUserId: "", acsAccessGroupId: "g" }, "acsUserId", "acsUserId must not be empty"],
    [{ acsUserId: 42, acsAccessGroupId: "g" }, "acsUserId", "acsUserId must be a string, not a number"],
    [{ acsUserId: "u", acsAccessGroupId: null }, "acsAccessGroupId", "acsAccessGroupId must be a string, not null"],
    [{ acsUserId: " u", acsAccessGroupId: "g" }, "acsUserId", "acsUserId has leading or trailing whitespace"],
    [{ acsUserId: "u", acsAccessGroupId: "x".repeat(129) }, "acsAccessGroupId", "acsAccessGroupId must be at most 128 characters long"],
    [{ acsUserId: "a/b", acsAccessGroupId: "g" }, "acsUserId", "acsUserId may contain only letters, digits and the characters _ . : -"],
    [{ acsUserId: "u", acsAccessGroupId: "g", acsSystemId: "s" }, "acsSystemId", "acsSystemId is not an argument of AccessGroupMembership (it takes acsUserId and acsAccessGroupId)"],
  ])("rejects %j naming %s", async (news, property, reason) => {
    const result = await provider().check({}, news as Record<string, unknown>);
    expect(result.failures).toContainEqual({ property, reason });
  });

  const seamIdHint = "(a Seam id has 8-4-4-4-12 hexadecimal digits, e.g. 123e4567-e89b-12d3-a456-426614174000)";
  test.each([
    ["one character short", "8d7e0b3a-b889-49a7-9164-4b71a0506a3", "its groups have 8-4-4-4-11 characters"],
    ["a hyphen in the wrong place", "8d7e0b3ab-889-49a7-9164-4b71a0506a33", "its groups have 9-3-4-4-12 characters"],
    ["a group missing its hyphen", "8d7e0b3a-b889-49a79164-4b71a0506a33", "its groups have 8-4-8-12 characters"],
    ["letters beyond f", "8d7e0b3a-b889-49a7-9164-4b71a0506zzg", '"z", "g" are not hexadecimal digits'],
    ["both", "8d7e0b3a-b889-49a7-9164-4b71a0506ax", 'its groups have 8-4-4-4-11 characters, and "x" is not a hexadecimal digit'],
  ])("refuses a UUID-shaped id that is not a UUID (%s), naming the field", async (_name, id, why) => {
    const result = await provider().check({}, { acsUserId: "acs_user1", acsAccessGroupId: id });
    expect(result.failures).toEqual([{ property: "acsAccessGroupId", reason: `acsAccessGroupId looks like a UUID but is not one: ${why} ${seamIdHint}` }]);
  });

  test.each(["acs_user1", "acs_access_group1", "seed_workspace_1", "u1", "building-a-lobby", "8D7E0B3A-B889-49A7-9164-4B71A0506A33"])(
    "keeps accepting ids of other shapes and real UUIDs: %s",
    async (id) => {
      const result = await provider().check({}, { acsUserId: id, acsAccessGroupId: "g" });
      expect(result.failures).toBeUndefined();
    },
  );

  test("writes UUIDs lower-case, so one UUID in two spellings is one membership", async () => {
    const result = await provider().check({}, { acsUserId: "8D7E0B3A-B889-49A7-9164-4B71A0506A33", acsAccessGroupId: "acs_Group1" });
    expect(result.inputs).toEqual({ acsUserId: "8d7e0b3a-b889-49a7-9164-4b71a0506a33", acsAccessGroupId: "acs_Group1" });
  });

  test("lets ids that are unknown during preview through", async () => {
    const result = await provider().check({}, { acsUserId: unknownValue, acsAccessGroupId: "g" });
    expect(result.failures).toBeUndefined();
  });

  test("fails on missing credentials, so preview reports them", async () => {
    await expect(provider({}).check({}, { acsUserId: "u", acsAccessGroupId: "g" })).rejects.toThrow(/No Seam credentials/);
  });
});

describe("diff", () => {
  const olds = { acsUserId: "u", acsAccessGroupId: "g", __provider: "v1" };
  test("a changed id replaces, creating first so the old pair's delete comes after every check", async () => {
    expect(await provider().diff("g/u", olds, { ...olds, acsAccessGroupId: "g2" })).toEqual({
      changes: true,
      replaces: ["acsAccessGroupId"],
    });
    expect((await provider().diff("g/u", olds, { ...olds, acsUserId: unknownValue })).replaces).toEqual(["acsUserId"]);
  });
  test("a replacement the stack's pulumi:autonaming would run delete-first fails the preview, naming the setting", async () => {
    const p = provider();
    await p.configure({ config: { get: (k: string) => (k === "pulumi:autonaming" ? '{"mode":"verbatim"}' : undefined) } } as never);
    await expect(p.diff("g/u", olds, { ...olds, acsAccessGroupId: "g2" })).rejects.toThrow(
      /must be replaced \(acsAccessGroupId changed\), and pulumi:autonaming has mode verbatim.*nothing was changed/,
    );
    // No replacement, no refusal: the setting alone is harmless.
    expect(await p.diff("g/u", olds, { ...olds })).toEqual({ changes: false });
  });
  test("only new provider code is an in-place update; nothing new is no change", async () => {
    expect(await provider().diff("g/u", olds, { ...olds, __provider: "v2" })).toEqual({ changes: true });
    expect(await provider().diff("g/u", olds, { ...olds })).toEqual({ changes: false });
  });
});

describe("create, read, update, delete", () => {
  test("create adds with exactly one request and names the resource by both ids", async () => {
    const ids = pair("Ada");
    const before = fake.requestsTo(add).length;
    const result = await provider().create(ids);
    expect(result).toEqual({ id: `${ids.acsAccessGroupId}/${ids.acsUserId}`, outs: { ...ids, workspaceId: fake.seed.seed_workspace_1 } });
    expect(fake.requestsTo(add).length - before).toBe(1);
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  });

  test("read reports a present membership, and 'gone' when it, the user or the group vanished", async () => {
    const p = provider();
    const ids = pair("Grace");
    const { id, outs } = await p.create(ids);
    expect(await p.read(id, outs)).toEqual({ id, props: outs, inputs: ids });
    // State written before workspaces were recorded gets the workspace on refresh.
    expect(await p.read(id, ids)).toEqual({ id, props: outs, inputs: ids });
    // Only the id, as a `get` passes it.
    expect((await p.read(id)).id).toBe(id);

    // Removed out of band: the next refresh (a new provider process) sees it.
    fake.removeOutOfBand(ids.acsUserId, ids.acsAccessGroupId);
    expect(await provider().read(id, ids)).toEqual({ id: "" });

    const other = pair("Alan");
    await p.create(other);
    fake.deleteGroup(other.acsAccessGroupId);
    expect((await p.read(`${other.acsAccessGroupId}/${other.acsUserId}`, other)).id).toBe("");

    const third = pair("Edsger");
    await p.create(third);
    fake.deleteUser(third.acsUserId);
    expect((await p.read(`${third.acsAccessGroupId}/${third.acsUserId}`, third)).id).toBe("");
  });

  test("reads of one group share one list of its members; this process's own add and remove show at once", async () => {
    const p = provider();
    const group = fake.addGroup("Atrium");
    const users = ["Ada", "Grace", "Alan", "Edsger"].map((n) => fake.addUser(n));
    const ms = users.map((acsUserId) => ({ acsUserId, acsAccessGroupId: group }));
    // Made by an earlier run (another provider process): this run's own add is tested below.
    for (const m of ms.slice(0, 3)) await provider().create(m);
    const before = fake.requests.length;
    const reads = await Promise.all(ms.map((m) => p.read(`${group}/${m.acsUserId}`, m)));
    expect(reads.map((r) => r.id !== "")).toEqual([true, true, true, false]);
    // One list for four reads (and, in this fresh process, one look-up of the workspace).
    const sent = fake.requests.slice(before).map((r) => r.path);
    expect(sent.sort()).toEqual(["/acs/access_groups/list_users", "/workspaces/get"]);

    await p.delete(`${group}/${users[0]}`, ms[0]!);
    await p.create(ms[3]!);
    const again = await Promise.all(ms.map((m) => p.read(`${group}/${m.acsUserId}`, m)));
    expect(again.map((r) => r.id !== "")).toEqual([false, true, true, true]);
  });

  test("update refreshes outputs, keeps the recorded workspace, and calls no API", async () => {
    const before = fake.requests.length;
    const news = { acsUserId: "u", acsAccessGroupId: "g", __provider: "v2" };
    expect(await provider().update("g/u", { ...news, __provider: "v1" }, news)).toEqual({ outs: { acsUserId: "u", acsAccessGroupId: "g" } });
    expect(await provider().update("g/u", { ...news, workspaceId: "ws1", __provider: "v1" }, news)).toEqual({
      outs: { acsUserId: "u", acsAccessGroupId: "g", workspaceId: "ws1" },
    });
    expect(fake.requests.length).toBe(before);
  });

  test("credentials for another workspace neither read nor delete a membership as gone", async () => {
    const ids = pair("Annie");
    const { id, outs } = await provider().create(ids);
    const elsewhere = provider({ SEAM_API_KEY: fake.seed.seam_apikey2_token, SEAM_ENDPOINT: fake.url });
    const removes = fake.requestsTo(remove).length;
    const message = new RegExp(
      `made in Seam workspace ${fake.seed.seed_workspace_1}, but the configured credentials act in workspace ${fake.seed.seed_workspace_2}`,
    );
    await expect(elsewhere.delete(id, outs!)).rejects.toThrow(message);
    await expect(elsewhere.read(id, outs)).rejects.toThrow(message);
    expect(fake.requestsTo(remove).length).toBe(removes);
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  });

  test("delete removes with exactly one request carrying both ids", async () => {
    const p = provider();
    const ids = pair("Barbara");
    const { id } = await provider().create(ids);
    const before = fake.requestsTo(remove).length;
    await p.delete(id, ids);
    const sent = fake.requestsTo(remove).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ acs_user_id: ids.acsUserId, acs_access_group_id: ids.acsAccessGroupId });
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([]);
  });

  test("delete succeeds when the user or the group is already gone", async () => {
    const p = provider();
    const a = pair("Frances");
    await p.create(a);
    fake.deleteUser(a.acsUserId);
    await expect(p.delete(`${a.acsAccessGroupId}/${a.acsUserId}`, a)).resolves.toBeUndefined();

    const b = pair("Margaret");
    await p.create(b);
    fake.deleteGroup(b.acsAccessGroupId);
    await expect(p.delete(`${b.acsAccessGroupId}/${b.acsUserId}`, b)).resolves.toBeUndefined();
  });

  test("any other delete failure fails the delete, so the resource stays in state", async () => {
    const ids = pair("Katherine");
    const p = provider({ SEAM_API_KEY: "seam_notthekey_1", SEAM_ENDPOINT: fake.url });
    const error = await p.delete(`${ids.acsAccessGroupId}/${ids.acsUserId}`, ids).catch((e) => e);
    expect(error.message).toMatch(/Removing the user from the access group failed .*HTTP 401/);
    expect(error.message).not.toContain("seam_notthekey_1");
  });

  test("an add whose answer was lost is checked: applied means created, not applied means failed", async () => {
    const once = provider({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, SEAM_MAX_ATTEMPTS: "1" });
    const applied = pair("Hedy");
    fake.injectFaults(add, [{ kind: "lostAnswer" }]);
    await expect(once.create(applied)).resolves.toMatchObject({ id: `${applied.acsAccessGroupId}/${applied.acsUserId}`, outs: applied });

    const notApplied = pair("Ida");
    fake.injectFaults(add, [{ kind: "status", status: 503 }]);
    await expect(once.create(notApplied)).rejects.toThrow(/HTTP 503.*gave up after 1 attempt \[/);
    expect(fake.membersOf(notApplied.acsAccessGroupId)).toEqual([]);
  });

  test.each([
    ["attempts", { SEAM_MAX_ATTEMPTS: "3", SEAM_OPERATION_TIMEOUT_SECONDS: "60" }, /gave up after 3 attempts/],
    ["the deadline", { SEAM_MAX_ATTEMPTS: "20", SEAM_OPERATION_TIMEOUT_SECONDS: "3" }, /gave up: the next attempt would pass the 3 s operation deadline/],
  ])("a lasting outage during create: the check gets only what the add left of its %s, and the error leads with the add", async (_name, limits, gaveUp) => {
    const p = provider({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, SEAM_REQUEST_TIMEOUT_SECONDS: "1", ...limits });
    const ids = pair("Barbara");
    const check = "/acs/access_groups/list";
    const before = { add: fake.requestsTo(add).length, check: fake.requestsTo(check).length };
    const started = Date.now();
    const error = await fake.duringOutage(add, { kind: "status", status: 503 }, {}, () =>
      fake.duringOutage(check, { kind: "status", status: 503 }, {}, () => p.create(ids).catch((e) => e)),
    );
    const took = Date.now() - started;
    // Unsure whether the add landed: recorded as unconfirmed, so the access stays tracked.
    expect(error.name).toBe("CreatedButFailedError");
    expect(error.properties).toMatchObject({ ...ids, addUnconfirmed: true });
    expect(error.message).toMatch(/^Adding the user to the access group failed \(acs_user_id=\S+ acs_access_group_id=\S+\): HTTP 503/);
    expect(error.message).toMatch(gaveUp);
    expect(error.message).toMatch(/Whether it took effect is unknown: checking failed too: Reading the user's access groups failed .*HTTP 503/);
    expect(error.message).not.toContain(fake.apiKey);
    const checks = fake.requestsTo(check).length - before.check;
    if (limits.SEAM_MAX_ATTEMPTS === "3") {
      // No attempt was left: the check gets one, not a second full cycle of retries.
      expect(checks).toBe(1);
    } else {
      // The check retries only within what is left of the 3 s (plus one 1 s request window at most).
      expect(checks).toBeGreaterThanOrEqual(1);
      expect(took).toBeLessThan(3_000 + 1_000 + 1_000);
    }
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([]);
    expect(fake.requestsTo(add).length - before.add).toBeGreaterThanOrEqual(3);
  });

  test("a remove whose answer was lost is checked: gone means deleted, still there means failed", async () => {
    const once = provider({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, SEAM_MAX_ATTEMPTS: "1" });
    const a = pair("Mary");
    await provider().create(a);
    fake.injectFaults(remove, [{ kind: "lostAnswer" }]);
    await expect(once.delete(`${a.acsAccessGroupId}/${a.acsUserId}`, a)).resolves.toBeUndefined();
    expect(fake.membersOf(a.acsAccessGroupId)).toEqual([]);

    const b = pair("Sophie");
    await provider().create(b);
    fake.injectFaults(remove, [{ kind: "status", status: 500 }]);
    await expect(once.delete(`${b.acsAccessGroupId}/${b.acsUserId}`, b)).rejects.toThrow(/HTTP 500/);
    expect(fake.membersOf(b.acsAccessGroupId)).toEqual([b.acsUserId]);
  });

  test("state written before UUIDs were lower-cased: the same pair, so no replacement, and a delete of it while declared revokes nothing", async () => {
    const p = provider();
    const user = "8D7E0B3A-B889-49A7-9164-4B71A0506A33";
    const group = "123E4567-E89B-12D3-A456-426614174000";
    const old = { acsUserId: user, acsAccessGroupId: group, __provider: "code" };
    const { inputs } = await p.check(old, { acsUserId: user, acsAccessGroupId: group, __provider: "code" });
    expect(inputs).toEqual({ acsUserId: user.toLowerCase(), acsAccessGroupId: group.toLowerCase() });
    // The stored spelling differs: an update rewrites it; nothing is replaced.
    expect(await p.diff(`${group}/${user}`, old, { ...inputs, __provider: "code" })).toEqual({ changes: true });
    expect(await p.diff(`${group}/${user}`, { ...inputs, __provider: "code" }, { ...inputs, __provider: "code" })).toEqual({ changes: false });
    // Another resource (say, renamed) declares the pair in lower case: the old resource's delete sends nothing.
    const before = fake.requests.length;
    await p.delete(`${group}/${user}`, { acsUserId: user, acsAccessGroupId: group });
    await p.delete(`${group}/${user}`, {});
    expect(fake.requests.length).toBe(before);
  });

  test("a delete whose pair is declared by a resource that never entered the state is refused before any request", async () => {
    const p = provider();
    const ids = pair("Katherine");
    await provider().create(ids);
    // Renamed without an alias; the new resource's create failed (--continue-on-error runs the old delete anyway).
    await p.check({}, { ...ids });
    const before = fake.requests.length;
    await expect(p.delete(`${ids.acsAccessGroupId}/${ids.acsUserId}`, ids)).rejects.toThrow(
      /delete refused: acs_user_id \S+ in acs_access_group_id \S+ is still declared by the program, but the resource declaring it has not entered the state/,
    );
    expect(fake.requests.length).toBe(before);
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  });

  test("a delete-first replacement (diff planned it, its create has not run) is refused before any request", async () => {
    const p = provider();
    const ids = pair("Dorothy");
    const { id } = await provider().create(ids);
    await p.check({ ...ids }, { ...ids, acsAccessGroupId: "elsewhere" });
    await p.diff(id, { ...ids }, { ...ids, acsAccessGroupId: "elsewhere" });
    const before = fake.requests.length;
    await expect(p.delete(id, ids)).rejects.toThrow(/delete refused: the engine is replacing the membership .* delete-first/);
    expect(fake.requests.length).toBe(before);
  });

  test("a membership another resource still declares is not revoked when an old resource goes", async () => {
    const p = provider();
    const ids = pair("Radia");
    const { id } = await p.create(ids);
    // The program now declares the same pair under another name (renamed without an alias).
    await p.check({}, { ...ids });
    const before = fake.requestsTo(remove).length;
    await p.delete(id, ids);
    expect(fake.requestsTo(remove).length).toBe(before);
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  });
});

describe("AccessGroupRoster deletes go through the same removal policy", () => {
  /** A group with three people in it, as a roster created by another (earlier) provider process. */
  async function rosterOfThree(name: string) {
    const group = fake.addGroup(`${name}'s group`);
    const [a, b, c] = ["a", "b", "c"].map((x) => fake.addUser(`${name} ${x}`));
    const props = { acsAccessGroupId: group, members: [a!, b!, c!].sort() };
    const { id, outs } = await provider().create(props);
    expect(fake.membersOf(group).sort()).toEqual([a, b, c].sort());
    return { group, a: a!, b: b!, c: c!, id, outs: outs! };
  }

  test("members another resource holds are skipped, the rest removed", async () => {
    const r = await rosterOfThree("Hedy");
    const p = provider();
    // b moved to a membership of its own, created in this run before the old roster's delete.
    await p.check({}, { acsUserId: r.b, acsAccessGroupId: r.group });
    await p.create({ acsUserId: r.b, acsAccessGroupId: r.group });
    const before = fake.requestsTo(remove).length;
    await p.delete(r.id, r.outs);
    expect(fake.requestsTo(remove).slice(before).map((q) => (q.body as { acs_user_id: string }).acs_user_id).sort()).toEqual([r.a, r.c].sort());
    expect(fake.membersOf(r.group)).toEqual([r.b]);
  });

  test("one member declared by a resource that has not entered the state refuses the whole delete before any request", async () => {
    const r = await rosterOfThree("Joan");
    const p = provider();
    // c's new declarer was checked, but its create failed (--continue-on-error runs the delete anyway).
    await p.check({}, { acsUserId: r.c, acsAccessGroupId: r.group });
    const before = fake.requests.length;
    await expect(p.delete(r.id, r.outs)).rejects.toThrow(/AccessGroupRoster delete \(acs_access_group_id=\S+\) refused: .*has not entered the state/);
    expect(fake.requests.length).toBe(before);
    expect(fake.membersOf(r.group).sort()).toEqual([r.a, r.b, r.c].sort());
  });

  test("a delete-first replacement of a roster (diff planned it, its create has not run) is refused before any request", async () => {
    const r = await rosterOfThree("Grete");
    const p = provider();
    const news = { acsAccessGroupId: r.group, members: [r.a, r.b] };
    await p.check(r.outs, news);
    const diff = await p.diff(r.id, r.outs, news);
    expect(diff.replaces).toEqual(["members"]);
    const before = fake.requests.length;
    await expect(p.delete(r.id, r.outs)).rejects.toThrow(/AccessGroupRoster delete .* refused: the engine is replacing .* delete-first/);
    expect(fake.requests.length).toBe(before);
    // Create-first, as the engine runs it by default: the replacement's create clears the refusal,
    // and the old roster's delete removes only the member that left.
    await p.create(news);
    await p.delete(r.id, r.outs);
    expect(fake.membersOf(r.group).sort()).toEqual([r.a, r.b].sort());
  });
});

describe("deletes net against every provider process of the deployment (a move to another provider instance in one update)", () => {
  // Two providers with two rendezvous of one directory stand in for two plugin processes of one
  // deployment (their pids: this process's and its parent's, both alive), e.g. the default seam
  // provider and an explicit one: the new resource is checked and created in one, the old one
  // deleted in the other.
  let dir: string;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "moves-")), "127.0.0.1_4000");
  });
  const env = () => ({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url });
  function instance(pid: number) {
    const p = new MembershipProvider(env(), new DeclarerRendezvous(dir, pid));
    providers.push(p);
    return p;
  }
  const declarer = (name: string, provider: string) => ({ resource: `urn:${name}`, label: `AccessGroupMembership "${name}"`, provider });
  const removedUsers = (before: number) => fake.requestsTo(remove).slice(before).map((q) => (q.body as { acs_user_id: string }).acs_user_id).sort();

  test("a membership renamed and moved to another instance: the old instance's delete sends nothing", async () => {
    const ids = pair("Ada moved");
    const old = instance(process.ppid);
    const { id } = await provider().create(ids); // by an earlier run's process
    const moved = instance(process.pid);
    await moved.check({}, { ...ids }, declarer("ada-lab-2", 'provider "site-b"'));
    await moved.create({ ...ids });
    const before = fake.requests.length;
    await old.delete(id, ids);
    expect(fake.requests.length).toBe(before);
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  });

  test("a roster moved to another instance with a member dropped: the old instance removes only that member", async () => {
    const group = fake.addGroup("Lab moved");
    const [ada, grace, alan] = ["Ada", "Grace", "Alan"].map((n) => fake.addUser(`${n} moved roster`)) as [string, string, string];
    const old = instance(process.ppid);
    const created = await provider().create({ acsAccessGroupId: group, members: [ada, grace, alan].sort() });
    const moved = instance(process.pid);
    const news = { acsAccessGroupId: group, members: [ada, grace].sort() };
    const checked = await moved.check({}, news, declarer("lab", "the default seam provider"));
    expect(checked.failures).toBeUndefined();
    await moved.create(checked.inputs!);
    const before = fake.requestsTo(remove).length;
    await old.delete(created.id, created.outs!);
    expect(removedUsers(before)).toEqual([alan]);
    expect(fake.membersOf(group).sort()).toEqual([ada, grace].sort());
  });

  test("a roster kept in place by another instance's diff holds its members for a membership deleted here", async () => {
    const group = fake.addGroup("Kept elsewhere");
    const [ada, grace] = ["Ada", "Grace"].map((n) => fake.addUser(`${n} kept`)) as [string, string];
    const membership = instance(process.ppid);
    // Both made by an earlier run.
    const { id } = await provider().create({ acsUserId: ada, acsAccessGroupId: group });
    const roster = await provider().create({ acsAccessGroupId: group, members: [grace] });
    // Next update: ada joins the roster (an update in place on the other instance), her membership leaves.
    const other = instance(process.pid);
    const news = { acsAccessGroupId: group, members: [ada, grace].sort() };
    await other.check(roster.outs!, news, declarer("lab", 'provider "site-b"'));
    expect((await other.diff(roster.id, roster.outs!, news)).replaces ?? []).toEqual([]);
    await other.update(roster.id, roster.outs!, news);
    const before = fake.requestsTo(remove).length;
    await membership.delete(id, { acsUserId: ada, acsAccessGroupId: group });
    expect(removedUsers(before)).toEqual([]);
  });

  test("declared by another instance whose create failed: the delete is refused before any request, naming the declarer", async () => {
    const ids = pair("Grace failed");
    const old = instance(process.ppid);
    const { id } = await provider().create(ids); // by an earlier run's process
    await instance(process.pid).check({}, { ...ids }, declarer("grace-lab-2", 'provider "site-b"'));
    const before = fake.requests.length;
    await expect(old.delete(id, ids)).rejects.toThrow(
      /still declared by the program, but the resource declaring it has not entered the state.*It is declared by AccessGroupMembership "grace-lab-2" \(through provider "site-b"\)/,
    );
    expect(fake.requests.length).toBe(before);
  });

  test("a delete-first replacement planned by another instance is refused before any request", async () => {
    const ids = pair("Hedy replaced");
    const old = instance(process.ppid);
    const { id } = await provider().create(ids); // by an earlier run's process
    const other = instance(process.pid);
    const news = { ...ids, acsAccessGroupId: fake.addGroup("Hedy's new group") };
    await other.check({ ...ids }, news, declarer("hedy", 'provider "site-b"'));
    await other.diff(id, { ...ids }, news);
    const before = fake.requests.length;
    await expect(old.delete(id, ids)).rejects.toThrow(/delete refused: the engine is replacing the membership .* delete-first/);
    expect(fake.requests.length).toBe(before);
    // Once the replacement's create has started there, the delete is the create-first order's and removes.
    await other.create(news);
    await old.delete(id, ids);
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([]);
  });

  test("a pair nobody in the deployment declares is removed; a process that has exited counts for nothing", async () => {
    const ids = pair("Alan gone");
    const old = instance(process.ppid);
    const { id } = await provider().create(ids); // by an earlier run's process
    // A process that held the pair and exited (its file left behind): not a declarer of this run.
    const deadPid = 4_194_304 + 11;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${deadPid}.jsonl`), JSON.stringify({ k: "held", pairs: [`${ids.acsAccessGroupId}/${ids.acsUserId}`] }) + "\n");
    await instance(process.pid).check({}, { ...pair("someone else") }, declarer("other", "the default seam provider"));
    const before = fake.requestsTo(remove).length;
    await old.delete(id, ids);
    expect(removedUsers(before)).toEqual([ids.acsUserId]);
  });
});
