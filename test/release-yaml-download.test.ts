/**
 * A YAML program on a machine without Node.js gets the native provider the way Pulumi's own providers are got:
 * the engine downloads the linux-amd64 plugin tarball of the release (test/support/release.ts) from the
 * resources' `pluginDownloadURL` (a loopback server) into a fresh PULUMI_HOME, and runs the standalone
 * executable. Then the program's life against Seam's fake: up, a preview of a removal, the up sending exactly
 * that remove, destroy; no token in the state.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { pathWithoutNode } from "./support/no-node-path";
import { ReleaseServer, serveRelease } from "./support/release-server";
import { testRelease, TestRelease } from "./support/release";
import { mutationsSince as mutations, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
let release: TestRelease;
let server: ReleaseServer;
beforeAll(async () => {
  release = await testRelease();
  fake = await startSeamFake();
  server = await serveRelease(release.dir);
}, 900_000);
afterAll(async () => {
  fake?.stop();
  await server?.stop();
});

const mutationsSince = (count: number) => mutations(fake, count);

const membership = (name: string, user: string, group: string) =>
  `  ${name}:\n    type: seam:index:AccessGroupMembership\n    properties:\n      acsUserId: ${user}\n      acsAccessGroupId: ${group}\n` +
  `    options:\n      version: ${release.version}\n      pluginDownloadURL: ${server.url}\n`;
const program = (resources: string) => `name: release-yaml\nruntime: yaml\nresources:\n${resources}`;

test("the engine downloads the plugin from pluginDownloadURL; up, a preview of a removal, up sends exactly that remove, destroy; no Node.js on PATH", async () => {
  const [ada, grace] = ["Ada Download", "Grace Download"].map((n) => fake.addUser(n)) as [string, string];
  const [lobby, lab] = ["Download Lobby", "Download Lab"].map((n) => fake.addGroup(n)) as [string, string];
  const p = new PulumiProject("release-yaml", { files: { "Pulumi.yaml": program(membership("ada-lobby", ada, lobby) + membership("grace-lab", grace, lab)) } });
  p.setEnv({ PATH: pathWithoutNode() });
  expect(fs.readdirSync(p.home)).toEqual([]); // a fresh PULUMI_HOME: no plugin installed
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);

  let seen = fake.requests.length;
  const up = await p.up();
  expect(up.stdout).toContain("+ 3 created");
  expect(mutationsSince(seen).sort()).toEqual([`add ${ada}`, `add ${grace}`].sort());
  const asset = `/pulumi-resource-seam-v${release.version}-linux-amd64.tar.gz`;
  expect(server.requests).toEqual([asset]);
  const installed = path.join(p.home, "plugins", `resource-seam-v${release.version}`, "pulumi-resource-seam");
  expect(fs.readFileSync(installed).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));

  // Grace's membership leaves the program: the preview shows that one delete, and up sends that one remove.
  fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), program(membership("ada-lobby", ada, lobby)));
  seen = fake.requests.length;
  const preview = await p.run(["preview", "--diff"]);
  expect(preview.stdout).toMatch(/- seam:index:AccessGroupMembership: \(delete\)/);
  expect(preview.stdout).toContain("grace-lab");
  expect(preview.stdout).toContain("- 1 to delete");
  expect(mutationsSince(seen)).toEqual([]);
  await p.up();
  expect(mutationsSince(seen)).toEqual([`remove ${grace}`]);
  expect(fake.membersOf(lab)).toEqual([]);
  expect(fake.membersOf(lobby)).toEqual([ada]);

  seen = fake.requests.length;
  const destroy = await p.destroy();
  expect(mutationsSince(seen)).toEqual([`remove ${ada}`]);
  expect(fake.membersOf(lobby)).toEqual([]);
  // Downloaded once: later commands use the installed plugin.
  expect(server.requests).toEqual([asset]);
  for (const out of [up.stdout + up.stderr, preview.stdout + preview.stderr, destroy.stdout + destroy.stderr, p.stateFiles()]) expect(out).not.toContain(fake.apiKey);
});
