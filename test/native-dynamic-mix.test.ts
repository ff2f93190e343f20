/**
 * A Node.js program declaring one pair through the dynamic AccessGroupMembership AND the native
 * type (registered as a plain CustomResource of type seam:index:AccessGroupMembership): two
 * provider processes, each seeing one declarer. The rendezvous keyed by the engine address
 * (src/provider/declarers.ts) refuses it at preview, naming both; nothing is sent to Seam. And a pair
 * moved between the two types in one update, renamed, is netted across the two processes: never removed.
 */
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const program = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupMembership } = require("pulumi-seam-acs");
const config = new pulumi.Config();
const ids = { acsUserId: config.require("user"), acsAccessGroupId: config.require("group") };
new AccessGroupMembership("dynamic-one", ids);
new pulumi.CustomResource("seam:index:AccessGroupMembership", "native-one", { ...ids, workspaceId: undefined });
`;

test("the dynamic and the native type declaring one pair are refused at preview, naming both", async () => {
  const name = "native-dynamic-mix";
  const plugin = path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");
  const p = new PulumiProject(name, {
    files: {
      "Pulumi.yaml": `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\npackages:\n  seam: ${plugin}\n`,
      "index.js": program,
      "package.json": JSON.stringify({ name, private: true, main: "index.js" }),
    },
  });
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  const [user, group] = [fake.addUser("Both ways"), fake.addGroup("Both ways")];
  await p.run(["config", "set", "user", user]);
  await p.run(["config", "set", "group", group]);
  const seen = fake.requests.length;
  const preview = await p.preview({ allowFailure: true });
  const text = preview.stdout + preview.stderr;
  expect(preview.code).not.toBe(0);
  expect(text).toContain(`acs_user_id ${user} in acs_access_group_id ${group} is declared twice`);
  expect(text).toContain('AccessGroupMembership "native-one" (through the default seam provider)');
  expect(text).toContain("a resource of the Node.js program's dynamic provider");
  // `pulumi up` previews first (the default), so it stops before any step runs.
  const up = await p.run(["up", "--yes"], { allowFailure: true });
  expect(up.code).not.toBe(0);
  expect(fake.requests.slice(seen).filter((r) => r.path === addRoute || r.path === removeRoute)).toEqual([]);
});

const moving = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupMembership } = require("pulumi-seam-acs");
const config = new pulumi.Config();
const ids = { acsUserId: config.require("user"), acsAccessGroupId: config.require("group") };
// "kind/name": which type declares the pair, under which resource name.
const [kind, name] = config.require("declarer").split("/");
if (kind === "dynamic") new AccessGroupMembership(name, ids);
else new pulumi.CustomResource("seam:index:AccessGroupMembership", name, { ...ids, workspaceId: undefined });
`;

test("a pair moved between the dynamic and the native type in one update, with a rename, is never removed", async () => {
  const name = "native-dynamic-move";
  const plugin = path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");
  const p = new PulumiProject(name, {
    files: {
      "Pulumi.yaml": `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\npackages:\n  seam: ${plugin}\n`,
      "index.js": moving,
      "package.json": JSON.stringify({ name, private: true, main: "index.js" }),
    },
  });
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  const [user, group] = [fake.addUser("Moves type"), fake.addGroup("Moves type")];
  await p.run(["config", "set", "user", user]);
  await p.run(["config", "set", "group", group]);
  const mutations = (since: number) =>
    fake.requests.slice(since).filter((r) => r.path === addRoute || r.path === removeRoute).map((r) => `${r.path === addRoute ? "add" : "remove"} ${(r.body as { acs_user_id: string }).acs_user_id}`);
  // Each step: the declarer, then what Seam must receive (a new resource's create always sends its add).
  for (const declarer of ["dynamic/ada", "native/ada-native", "dynamic/ada-again"]) {
    await p.run(["config", "set", "declarer", declarer]);
    const seen = fake.requests.length;
    await p.up();
    expect({ declarer, sent: mutations(seen) }).toEqual({ declarer, sent: [`add ${user}`] });
    expect(fake.membersOf(group)).toEqual([user]);
  }
  const seen = fake.requests.length;
  await p.destroy();
  expect(mutations(seen)).toEqual([`remove ${user}`]);
});
