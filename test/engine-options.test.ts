/**
 * Issue 12's rows under the real engine (the pulumi CLI with the flags operators pass) against
 * Seam's fake: one declarer per pair, delete-first replacements, --continue-on-error, a lost
 * answer, --target / destroy --target / --exclude-protected / retainOnDelete, and cancelling a
 * run. Each test asserts what Seam holds and what the state tracks. Dense on purpose: several
 * cases per stack, configuration written straight into the stack file (no CLI call per change).
 */
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { killGroup, killProcess, processesIn, startUp, until } from "./support/interrupt";
import { PulumiProject } from "./support/pulumi";
import { addRoute as add, PendingMutation, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

// Each test runs 5–9 CLI commands on one stack; on a loaded machine that passes jest's default.
jest.setTimeout(360_000);

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

/** Memberships and rosters from stack config, each with the resource options given. */
const program = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupMembership, AccessGroupRoster } = require("pulumi-seam-acs");
const config = new pulumi.Config();
if (config.getBoolean("deleteBeforeReplaceTransform")) {
  // A stack transform the constructor cannot see: the provider's delete is the last defence.
  pulumi.runtime.registerResourceTransform((args) => ({ props: args.props, opts: { ...args.opts, deleteBeforeReplace: true } }));
}
for (const m of config.getObject("memberships") || []) {
  new AccessGroupMembership(m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId }, m.opts || {});
}
for (const r of config.getObject("rosters") || []) {
  new AccessGroupRoster(r.name, { acsAccessGroupId: r.acsAccessGroupId, acsUserIds: r.acsUserIds }, r.opts || {});
}
`;

interface M {
  name: string;
  acsUserId: string;
  acsAccessGroupId: string;
  opts?: Record<string, unknown>;
}
interface R {
  name: string;
  acsAccessGroupId: string;
  acsUserIds: Record<string, string>;
  opts?: Record<string, unknown>;
}

async function stack(name: string, env: NodeJS.ProcessEnv = {}) {
  const p = new PulumiProject(name, { program, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, ...env } });
  await p.init();
  return p;
}

/** Writes the stack's config file directly (keeping the passphrase salt `stack init` wrote). */
function configure(p: PulumiProject, config: { memberships?: M[]; rosters?: R[]; autonaming?: unknown; transform?: boolean }) {
  const file = path.join(p.dir, "Pulumi.test.yaml");
  const project = path.basename(p.dir).replace(/-[^-]+$/, "");
  const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  doc.config = {
    [`${project}:memberships`]: JSON.stringify(config.memberships ?? []),
    [`${project}:rosters`]: JSON.stringify(config.rosters ?? []),
    ...(config.autonaming ? { "pulumi:autonaming": config.autonaming } : {}),
    ...(config.transform ? { [`${project}:deleteBeforeReplaceTransform`]: "true" } : {}),
  };
  fs.writeFileSync(file, YAML.stringify(doc));
}

/** Resource name → its pair, for every membership in the state. */
async function tracked(p: PulumiProject): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await p.seamResources()) out[r.urn.split("::").at(-1)!] = r.id;
  return out;
}

const id = (u: string, g: string) => `${g}/${u}`;
const out = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;
function sent(route: string, since: number) {
  return fake.requests.slice(since).filter((r) => r.path === route);
}

test("one declarer per pair, delete-first replacements refused at preview; renames and swaps still move without a remove", async () => {
  const [u1, u2] = [fake.addUser("ada"), fake.addUser("grace")];
  const [g1, g2] = [fake.addGroup("lobby"), fake.addGroup("lab")];
  const p = await stack("declarers");
  const before = fake.requests.length;

  // Two resources declare (U1,G1): refused at preview, naming the pair and both, once; nothing sent.
  configure(p, { memberships: [{ name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 }], rosters: [{ name: "lobby", acsAccessGroupId: g1, acsUserIds: { ada: u1 } }] });
  const twice = await p.preview({ allowFailure: true });
  expect(twice.code).not.toBe(0);
  expect(out(twice)).toContain(`acs_user_id ${u1} in acs_access_group_id ${g1} is declared twice: by AccessGroupMembership "ada-lobby" and by AccessGroupRoster "lobby" member "ada"`);
  // Once among the diagnostics, with no stack trace (the progress line repeats it, as for any error).
  const diagnostics = out(twice).slice(out(twice).indexOf("Diagnostics:"));
  expect(diagnostics.match(/is declared twice/g)).toHaveLength(1);
  expect(diagnostics).not.toMatch(/\n\s+at /);
  expect(sent(add, before).length + sent(remove, before).length).toBe(0);
  // The same under `up --target` (the program still runs whole). Without a preview, the first
  // declarer may be created before the second one fails the run: an add, tracked; never a remove.
  const targeted = await p.run(["up", "--yes", "--skip-preview", "--target", "urn:pulumi:test::declarers::pulumi-nodejs:dynamic/seam:AccessGroupMembership::ada-lobby"], { allowFailure: true });
  expect(targeted.code).not.toBe(0);
  expect(out(targeted)).toMatch(/is declared twice/);

  // deleteBeforeReplace on a membership: refused at preview, saying what to change.
  configure(p, { memberships: [{ name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1, opts: { deleteBeforeReplace: true } }] });
  const dbr = await p.preview({ allowFailure: true });
  expect(dbr.code).not.toBe(0);
  expect(out(dbr)).toMatch(/AccessGroupMembership "ada-lobby" has the option deleteBeforeReplace, which pulumi-seam-acs refuses.*Remove deleteBeforeReplace/);
  expect(sent(remove, before)).toHaveLength(0);

  // A, B and D in place; then pulumi:autonaming verbatim with a replacement: refused at preview.
  const a = { name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 };
  const b = { name: "b", acsUserId: u1, acsAccessGroupId: g2 };
  const d = { name: "d", acsUserId: u2, acsAccessGroupId: g1 };
  configure(p, { memberships: [a, b, d] });
  await p.up();
  const swapped = [{ ...a, acsAccessGroupId: g2 }, { ...b, acsAccessGroupId: g1 }, { ...d, name: "e" }];
  configure(p, { memberships: swapped, autonaming: { mode: "verbatim" } });
  const autonamed = await p.preview({ allowFailure: true });
  expect(autonamed.code).not.toBe(0);
  expect(out(autonamed)).toMatch(/must be replaced \(acsAccessGroupId changed\), and pulumi:autonaming has mode verbatim/);

  // Without it: the swap of groups between A and B and the rename of D to E send no remove.
  configure(p, { memberships: swapped });
  const mark = fake.requests.length;
  await p.up();
  expect(sent(remove, mark)).toHaveLength(0);
  expect(fake.membersOf(g1).sort()).toEqual([u1, u2].sort());
  expect(fake.membersOf(g2)).toEqual([u1]);
  expect(await tracked(p)).toEqual({ "ada-lobby": id(u1, g2), b: id(u1, g1), e: id(u2, g1) });

  // A stack transform makes E's replacement delete-first: its delete is refused before any request.
  configure(p, { memberships: [swapped[0]!, swapped[1]!, { ...swapped[2]!, acsAccessGroupId: g2 }], transform: true });
  const transformed = await p.up({ allowFailure: true });
  expect(transformed.code).not.toBe(0);
  expect(out(transformed)).toMatch(/delete refused: the engine is replacing the membership of acs_user_id \S+ in acs_access_group_id \S+ delete-first/);
  expect(sent(remove, mark)).toHaveLength(0);
  expect(fake.membersOf(g1).sort()).toEqual([u1, u2].sort());
  expect((await tracked(p)).e).toBe(id(u2, g1));
});

test("--continue-on-error with a failed rename keeps the pair tracked; a lost answer is recorded and the next up confirms it", async () => {
  const [u1, u2] = [fake.addUser("ada"), fake.addUser("grace")];
  const g1 = fake.addGroup("lobby");
  const p = await stack("continue", { SEAM_MAX_ATTEMPTS: "1" });
  configure(p, { memberships: [{ name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 }] });
  await p.up();

  // Renamed without an alias; the new resource's add fails with a definite 4xx.
  configure(p, { memberships: [{ name: "ada-front-door", acsUserId: u1, acsAccessGroupId: g1 }] });
  fake.injectFaults(add, [{ kind: "status", status: 400, body: JSON.stringify({ error: { type: "invalid_input", message: "Injected" } }) }]);
  let mark = fake.requests.length;
  const failed = await p.run(["up", "--yes", "--skip-preview", "--continue-on-error"], { allowFailure: true });
  expect(failed.code).not.toBe(0);
  expect(out(failed)).toMatch(/delete refused: acs_user_id \S+ in acs_access_group_id \S+ is still declared by the program, but the resource declaring it has not entered the state/);
  expect(sent(remove, mark)).toHaveLength(0);
  expect(fake.membersOf(g1)).toEqual([u1]);
  expect(await tracked(p)).toEqual({ "ada-lobby": id(u1, g1) });

  // Grace's add: the answer is lost, and the check fails too (the rename is undone meanwhile).
  configure(p, {
    memberships: [
      { name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 },
      { name: "grace-lobby", acsUserId: u2, acsAccessGroupId: g1 },
    ],
  });
  mark = fake.requests.length;
  const lost = await fake.duringOutage("/acs/access_groups/list", { kind: "status", status: 503 }, {}, async () => {
    fake.injectFaults(add, [{ kind: "lostAnswer" }]);
    return p.up({ allowFailure: true });
  });
  expect(lost.code).not.toBe(0);
  expect(out(lost)).toMatch(/Whether it took effect is unknown.*recorded in the state as unconfirmed/);
  expect(sent(remove, mark)).toHaveLength(0);
  expect(fake.membersOf(g1).sort()).toEqual([u1, u2].sort());
  const state = await p.memberships();
  // Grace is tracked although her create failed.
  expect(Object.fromEntries(state.map((r) => [r.urn.split("::").at(-1), r.id]))).toEqual({ "ada-lobby": id(u1, g1), "grace-lobby": id(u2, g1) });
  expect(state.find((r) => r.urn.endsWith("::grace-lobby"))!.outputs.addUnconfirmed).toBe(true);

  // The next up confirms Grace (read, no second add); dropping Ada then revokes her.
  configure(p, { memberships: [{ name: "grace-lobby", acsUserId: u2, acsAccessGroupId: g1 }] });
  mark = fake.requests.length;
  await p.up();
  expect(sent(add, mark)).toHaveLength(0);
  expect(sent(remove, mark).map((r) => (r.body as { acs_user_id: string }).acs_user_id)).toEqual([u1]);
  expect(fake.storedMembersOf(g1)).toEqual([u2]);
  const confirmed = await p.memberships();
  expect(confirmed.map((r) => r.id)).toEqual([id(u2, g1)]);
  expect(confirmed[0]!.outputs).not.toHaveProperty("addUnconfirmed");
});

test("retainOnDelete, destroy --target and destroy --exclude-protected: each delete is of the pair's only declarer", async () => {
  const [u1, u2, u3, u4] = [fake.addUser("ada"), fake.addUser("grace"), fake.addUser("alan"), fake.addUser("edsger")];
  const g1 = fake.addGroup("lobby");
  const p = await stack("targets");
  const roster = { name: "staff", acsAccessGroupId: g1, acsUserIds: { ada: u1 }, opts: { protect: true } };
  const memberships = [
    { name: "grace-lobby", acsUserId: u2, acsAccessGroupId: g1, opts: { retainOnDelete: true } },
    { name: "alan-lobby", acsUserId: u3, acsAccessGroupId: g1 },
    { name: "edsger-lobby", acsUserId: u4, acsAccessGroupId: g1 },
  ];
  configure(p, { memberships, rosters: [roster] });
  await p.up();

  // grace-lobby (retainOnDelete) leaves the program: released from the state, access stays at Seam.
  configure(p, { memberships: memberships.slice(1), rosters: [roster] });
  let mark = fake.requests.length;
  await p.up();
  expect(sent(remove, mark)).toHaveLength(0);
  expect(Object.keys(await tracked(p)).sort()).toEqual(["alan-lobby", "edsger-lobby", "staff"]);
  expect(fake.membersOf(g1)).toContain(u2);

  // destroy --target one membership: only its pair is revoked.
  mark = fake.requests.length;
  await p.run(["destroy", "--yes", "--skip-preview", "--target", "urn:pulumi:test::targets::pulumi-nodejs:dynamic/seam:AccessGroupMembership::alan-lobby"]);
  expect(sent(remove, mark).map((r) => (r.body as { acs_user_id: string }).acs_user_id)).toEqual([u3]);

  // destroy --exclude-protected: the protected roster keeps Ada; Edsger goes.
  mark = fake.requests.length;
  await p.run(["destroy", "--yes", "--skip-preview", "--exclude-protected"]);
  expect(sent(remove, mark).map((r) => (r.body as { acs_user_id: string }).acs_user_id)).toEqual([u4]);
  expect(fake.membersOf(g1).sort()).toEqual([u1, u2].sort());
  expect(Object.keys(await tracked(p))).toEqual(["staff"]);
});

const at = new Date().toISOString();
const deferred = (group: string): PendingMutation => ({
  mutation_code: "deferring_group_membership_update",
  created_at: at,
  message: "Deferred",
  acs_access_group_id: group,
  variant: "adding",
});

test("cancel: Ctrl-C ends a long waitForSync within seconds with the add recorded; after SIGTERM+SIGKILL the leftover shows and the documented commands reconcile it", async () => {
  const [u1, u2] = [fake.addUser("ada"), fake.addUser("grace")];
  const g1 = fake.addGroup("lobby");
  const p = await stack("cancel", { SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "120" });
  fake.setPendingMutations(u1, [deferred(g1)]);
  fake.setPendingMutations(u2, [deferred(g1)]);

  // First Ctrl-C (SIGINT to the process group) while Ada's create waits for the door.
  configure(p, { memberships: [{ name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 }] });
  let run = startUp(p);
  await until(() => fake.membersOf(g1).includes(u1) && fake.requestsTo("/acs/users/get").some((r) => (r.body as { acs_user_id?: string }).acs_user_id === u1), "Ada's add and first look");
  const signalled = Date.now();
  process.kill(-run.child.pid!, "SIGINT");
  expect(await run.exited).not.toBe(0);
  const took = Date.now() - signalled;
  console.log(`cancel: the run ended ${took} ms after SIGINT`);
  expect(took).toBeLessThan(15_000);
  expect(run.output()).toMatch(/waiting for the access system failed: the engine cancelled the run/);
  expect(await tracked(p)).toEqual({ "ada-lobby": id(u1, g1) });

  // SIGTERM, then SIGKILL a second later (how hosted CI cancels), while Grace's create waits:
  // measured, the CLI treats SIGTERM as Ctrl-C, so the second is enough to record her.
  const grace = { name: "grace-lobby", acsUserId: u2, acsAccessGroupId: g1 };
  configure(p, { memberships: [{ name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 }, grace] });
  fake.setPendingMutations(u1, []);
  run = startUp(p);
  await until(() => fake.membersOf(g1).includes(u2), "Grace's add");
  await new Promise((r) => setTimeout(r, 300));
  process.kill(-run.child.pid!, "SIGTERM");
  await new Promise((r) => setTimeout(r, 1_000));
  killGroup(run.child.pid!);
  await run.exited;
  expect(await tracked(p)).toEqual({ "ada-lobby": id(u1, g1), "grace-lobby": id(u2, g1) });

  // SIGKILL with no warning while Alan's create waits: the engine never hears back.
  const alan = fake.addUser("alan");
  fake.setPendingMutations(alan, [deferred(g1)]);
  configure(p, { memberships: [{ name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 }, grace, { name: "alan-lobby", acsUserId: alan, acsAccessGroupId: g1 }] });
  fake.setPendingMutations(u2, []);
  run = startUp(p);
  await until(() => fake.membersOf(g1).includes(alan), "Alan's add");
  killGroup(run.child.pid!);
  await run.exited;
  // The provider runs in its own process group, so it outlives the CLI: end what this test started.
  await new Promise((r) => setTimeout(r, 500));
  const orphans = processesIn(p.dir);
  console.log(`after SIGKILL, ${orphans.length} process(es) of this stack still ran`);
  for (const pid of orphans) killProcess(pid);
  fake.setPendingMutations(alan, []);
  // The leftover: Alan is in the group with nothing in the state but a pending create.
  expect(fake.membersOf(g1)).toContain(alan);
  expect(Object.keys(await tracked(p))).not.toContain("alan-lobby");
  const { stdout } = await p.run(["stack", "export"]);
  const pending = (JSON.parse(stdout).deployment.pending_operations ?? []) as { type: string; resource: { urn: string } }[];
  // (Grace's update, for her recorded wait, was running too.)
  expect(pending.map((o) => `${o.type} ${o.resource.urn.split("::").at(-1)}`)).toContain("creating alan-lobby");
  // The next preview shows Alan as an add (the review lists him as gaining access he already has).
  const preview = await p.preview({ allowFailure: true });
  expect(out(preview)).toMatch(/\+ +pulumi-nodejs:dynamic\/seam:AccessGroupMembership alan-lobby create/);
  // The documented reconcile: release the lock the killed CLI left (file backend), clear the
  // pending create, then up adopts the declared pair.
  await p.run(["cancel", "--yes"]);
  await p.run(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
  await p.up();
  expect(await tracked(p)).toEqual({ "ada-lobby": id(u1, g1), "grace-lobby": id(u2, g1), "alan-lobby": id(alan, g1) });
  expect(fake.membersOf(g1).sort()).toEqual([u1, u2, alan].sort());
});
