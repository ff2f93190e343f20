/**
 * Engine options with the native types (YAML programs, real CLI, Seam's fake): a lost answer on a
 * create (the plugin reports the resource with ErrorResourceInitFailed, so the engine records it
 * and the next up confirms it without a second add), retainOnDelete, destroy --target,
 * --continue-on-error past a failed add, and Ctrl-C while an add is in flight. The decisions are
 * the shared provider's (removal-policy.ts); these prove the native protocol carries them, and that
 * the review of the preview lists exactly the removes the runs send.
 */
import fs from "node:fs";
import path from "node:path";
import { startUp, until } from "./support/interrupt";
import { PulumiProject } from "./support/pulumi";
import { runReview } from "./support/review";
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const pluginDir = () => path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");
// Each test runs up to 9 CLI commands; on a loaded machine that passes jest's default.
jest.setTimeout(240_000);

const sent = (route: string, since: number) => fake.requests.slice(since).filter((r) => r.path === route).map((r) => (r.body as { acs_user_id: string }).acs_user_id);
const membership = (name: string, user: string, group: string, options = "") =>
  `  ${name}:\n    type: seam:index:AccessGroupMembership\n    properties:\n      acsUserId: ${user}\n      acsAccessGroupId: ${group}\n${options}`;

function write(p: PulumiProject, name: string, resources: string): void {
  fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), `name: ${name}\nruntime: yaml\npackages:\n  seam: ${pluginDir()}\nresources:\n${resources}`);
}
async function stack(name: string, resources: string, env: NodeJS.ProcessEnv = {}): Promise<PulumiProject> {
  const p = new PulumiProject(name, { files: { "Pulumi.yaml": "" }, env });
  write(p, name, resources);
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  return p;
}
/** Resource name → id, for every membership in the state. */
async function trackedByName(p: PulumiProject): Promise<Record<string, string>> {
  return Object.fromEntries((await tracked(p)).map((r) => [r.urn.split("::").at(-1)!, r.id]));
}
/** The removals `pulumi-seam-acs review` finds in this stack's `pulumi preview --json` (as `<group>/<user>`). */
async function reviewedRemovals(p: PulumiProject): Promise<string[]> {
  const preview = await p.previewJson(["--show-sames"]);
  expect(preview.code).toBe(0);
  const review = await runReview(["review", "--no-names", "--format", "json"], { stdin: preview.stdout });
  expect(review.code).toBe(0);
  return (JSON.parse(review.stdout).removals as { acsUserId: string; acsAccessGroupId: string }[]).map((r) => `${r.acsAccessGroupId}/${r.acsUserId}`).sort();
}
const removedPairs = (since: number) =>
  fake.requests
    .slice(since)
    .filter((r) => r.path === removeRoute)
    .map((r) => r.body as { acs_user_id: string; acs_access_group_id: string })
    .map((b) => `${b.acs_access_group_id}/${b.acs_user_id}`)
    .sort();

async function tracked(p: PulumiProject): Promise<{ urn: string; id: string; outputs: Record<string, unknown> }[]> {
  const resources = JSON.parse((await p.run(["stack", "export"])).stdout).deployment.resources ?? [];
  return resources.filter((r: { type: string }) => r.type === "seam:index:AccessGroupMembership");
}

test("a lost answer on create is recorded as unconfirmed; the next up confirms it without a second add", async () => {
  const [u, g] = [fake.addUser("Lost"), fake.addGroup("Lost")];
  const name = "native-lost-answer";
  const p = await stack(name, membership("lost", u, g), { SEAM_MAX_ATTEMPTS: "1" });
  const failed = await fake.duringOutage("/acs/access_groups/list", { kind: "status", status: 503 }, {}, async () => {
    fake.injectFaults(addRoute, [{ kind: "lostAnswer" }]);
    return p.up({ allowFailure: true });
  });
  expect(failed.code).not.toBe(0);
  expect(failed.stdout + failed.stderr).toMatch(/recorded in the state as unconfirmed/);
  expect(fake.membersOf(g)).toEqual([u]);
  const state = await tracked(p);
  expect(state.map((r) => r.id)).toEqual([`${g}/${u}`]);
  expect(state[0]!.outputs.addUnconfirmed).toBe(true);
  const mark = fake.requests.length;
  await p.up();
  expect(sent(addRoute, mark)).toEqual([]);
  expect((await tracked(p))[0]!.outputs).not.toHaveProperty("addUnconfirmed");
});

