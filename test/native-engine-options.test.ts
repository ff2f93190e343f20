/**
 * Engine options with the native types (YAML programs, real CLI, Seam's fake): a lost answer on a
 * create (the plugin reports the resource with ErrorResourceInitFailed, so the engine records it
 * and the next up confirms it without a second add), retainOnDelete, and destroy --target. The
 * decisions are the shared provider's (removal-policy.ts); these prove the native protocol carries them.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const pluginDir = () => path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");
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
