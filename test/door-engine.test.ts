/**
 * The door's truth, with the real CLI, the packed package's bin and Seam's fake:
 *  - audit: two stacks with every finding planted (a console grant, an out-of-band removal, a pair
 *    both stacks declare, a stuck pending mutation, a resource released with retainOnDelete),
 *    exact lists, exit codes and requests; a clean stack reports nothing and exits 0;
 *  - review: an adopted pair, an already-removed pair, a real gain and a real removal in one preview;
 *  - export → loadRoster → preview (all adopted) → up (nothing changes at the door) → audit clean.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PulumiProject, RunResult } from "./support/pulumi";
import { runReview as runBin } from "./support/review";
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

const membersRoute = "/acs/access_groups/list_users";
const userRoute = "/acs/users/get";
const groupRoute = "/acs/access_groups/get";
const groupsRoute = "/acs/access_groups/list";

/** Memberships from stack config; `retain` releases the resource with retainOnDelete. */
const program = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupMembership } = require("pulumi-seam-acs");
for (const m of new pulumi.Config().getObject("memberships") || []) {
  new AccessGroupMembership(m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId }, { retainOnDelete: m.retain === true });
}
`;

const rosterProgram = `
const path = require("node:path");
const { AccessGroupRoster, loadRoster } = require("pulumi-seam-acs");
for (const [name, args] of Object.entries(loadRoster(path.join(__dirname, "roster.yaml")))) new AccessGroupRoster(name, args);
`;

let fake: SeamFake;
let canary: string;
let p: PulumiProject;
const u = {} as Record<string, string>;
const g = {} as Record<string, string>;
const outputs: RunResult[] = [];
let stateA: string;
let stateB: string;
const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();

const env = () => ({ SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url });
async function bin(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const r = await runBin(args, { env: env(), ...options });
  outputs.push(r);
  return r;
}
const m = (name: string, user: string, group: string, extra: object = {}) => ({ name, acsUserId: u[user]!, acsAccessGroupId: g[group]!, ...extra });
const onStack = (stack: string, memberships: object[]) => p.run(["config", "set", "memberships", JSON.stringify(memberships), "--stack", stack]);
const upStack = (stack: string) => p.run(["up", "--yes", "--skip-preview", "--stack", stack]);
async function exportState(project: PulumiProject, stack: string): Promise<string> {
  const file = path.join(project.dir, `${stack}.state.json`);
  fs.writeFileSync(file, (await project.run(["stack", "export", "--stack", stack])).stdout);
  return file;
}
const urn = (stack: string, name: string) => `urn:pulumi:${stack}::door::pulumi-nodejs:dynamic/seam:AccessGroupMembership::${name}`;
const mutations = () => fake.requests.filter((r) => r.path === addRoute || r.path === removeRoute);

beforeAll(async () => {
  fake = await startSeamFake();
  canary = `seam_canary${randomBytes(12).toString("hex")}`;
  fake.addApiKey(canary);
  for (const [key, name] of Object.entries({ ada: "Ada Lovelace", grace: "Grace Hopper", alan: "Alan Turing", linus: "Linus Torvalds", eve: "Eve", mallory: "Mallory", hank: "Hank" })) {
    u[key] = fake.addUser(name, undefined, { email: `${key}@example.com` });
  }
  // Mallory's email names two ACS users: an export must write her by id.
  u.mallory2 = fake.addUser("Mallory (second badge)", undefined, { email: "mallory@example.com" });
  for (const [key, name] of Object.entries({ lobby: "Lobby", lab: "Lab", roof: "Roof" })) g[key] = fake.addGroup(name);

  p = new PulumiProject("door", { program, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  await p.init("a");
  await p.init("b");
  await p.init("clean");
  await onStack("a", [m("ada-lobby", "ada", "lobby"), m("grace-lobby", "grace", "lobby"), m("alan-lab", "alan", "lab"), m("linus-lab", "linus", "lab"), m("mallory-lab", "mallory", "lab", { retain: true })]);
  await onStack("b", [m("alan-lab", "alan", "lab")]);
  await onStack("clean", [m("hank-roof", "hank", "roof")]);
  await Promise.all([upStack("a"), upStack("clean")]);
  await upStack("b");
  // Released with retainOnDelete: out of the state, still at the door.
  await onStack("a", [m("ada-lobby", "ada", "lobby"), m("grace-lobby", "grace", "lobby"), m("alan-lab", "alan", "lab"), m("linus-lab", "linus", "lab")]);
  await upStack("a");
  // Planted behind the stacks' backs: a console grant, an out-of-band removal, a stuck change and a fresh one.
  fake.grantOutOfBand(u.eve!, g.lobby!);
  fake.removeOutOfBand(u.grace!, g.lobby!);
  fake.setPendingMutations(u.linus!, [
    { mutation_code: "deferring_group_membership_update", acs_access_group_id: g.lab!, variant: "adding", created_at: twoHoursAgo, message: "Waiting for the Salto site to come online" },
  ]);
  fake.setPendingMutations(u.ada!, [
    { mutation_code: "updating_group_membership", from: { acs_access_group_id: null }, to: { acs_access_group_id: g.lobby! }, created_at: new Date().toISOString(), message: "Updating" },
  ]);
  stateA = await exportState(p, "a");
  stateB = await exportState(p, "b");
}, 300_000);

afterAll(async () => {
  await fake.stop();
});

describe("audit", () => {
  test("every finding, exactly, in JSON; one member list and one name per group, a lookup only for a person in no list; nothing mutated", async () => {
    const before = fake.requests.length;
    const mutated = mutations().length;
    const r = await bin(["audit", "--state", stateA, "--state", stateB, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const person = (key: string, fullName: string) => ({ fullName, email: `${key}@example.com` });
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(["unmanaged", "missing", "shared", "pending"]);
    expect(json.unmanaged).toEqual(
      [
        { acsUserId: u.mallory, acsAccessGroupId: g.lab, user: person("mallory", "Mallory"), group: { name: "Lab" } },
        { acsUserId: u.eve, acsAccessGroupId: g.lobby, user: person("eve", "Eve"), group: { name: "Lobby" } },
      ].sort(byPair),
    );
    expect(json.missing).toEqual([
      { acsUserId: u.grace, acsAccessGroupId: g.lobby, user: person("grace", "Grace Hopper"), group: { name: "Lobby" }, stacks: ["door/a"], resources: [urn("a", "grace-lobby")] },
    ]);
    expect(json.shared).toEqual([
      {
        acsUserId: u.alan,
        acsAccessGroupId: g.lab,
        user: person("alan", "Alan Turing"),
        group: { name: "Lab" },
        stacks: ["door/a", "door/b"],
        resources: [urn("a", "alan-lab"), urn("b", "alan-lab")],
      },
    ]);
    expect(json.pending).toHaveLength(1);
    expect(json.pending[0]).toMatchObject({
      acsUserId: u.linus,
      acsAccessGroupId: g.lab,
      user: person("linus", "Linus Torvalds"),
      group: { name: "Lab" },
      stacks: ["door/a"],
      resources: [urn("a", "linus-lab")],
      mutation: { code: "deferring_group_membership_update", variant: "adding", createdAt: twoHoursAgo },
    });
    expect(json.pending[0].mutation.ageSeconds).toBeGreaterThanOrEqual(7200);

    const sent = fake.requests.slice(before);
    const asked = (route: string, key: string) => sent.filter((s) => s.path === route).map((s) => (s.body as Record<string, string>)[key]).sort();
    expect(asked(membersRoute, "acs_access_group_id")).toEqual([g.lab, g.lobby].sort());
    // The groups' names come from one list of the workspace's access groups.
    expect(asked(groupRoute, "acs_access_group_id")).toEqual([]);
    expect(sent.filter((s) => s.path === groupsRoute)).toHaveLength(1);
    expect(asked(userRoute, "acs_user_id")).toEqual([u.grace]);
    expect(sent).toHaveLength(4);
    expect(mutations().length).toBe(mutated);
  });

  test("text and markdown: the summary, one section per finding, names", async () => {
    const text = await bin(["audit", "--state", stateA, "--state", stateB]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[0]).toBe("2 unmanaged, 1 missing, 1 shared, 1 pending (over 3600 s) in 2 access groups of 2 stacks");
    expect(lines).toContain("Unmanaged access (at Seam, declared by no audited stack):");
    expect(lines).toContain("  Eve (eve@example.com) — Lobby");
    expect(lines).toContain("  Mallory (mallory@example.com) — Lab");
    expect(lines).toContain("  Grace Hopper (grace@example.com) — Lobby — door/a: grace-lobby");
    expect(lines).toContain("  Alan Turing (alan@example.com) — Lab — door/a: alan-lab, door/b: alan-lab");
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^  Linus Torvalds \\(linus@example\\.com\\) — Lab — door/a: linus-lab — deferring_group_membership_update \\(adding\\) since ${twoHoursAgo.replace(/\./g, "\\.")} \\(2 h \\d+ min\\)$`)),
    );

    const md = await bin(["audit", "--state", stateA, "--state", stateB, "--format", "markdown"]);
    expect(md.code).toBe(0);
    expect(md.stdout.startsWith("## Seam access audit: door/a, door/b\n\n**2 unmanaged, 1 missing, 1 shared, 1 pending (over 3600 s) in 2 access groups of 2 stacks**\n")).toBe(true);
    expect(md.stdout).toContain("| Eve | eve@example.com | Lobby |  |  |");
  });

  test("--fail-on: exit 3 when a named finding is there (the audit printed first), 0 when not; a fresh pending change is not stuck", async () => {
    const failing = await bin(["audit", "--state", stateA, "--fail-on", "unmanaged,missing"]);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toMatch(/^2 unmanaged, 1 missing, 0 shared, 1 pending/);
    expect(failing.stderr).toBe("pulumi-seam-acs audit: 2 unmanaged, 1 missing (--fail-on unmanaged,missing).\n");
    // One stack shares nothing.
    expect((await bin(["audit", "--state", stateA, "--fail-on", "shared"])).code).toBe(0);
    expect((await bin(["audit", "--state", stateA, "--state", stateB, "--fail-on", "shared"])).code).toBe(3);
    // Ada's change in the lobby is seconds old; with no threshold it counts too.
    const all = JSON.parse((await bin(["audit", "--state", stateA, "--format", "json", "--pending-older-than", "0"])).stdout);
    expect(all.pending.map((x: { acsUserId: string }) => x.acsUserId).sort()).toEqual([u.ada, u.linus].sort());
    expect((await bin(["audit", "--state", stateA, "--fail-on", "pending", "--pending-older-than", "10800"])).code).toBe(0);
  });

  test("a clean stack reports nothing and exits 0, whatever --fail-on says", async () => {
    const r = await bin(["audit", "--state", await exportState(p, "clean"), "--fail-on", "all", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ unmanaged: [], missing: [], shared: [], pending: [] });
  });

  test("--stack exports the stack itself, and reads Seam with that stack's seam:* config first", async () => {
    const pulumiEnv = { PATH: `${process.env.PULUMI_SEAM_ACS_PULUMI_BIN}${path.delimiter}${process.env.PATH}`, PULUMI_HOME: p.home, PULUMI_BACKEND_URL: `file://${p.backend}`, PULUMI_CONFIG_PASSPHRASE: "test-passphrase" };
    const r = await runBin(["audit", "--stack", "clean", "--format", "json"], { env: { ...env(), ...pulumiEnv }, cwd: p.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).unmanaged).toEqual([]);

    // No SEAM_* variable at all: the stack's own (secret) config says where and with what key.
    await p.run(["config", "set", "seam:endpoint", fake.url, "--stack", "clean"]);
    await p.run(["config", "set", "--secret", "seam:apiKey", canary, "--stack", "clean"]);
    const before = fake.requests.length;
    const fromConfig = await runBin(["audit", "--stack", "clean", "--format", "json"], { env: pulumiEnv, cwd: p.dir });
    expect(fromConfig.stderr).toBe("");
    expect(fromConfig.code).toBe(0);
    expect(fake.requests.slice(before).length).toBeGreaterThan(0);
    expect(fake.requests.slice(before).every((q) => q.headers.authorization === `Bearer ${canary}`)).toBe(true);
    await p.run(["config", "rm", "seam:endpoint", "--stack", "clean"]);
    await p.run(["config", "rm", "seam:apiKey", "--stack", "clean"]);
  });

  test("bad input exits 1, usage errors 2, Seam unreadable never reads as clean", async () => {
    expect((await bin(["audit", "--state", "no-such.json"])).stderr).toMatch(/Cannot read the state no-such\.json: no such file/);
    const notState = await bin(["audit", "--state", "-"], { stdin: '{"steps": []}' });
    expect(notState.code).toBe(1);
    expect(notState.stderr).toMatch(/looks like `pulumi preview --json` output, not a stack's state/);
    const twice = await bin(["audit", "--state", stateA, "--state", stateA]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/The stack door\/a is given twice/);
    const noKey = await runBin(["audit", "--state", stateA], { env: { SEAM_ENDPOINT: fake.url } });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/No Seam credentials/);
    const down = await fake.duringOutage(membersRoute, { kind: "status", status: 503 }, {}, () =>
      bin(["audit", "--state", stateA, "--fail-on", "unmanaged"], { env: { ...env(), SEAM_MAX_ATTEMPTS: "1" } }),
    );
    expect(down.code).toBe(1);
    expect(down.stdout).toBe("");
    expect(down.stderr).toMatch(/the members of 2 of 2 access groups could not be read, so there is no audit/);
    expect((await bin(["audit"])).code).toBe(2);
    expect((await bin(["audit", "--state", stateA, "--fail-on", "everything"])).stderr).toMatch(/--fail-on takes unmanaged, missing, shared, pending or all/);
  });
});