test("retainOnDelete releases the pair from the state with access kept; destroy --target revokes only its target", async () => {
  const [a, b, c] = ["Keep", "Target", "Other"].map((n) => fake.addUser(n)) as [string, string, string];
  const g = fake.addGroup("Options");
  const name = "native-options";
  const p = await stack(name, membership("keep", a, g, "    options:\n      retainOnDelete: true\n") + membership("target", b, g) + membership("other", c, g));
  await p.up();
  expect(fake.membersOf(g).sort()).toEqual([a, b, c].sort());

  write(p, name, membership("target", b, g) + membership("other", c, g));
  let mark = fake.requests.length;
  await p.up();
  expect(sent(removeRoute, mark)).toEqual([]);
  expect(fake.membersOf(g)).toContain(a);
  expect((await tracked(p)).map((r) => r.id).sort()).toEqual([`${g}/${b}`, `${g}/${c}`].sort());

  mark = fake.requests.length;
  await p.run(["destroy", "--yes", "--skip-preview", "--target", `urn:pulumi:test::${name}::seam:index:AccessGroupMembership::target`]);
  expect(sent(removeRoute, mark)).toEqual([b]);
  expect(fake.membersOf(g).sort()).toEqual([a, c].sort());
});

test("--continue-on-error past a failed add: the old declarer of the pair is not removed and stays tracked; the other removal is the review's", async () => {
  const [ada, alan] = ["Ada Continue", "Alan Continue"].map((n) => fake.addUser(n)) as [string, string];
  const g = fake.addGroup("Continue");
  const name = "native-continue";
  const p = await stack(name, membership("ada-lobby", ada, g) + membership("alan-lobby", alan, g), { SEAM_MAX_ATTEMPTS: "1" });
  await p.up();

  // Ada's membership renamed without an alias (a move: create the new, delete the old), Alan's dropped.
  write(p, name, membership("ada-front-door", ada, g));
  const removals = await reviewedRemovals(p);
  expect(removals).toEqual([`${g}/${alan}`]);
  // The new declarer's add fails with a definite 4xx; the engine carries on to the deletes.
  fake.injectFaults(addRoute, [{ kind: "status", status: 400, body: JSON.stringify({ error: { type: "invalid_input", message: "Injected" } }) }], (b) => (b as { acs_user_id: string }).acs_user_id === ada);
  const mark = fake.requests.length;
  const failed = await p.run(["up", "--yes", "--skip-preview", "--continue-on-error"], { allowFailure: true });
  expect(failed.code).not.toBe(0);
  expect(failed.stdout + failed.stderr).toMatch(/delete refused: acs_user_id \S+ in acs_access_group_id \S+ is still declared by the program, but the resource declaring it has not entered the state/);
  expect(removedPairs(mark)).toEqual(removals);
  expect(fake.membersOf(g)).toEqual([ada]);
  expect(await trackedByName(p)).toEqual({ "ada-lobby": `${g}/${ada}` });
});

test("Ctrl-C while an add is held by Seam: the add is tracked, and the next up sends no second add and only the review's removals", async () => {
  const [ada, grace, alan] = ["Ada Cancel", "Grace Cancel", "Alan Cancel"].map((n) => fake.addUser(n)) as [string, string, string];
  const g = fake.addGroup("Cancel");
  const name = "native-cancel";
  const p = await stack(name, membership("grace-lobby", grace, g) + membership("alan-lobby", alan, g));
  await p.up();

  // Ada gains the lobby and Alan leaves it; Seam holds Ada's add for 6 s, and Ctrl-C lands meanwhile.
  write(p, name, membership("grace-lobby", grace, g) + membership("ada-lobby", ada, g));
  const removals = await reviewedRemovals(p);
  expect(removals).toEqual([`${g}/${alan}`]);
  fake.injectFaults(addRoute, [{ kind: "delay", ms: 6_000 }], (b) => (b as { acs_user_id: string }).acs_user_id === ada);
  const mark = fake.requests.length;
  const run = startUp(p);
  await until(() => sent(addRoute, mark).includes(ada), "Ada's add to reach Seam");
  process.kill(-run.child.pid!, "SIGINT");
  expect(await run.exited).not.toBe(0);
  expect(run.output()).toMatch(/cancel/i);
  // The engine waited for the add in flight and recorded it: access granted is tracked.
  expect(fake.membersOf(g).sort()).toEqual([ada, grace, alan].sort());
  expect((await trackedByName(p))["ada-lobby"]).toBe(`${g}/${ada}`);

  // The next up finishes the change: no second add, and the removes of both runs are the review's.
  const next = fake.requests.length;
  await p.up();
  expect(sent(addRoute, next)).toEqual([]);
  expect(removedPairs(mark)).toEqual(removals);
  expect(fake.membersOf(g).sort()).toEqual([ada, grace].sort());
  expect(await trackedByName(p)).toEqual({ "grace-lobby": `${g}/${grace}`, "ada-lobby": `${g}/${ada}` });
});
