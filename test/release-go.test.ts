/**
 * A Go program with the released plugin on a machine without Node.js, two ways: `pulumi plugin install resource
 * seam <v> --file <the linux-amd64 tarball>` then `pulumi package add seam@<v>` (the SDK generated from the
 * installed plugin's schema, linked into go.mod); and the Go SDK committed under sdk/go, whose download URL and
 * version make the engine install the plugin on the first `up` (the URL redirected to a loopback server with
 * PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES, as a mirror would be). The program is test/fixtures/go-native-program.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "./support/consumer";
import { pathWithoutNode } from "./support/no-node-path";
import { PulumiProject } from "./support/pulumi";
import { serveRelease } from "./support/release-server";
import { testRelease, TestRelease } from "./support/release";
import { mutationsSince as mutations, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
let release: TestRelease;
let tools: string;
beforeAll(async () => {
  release = await testRelease();
  fake = await startSeamFake();
  // The Go toolchain and the C toolchain it may call, linked into a directory of their own: the machine's
  // /usr/bin also holds a node.
  tools = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-tools-"));
  for (const tool of ["go", "gofmt", "gcc", "cc", "as", "ld", "git"]) {
    const found = (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, tool)).find((f) => fs.existsSync(f));
    if (found) fs.symlinkSync(found, path.join(tools, tool));
  }
}, 900_000);
afterAll(() => {
  fake?.stop();
  if (tools) fs.rmSync(tools, { recursive: true, force: true });
});

const mutationsSince = (count: number) => mutations(fake, count);

// The first Go build against the SDK takes about 1.5 min on 2 cores when GOCACHE is cold.
jest.setTimeout(600_000);

test("plugin install --file, package add seam@<v>, up, destroy: a Go program with no Node.js on PATH", async () => {
  const fixture = path.join(repoRoot, "test/fixtures/go-native-program");
  const files: Record<string, string> = { "Pulumi.yaml": "name: release-go\nruntime: go\n" };
  for (const f of ["main.go", "go.mod", "go.sum"]) files[f] = fs.readFileSync(path.join(fixture, f), "utf8");
  const p = new PulumiProject("release-go", { files });
  p.setEnv({ PATH: pathWithoutNode(tools) });
  const v = release.version;
  await p.run(["plugin", "install", "resource", "seam", v, "--file", path.join(release.dir, `pulumi-resource-seam-v${v}-linux-amd64.tar.gz`)]);
  expect(fs.existsSync(path.join(p.home, "plugins", `resource-seam-v${v}`, "pulumi-resource-seam"))).toBe(true);
  await p.init();
  const add = await p.run(["package", "add", `seam@${v}`]);
  expect(add.stdout + add.stderr).toContain("github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go");
  expect(fs.readFileSync(path.join(p.dir, "go.mod"), "utf8")).toContain("replace github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go => ./sdks/seam");
  expect(fs.readFileSync(path.join(p.dir, "Pulumi.yaml"), "utf8")).toMatch(new RegExp(`packages:\\n\\s+seam: seam@${v.replace(/\./g, "\\.")}`));
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);

  const [ada, grace] = ["Ada Release Go", "Grace Release Go"].map((n) => fake.addUser(n)) as [string, string];
  const [lobby, lab] = ["Release Go Lobby", "Release Go Lab"].map((n) => fake.addGroup(n)) as [string, string];
  await p.run(["config", "set", "memberships", JSON.stringify([{ name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby }])]);
  await p.run(["config", "set", "rosters", JSON.stringify([{ name: "lab", acsAccessGroupId: lab, acsUserIds: { grace } }])]);
  let seen = fake.requests.length;
  const up = await p.up();
  expect(up.stdout).toContain("+ 3 created");
  expect(mutationsSince(seen).sort()).toEqual([`add ${ada}`, `add ${grace}`].sort());

  seen = fake.requests.length;
  const destroy = await p.destroy();
  expect(mutationsSince(seen).sort()).toEqual([`remove ${ada}`, `remove ${grace}`].sort());
  expect(fake.membersOf(lobby)).toEqual([]);
  expect(fake.membersOf(lab)).toEqual([]);
  for (const out of [up.stdout + up.stderr, destroy.stdout + destroy.stderr, p.stateFiles()]) expect(out).not.toContain(fake.apiKey);
});

test("the committed Go SDK installs the plugin itself: its pluginDownloadURL and version, redirected to a mirror; up, destroy; no Node.js on PATH", async () => {
  const fixture = path.join(repoRoot, "test/fixtures/go-native-program");
  const module = "github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go";
  const goMod = fs.readFileSync(path.join(fixture, "go.mod"), "utf8") + `\nrequire ${module} v0.0.0\n\nreplace ${module} => ./sdk-go\n`;
  const files: Record<string, string> = { "Pulumi.yaml": "name: release-go-sdk\nruntime: go\n", "go.mod": goMod };
  for (const f of ["main.go", "go.sum"]) files[f] = fs.readFileSync(path.join(fixture, f), "utf8");
  const p = new PulumiProject("release-go-sdk", { files });
  fs.cpSync(path.join(repoRoot, "sdk/go"), path.join(p.dir, "sdk-go"), { recursive: true });
  const server = await serveRelease(release.dir);
  try {
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "src/native/schema.json"), "utf8"));
    expect(schema.pluginDownloadURL).toBe("github://api.github.com/pulumi-seam-acs/pulumi-seam-acs");
    p.setEnv({ PATH: pathWithoutNode(tools), PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^github://api\\.github\\.com/pulumi-seam-acs/pulumi-seam-acs$=${server.url}` });
    await p.init();
    await p.run(["config", "set", "seam:endpoint", fake.url]);
    await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
    const [ada, lobby] = [fake.addUser("Ada Go SDK"), fake.addGroup("Go SDK Lobby")];
    await p.run(["config", "set", "memberships", JSON.stringify([{ name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby }])]);
    let seen = fake.requests.length;
    const up = await p.up();
    expect(up.stdout).toContain("+ 2 created");
    expect(server.requests).toEqual([`/pulumi-resource-seam-v${release.version}-linux-amd64.tar.gz`]);
    expect(fs.existsSync(path.join(p.home, "plugins", `resource-seam-v${release.version}`, "pulumi-resource-seam"))).toBe(true);
    expect(mutationsSince(seen)).toEqual([`add ${ada}`]);
    seen = fake.requests.length;
    await p.destroy();
    expect(mutationsSince(seen)).toEqual([`remove ${ada}`]);
    expect(p.stateFiles()).not.toContain(fake.apiKey);
  } finally {
    await server.stop();
  }
});