test("review: an adopted pair, an already-removed pair, a real gain and a real removal in one preview", async () => {
  // Eve's console grant declared (adopted), grace-lobby (gone out of band) and ada-lobby dropped, grace added to the lab.
  await onStack("a", [m("eve-lobby", "eve", "lobby"), m("grace-lab", "grace", "lab"), m("alan-lab", "alan", "lab"), m("linus-lab", "linus", "lab")]);
  const preview = await p.run(["preview", "--json", "--show-sames", "--stack", "a"]);
  const before = fake.requests.length;
  const r = await bin(["review", "--format", "json"], { stdin: preview.stdout });
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout);
  const item = (user: string, group: string, name: string, groupName: string, atSeam: boolean) => ({
    acsUserId: u[user],
    acsAccessGroupId: g[group],
    resources: [urn("a", name)],
    user: { fullName: expect.any(String), email: `${user}@example.com` },
    group: { name: groupName },
    atSeam,
  });
  expect(json.additions).toEqual([item("eve", "lobby", "eve-lobby", "Lobby", true), item("grace", "lab", "grace-lab", "Lab", false)].sort(byPair));
  expect(json.removals).toEqual([item("ada", "lobby", "ada-lobby", "Lobby", true), item("grace", "lobby", "grace-lobby", "Lobby", false)]);
  // The review in doors reads per group here (3 people change, the workspace has 3 groups: docs/review.md,
  // "Per person or per group"): each group's member list once, shared by the names, the door's truth and
  // the doors; grace (in no list the names read) is looked up once.
  const sent = fake.requests.slice(before);
  expect(sent.filter((s) => s.path === membersRoute).map((s) => (s.body as { acs_access_group_id: string }).acs_access_group_id).sort()).toEqual([g.lab, g.lobby, g.roof].sort());
  expect(sent.filter((s) => s.path === userRoute).map((s) => (s.body as { acs_user_id: string }).acs_user_id)).toEqual([u.grace]);

  const text = await bin(["review"], { stdin: preview.stdout });
  const lines = text.stdout.split("\n");
  expect(lines[0]).toBe("1 loses access, 1 gains access, 0 moved in state, 1 adopted (already has access), 1 already gone");
  expect(lines).toContain("Already has access at Seam: adopted, no change at the door (the resource revokes it when it goes):");
  expect(lines).toContain("  Eve (eve@example.com) — Lobby — eve-lobby");
  expect(lines).toContain("  Grace Hopper (grace@example.com) — Lobby — grace-lobby");
  // --no-names: nothing sent, atSeam null, the guard still counts every remove `up` sends.
  const quiet = fake.requests.length;
  const noNames = await bin(["review", "--no-names", "--format", "json", "--max-removals", "1"], { stdin: preview.stdout });
  expect(noNames.code).toBe(3);
  expect(JSON.parse(noNames.stdout).removals.map((x: { atSeam: unknown }) => x.atSeam)).toEqual([null, null]);
  expect(fake.requests.length).toBe(quiet);
});

test("export → loadRoster → the review says adopted → up changes nothing at the door → audit finds no unmanaged access", async () => {
  const exported = await bin(["export", "--group", g.lobby!, "--group", g.lab!, "--group", g.roof!]);
  expect(exported.stderr).toBe("");
  expect(exported.code).toBe(0);
  const yaml = exported.stdout;
  // By email where it names one person, by id where it names two; names as comments.
  expect(yaml).toContain('      - email: "eve@example.com" # Eve\n');
  expect(yaml).toContain(`      - acsUserId: "${u.mallory}" # Mallory, mallory@example.com; 2 ACS users have its email\n`);
  expect(yaml).toMatch(/^  lobby:\n    # Lobby\n/m);
  expect(mutations().filter((r) => r.at > Date.now() - 5_000)).toEqual([]);

  const d = new PulumiProject("adopt", { program: rosterProgram, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  fs.writeFileSync(path.join(d.dir, "roster.yaml"), yaml);
  await d.init("prod");
  const atSeam = { lobby: fake.membersOf(g.lobby!).sort(), lab: fake.membersOf(g.lab!).sort(), roof: fake.membersOf(g.roof!).sort() };
  const preview = await d.previewJson(["--show-sames"]);
  expect(preview.code).toBe(0);
  const review = await bin(["review"], { stdin: preview.stdout });
  const adopted = atSeam.lobby.length + atSeam.lab.length + atSeam.roof.length;
  expect(review.stdout.split("\n")[0]).toBe(`0 lose access, 0 gain access, 0 moved in state, ${adopted} adopted (already has access)`);

  const before = mutations().length;
  await d.up();
  // A roster's create reads its group and adds only members missing there: every member is
  // adopted, so the first up sends nothing at all, and nobody gains or loses access.
  expect(mutations().slice(before)).toEqual([]);
  expect({ lobby: fake.membersOf(g.lobby!).sort(), lab: fake.membersOf(g.lab!).sort(), roof: fake.membersOf(g.roof!).sort() }).toEqual(atSeam);

  const audit = await bin(["audit", "--state", await exportState(d, "prod"), "--fail-on", "unmanaged,missing", "--format", "json"]);
  expect(audit.code).toBe(0);
  expect(JSON.parse(audit.stdout)).toMatchObject({ unmanaged: [], missing: [] });
});

test("export: usage and bad input", async () => {
  expect((await bin(["export"])).code).toBe(2);
  // Options are read as every command reads them (parse-options.ts): a typo is named, with a suggestion.
  const typo = await bin(["export", "--gruop", g.lobby!]);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toMatch(/unknown option --gruop \(did you mean --group\?\); the options of `export` are --group VALUE/);
  const auditTypo = await bin(["audit", "--formt", "json"]);
  expect(auditTypo.code).toBe(2);
  expect(auditTypo.stderr).toMatch(/unknown option --formt \(did you mean --format\?\)/);
  const none = await bin(["export", "--group", "acs_access_group_nope"]);
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/Seam has no access group acs_access_group_nope/);
  const other = await bin(["export", "--group", g.lobby!, "--acs-system-id", "some_other_system"]);
  expect(other.code).toBe(1);
  expect(other.stderr).toMatch(/belongs to access system .*, not some_other_system/);
  const help = await bin(["export", "--help"]);
  expect(help.stdout).toMatch(/^Usage: pulumi-seam-acs export --group ID/);
});

test("no token in any output", () => {
  expect(outputs.length).toBeGreaterThan(10);
  for (const o of outputs) {
    expect(o.stdout).not.toContain(canary);
    expect(o.stderr).not.toContain(canary);
  }
});

function byPair(a: { acsUserId?: unknown; acsAccessGroupId?: unknown }, b: { acsUserId?: unknown; acsAccessGroupId?: unknown }): number {
  return `${a.acsAccessGroupId}/${a.acsUserId}`.localeCompare(`${b.acsAccessGroupId}/${b.acsUserId}`);
}
