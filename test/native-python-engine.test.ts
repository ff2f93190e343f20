/**
 * The native `seam` provider from a Python program under the real CLI, against Seam's fake, installed the Pulumi
 * way with no Node.js on the program's PATH. The project is laid out as `pulumi new python` makes it (`runtime:
 * {name: python, options: {toolchain: pip, virtualenv: venv}}`, requirements.txt, __main__.py:
 * test/fixtures/python-native-program) and run by this repository's own pulumi-language-python
 * (scripts/language-hosts.sh). `pulumi install` creates the virtualenv and pip-installs the requirements into it:
 * `pulumi` pinned, from PyPI through the wheelhouse scripts/python-wheels.sh caches (pip runs offline,
 * PIP_NO_INDEX), and `pulumi_seam`, the wheel of the release (test/support/release.ts). The wheel's
 * pulumi-plugin.json names the plugin, its version and the release's download location; the engine downloads the
 * linux-amd64 tarball from there into the project's fresh PULUMI_HOME, through a download mirror (Pulumi's
 * PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES) on a loopback server.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./support/consumer";
import { pathWithoutNode } from "./support/no-node-path";
import { PulumiProject } from "./support/pulumi";
import { ReleaseServer, serveRelease } from "./support/release-server";
import { testRelease, TestRelease } from "./support/release";
import { runReview } from "./support/review";
import { mutationsSince as mutations, SeamFake, startSeamFake } from "./support/seam-fake";

const run = promisify(execFile);

let fake: SeamFake;
let release: TestRelease;
let server: ReleaseServer;
let work: string;
/** What every project's commands get on top of PulumiProject's environment: pip offline, a PATH without node. */
let projectEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  release = await testRelease();
  fake = await startSeamFake();
  server = await serveRelease(release.dir);
  work = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-python-"));
  // The released wheel, alone in a folder pip looks in (the release folder also holds other tarballs).
  const wheels = fs.readdirSync(release.dir).filter((f) => /^pulumi_seam-.*\.whl$/.test(f));
  expect(wheels).toEqual([`pulumi_seam-${release.version}-py3-none-any.whl`]);
  fs.mkdirSync(path.join(work, "wheels"));
  fs.copyFileSync(path.join(release.dir, wheels[0]!), path.join(work, "wheels", wheels[0]!));

  // .ci/run prepares the wheelhouse (the only step that reaches PyPI); a local run prepares it here the first time.
  const wheelhouse = process.env.PULUMI_SEAM_ACS_PYTHON_WHEELS ?? (await run("bash", [path.join(repoRoot, "scripts/python-wheels.sh")])).stdout.trim();
  // Python is named by PULUMI_PYTHON_CMD, not found on PATH: the host creates the virtualenv with it, then runs the
  // virtualenv's own python.
  const python = (await run("python3", ["-c", "import os, sys; print(os.path.realpath(sys.executable))"])).stdout.trim();
  const mirror = `^${release.pluginDownloadURL.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}=${server.url}`;
  projectEnv = {
    PIP_NO_INDEX: "1",
    PIP_FIND_LINKS: `${wheelhouse} ${path.join(work, "wheels")}`,
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PULUMI_PYTHON_CMD: python,
    PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: mirror,
    PATH: pathWithoutNode(),
  };
}, 900_000);
afterAll(async () => {
  fake?.stop();
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const mutationsSince = (count: number) => mutations(fake, count);

/** The fixture program's files, with a Pulumi.yaml as `pulumi new python` writes it. */
function fixtureFiles(name: string): Record<string, string> {
  const fixture = path.join(repoRoot, "test/fixtures/python-native-program");
  const files: Record<string, string> = {
    "Pulumi.yaml": `name: ${name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n`,
  };
  for (const f of ["__main__.py", "requirements.txt"]) files[f] = fs.readFileSync(path.join(fixture, f), "utf8");
  return files;
}

/** A Python project (the fixture's files unless given), as `pulumi new python` lays it out, with its virtualenv installed. */
async function pythonProject(name: string, files: Record<string, string> = fixtureFiles(name)): Promise<PulumiProject> {
  const p = new PulumiProject(name, { files, env: projectEnv });
  expect(fs.readdirSync(p.home)).toEqual([]); // a fresh PULUMI_HOME: no plugin installed
  const asked = server.requests.length;
  const install = await p.run(["install"]);
  expect(install.stdout + install.stderr).toContain("Finished installing dependencies");
  expect(fs.existsSync(path.join(p.dir, "venv", "bin", "python"))).toBe(true);
  // The engine took the plugin named by the wheel (through the mirror) into this project's own PULUMI_HOME.
  expect(server.requests.slice(asked)).toEqual([`/pulumi-resource-seam-v${release.version}-linux-amd64.tar.gz`]);
  const installed = path.join(p.home, "plugins", `resource-seam-v${release.version}`, "pulumi-resource-seam");
  expect(fs.readFileSync(installed).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // ELF
  await p.init();
  return p;
}

async function seamResources(p: PulumiProject) {
  const { stdout } = await p.run(["stack", "export"]);
  return (JSON.parse(stdout).deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("seam:index:"));
}
/** Resource name → id, for every seam resource in the state. */
const trackedByName = async (p: PulumiProject) =>
  Object.fromEntries((await seamResources(p)).map((r: { urn: string; id: string }) => [r.urn.split("::").pop(), r.id]));
const setConfig = (p: PulumiProject, key: string, value: unknown) => p.run(["config", "set", key, JSON.stringify(value)]);

jest.setTimeout(600_000);

test("a Python program: a program error shown once, up of a membership and rosters (list and dict), preview --diff of a member leaving and its review, up sending exactly the review's removals, a second workspace through an explicit provider, destroy; no token in state", async () => {
  const [ada, grace, alan, linus] = ["Ada Py", "Grace Py", "Alan Py", "Linus Py"].map((n) => fake.addUser(n)) as [string, string, string, string];
  const [lobby, lab, desk] = ["Py Lobby", "Py Lab", "Py Desk"].map((n) => fake.addGroup(n)) as [string, string, string];
  const w2 = { user: fake.addUser("Py site B", fake.seed.seed_workspace_2), group: fake.addGroup("Py door B", fake.seed.seed_workspace_2) };
  const p = await pythonProject("native-python-life");
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  await p.run(["config", "set", "--secret", "siteBKey", fake.seed.seam_apikey2_token!]);
  await setConfig(p, "sites", [{ name: "site-b", keyConfig: "siteBKey", endpoint: fake.url }]);
  // A program error first: it reaches the user once, with the program's own frame, and nothing is sent.
  await setConfig(p, "memberships", [{ name: "m", acsUserId: ada, acsAccessGroupId: lobby, site: "nowhere" }]);
  let seen = fake.requests.length;
  const failed = await p.preview({ allowFailure: true });
  expect(failed.code).not.toBe(0);
  expect((failed.stdout + failed.stderr).match(/m names unknown site 'nowhere'/g)).toHaveLength(1);
  expect(failed.stdout + failed.stderr).toMatch(/__main__\.py", line \d+/);
  expect(failed.stdout + failed.stderr).not.toContain("program exited with non-zero exit code");
  expect(mutationsSince(seen)).toEqual([]);

  await setConfig(p, "memberships", [
    { name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby },
    { name: "b-door", acsUserId: w2.user, acsAccessGroupId: w2.group, site: "site-b" },
  ]);
  const labMembers = { grace, alan };
  await setConfig(p, "rosters", [
    { name: "lab", acsAccessGroupId: lab, acsUserIds: labMembers },
    { name: "desk", acsAccessGroupId: desk, acsUserIds: [linus, ada] },
  ]);

  seen = fake.requests.length;
  const up = await p.up();
  expect(up.stdout).toContain("+ 6 created"); // the stack, the explicit provider, two memberships, two rosters
  expect(mutationsSince(seen).sort()).toEqual([ada, w2.user, grace, alan, linus, ada].map((u) => `add ${u}`).sort());
  expect(fake.membersOf(lobby)).toEqual([ada]);
  expect(fake.membersOf(lab).sort()).toEqual([grace, alan].sort());
  expect(fake.membersOf(desk).sort()).toEqual([linus, ada].sort());
  expect(fake.membersOf(w2.group)).toEqual([w2.user]);
  expect(await trackedByName(p)).toEqual({
    "ada-lobby": `${lobby}/${ada}`,
    "b-door": `${w2.group}/${w2.user}`,
    lab: `roster:${lab}`,
    desk: `roster:${desk}`,
  });
  // Each form is kept as declared: the dict's names, the list's ids (sorted).
  const rosters = Object.fromEntries((await seamResources(p)).filter((r: { type: string }) => r.type.endsWith("Roster")).map((r: { urn: string; outputs: { acsUserIds: unknown } }) => [r.urn.split("::").pop(), r.outputs.acsUserIds]));
  expect(rosters).toEqual({ lab: labMembers, desk: [linus, ada].sort() });
  const outputs = JSON.parse((await p.run(["stack", "output", "--json"])).stdout);
  expect(outputs).toEqual({
    "ada-lobbyWorkspace": fake.seed.seed_workspace_1,
    "b-doorWorkspace": fake.seed.seed_workspace_2,
    labMembers,
    deskMembers: [linus, ada].sort(),
  });

  // Alan leaves the lab: preview --diff names him; the review names him; up sends exactly the review's removals.
  await setConfig(p, "rosters", [
    { name: "lab", acsAccessGroupId: lab, acsUserIds: { grace } },
    { name: "desk", acsAccessGroupId: desk, acsUserIds: [linus, ada] },
  ]);
  const diff = await p.run(["preview", "--diff"]);
  expect(diff.stdout).toMatch(/- alan\s*: "[^"]+"/);
  const previewJson = (await p.previewJson(["--show-sames"])).stdout;
  const reviewEnv = { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url };
  const review = await runReview(["review"], { stdin: previewJson, env: reviewEnv });
  expect(review.stdout).toContain("1 loses access");
  expect(review.stdout).toContain("Alan Py");
  expect(review.stdout).toContain("lab[alan]");
  const reviewed = JSON.parse((await runReview(["review", "--format", "json"], { stdin: previewJson, env: reviewEnv })).stdout);
  const removals = reviewed.removals.map((r: { acsUserId: string; acsAccessGroupId: string }) => `remove ${r.acsUserId}`);
  expect(reviewed.removals.map((r: { acsAccessGroupId: string }) => r.acsAccessGroupId)).toEqual([lab]);
  seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual(removals);
  expect(removals).toEqual([`remove ${alan}`]);
  expect(fake.membersOf(lab)).toEqual([grace]);

  seen = fake.requests.length;
  const destroy = await p.destroy();
  expect(mutationsSince(seen).sort()).toEqual([ada, w2.user, grace, linus, ada].map((u) => `remove ${u}`).sort());
  expect(await seamResources(p)).toEqual([]);
  for (const group of [lobby, lab, desk, w2.group]) expect(fake.membersOf(group)).toEqual([]);
  for (const token of [fake.apiKey, fake.seed.seam_apikey2_token!]) {
    for (const out of [up.stdout + up.stderr, diff.stdout + diff.stderr, destroy.stdout + destroy.stderr, p.stateFiles()]) expect(out).not.toContain(token);
  }
});

test("pulumi import of a membership and a roster prints Python code that runs unedited: the first up sends nothing, destroy removes what was imported", async () => {
  const [a, b, c] = ["Py Imp A", "Py Imp B", "Py Imp C"].map((n) => fake.addUser(n)) as [string, string, string];
  const [g1, g2] = [fake.addGroup("Py Imp 1"), fake.addGroup("Py Imp 2")];
  fake.grantOutOfBand(a, g1);
  fake.grantOutOfBand(b, g2);
  fake.grantOutOfBand(c, g2);
  const p = await pythonProject("native-python-import");
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  const seen = fake.requests.length;
  const file = path.join(p.dir, "import.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      resources: [
        { type: "seam:index:AccessGroupMembership", name: "a-in-1", id: `${g1}/${a}` },
        { type: "seam:index:AccessGroupRoster", name: "door-2", id: g2 },
      ],
    }),
  );
  // The program Pulumi writes for them replaces the project's __main__.py, as is.
  const imported = await p.run(["import", "--file", file, "--yes", "--protect=false", "--out", path.join(p.dir, "__main__.py")]);
  const code = fs.readFileSync(path.join(p.dir, "__main__.py"), "utf8");
  expect(code).toContain("import pulumi_seam as seam");
  expect(code).toMatch(/seam\.AccessGroupMembership\("a-in-1"/);
  expect(code).toMatch(/seam\.AccessGroupRoster\("door-2"/);
  expect(code).toContain(b);
  expect(code).toContain(c);
  expect(await trackedByName(p)).toEqual({ "a-in-1": `${g1}/${a}`, "door-2": `roster:${g2}` });
  const up = await p.up();
  expect(up.stdout).toMatch(/3 unchanged/);
  expect(mutationsSince(seen)).toEqual([]);
  expect(fake.membersOf(g1)).toEqual([a]);
  expect(fake.membersOf(g2).sort()).toEqual([b, c].sort());

  const destroy = await p.destroy();
  expect(mutationsSince(seen).sort()).toEqual([a, b, c].map((u) => `remove ${u}`).sort());
  for (const out of [imported.stdout + imported.stderr, up.stdout + up.stderr, destroy.stdout + destroy.stderr, p.stateFiles()]) expect(out).not.toContain(fake.apiKey);
});

test("the Python example (examples/python) runs as written: up adds a membership and a roster of two on two workspaces, destroy removes them", async () => {
  const ada = fake.addUser("Ada Example");
  const lobby = fake.addGroup("Example Lobby");
  const [adaB, graceB] = ["Ada Example", "Grace Example"].map((n) => fake.addUser(n, fake.seed.seed_workspace_2)) as [string, string];
  const labB = fake.addGroup("Example Lab B", fake.seed.seed_workspace_2);
  const dir = path.join(repoRoot, "examples/python");
  const files = Object.fromEntries(["Pulumi.yaml", "__main__.py", "requirements.txt"].map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
  // The example installs pulumi_seam from the release's URL; here pip is offline and finds the same wheel locally.
  const requirements = files["requirements.txt"]!.replace(/^pulumi_seam @ https:\/\/\S+$/m, "pulumi_seam");
  expect(requirements).not.toBe(files["requirements.txt"]);
  const p = await pythonProject("native-python-example", { ...files, "requirements.txt": requirements });
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  await p.run(["config", "set", "--secret", "siteBApiKey", fake.seed.seam_apikey2_token!]);
  for (const [key, value] of Object.entries({ ada, lobbyGroup: lobby, siteBLabGroup: labB, siteBAda: adaB, siteBGrace: graceB, siteBEndpoint: fake.url })) {
    await p.run(["config", "set", key, value]);
  }
  const up = await p.up();
  expect(up.stdout).toContain("+ 4 created"); // the stack, the explicit provider, the membership, the roster
  expect(fake.membersOf(lobby)).toEqual([ada]);
  expect(fake.membersOf(labB).sort()).toEqual([adaB, graceB].sort());
  expect(JSON.parse((await p.run(["stack", "output", "--json"])).stdout)).toEqual({ adaLobbyWorkspace: fake.seed.seed_workspace_1 });
  await p.destroy();
  expect(fake.membersOf(lobby)).toEqual([]);
  expect(fake.membersOf(labB)).toEqual([]);
  expect(p.stateFiles()).not.toContain(fake.seed.seam_apikey2_token!);
});

test("a project asking for a toolchain this host does not run (uv) is refused by name, before anything is installed", async () => {
  const name = "native-python-uv";
  const files = { ...fixtureFiles(name), "Pulumi.yaml": `name: ${name}\nruntime:\n  name: python\n  options:\n    toolchain: uv\n    virtualenv: .venv\n` };
  const p = new PulumiProject(name, { files, env: projectEnv });
  await p.init();
  for (const args of [["install"], ["preview"]]) {
    const r = await p.run(args, { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("the runtime option `toolchain: uv` is not supported by this pulumi-language-python");
  }
  expect(fs.existsSync(path.join(p.dir, ".venv"))).toBe(false);
  expect(fs.existsSync(path.join(p.home, "plugins", `resource-seam-v${release.version}`))).toBe(false);
});

test("pulumi plugin install --file and pulumi package add seam@<v>: the SDK is generated, linked in requirements.txt and installed; up and destroy of a membership", async () => {
  const [u, g] = [fake.addUser("Py Added"), fake.addGroup("Py Added")];
  const name = "native-python-package-add";
  const p = new PulumiProject(name, { files: { ...fixtureFiles(name), "requirements.txt": "pulumi==3.272.0\n" }, env: projectEnv });
  const tarball = path.join(release.dir, `pulumi-resource-seam-v${release.version}-linux-amd64.tar.gz`);
  await p.run(["plugin", "install", "resource", "seam", release.version, "--file", tarball]);
  const added = await p.run(["package", "add", `seam@${release.version}`]);
  expect(added.stdout + added.stderr).toContain("import pulumi_seam");
  expect(fs.readFileSync(path.join(p.dir, "requirements.txt"), "utf8")).toBe("pulumi==3.272.0\nsdks/seam\n");
  expect(fs.existsSync(path.join(p.dir, "venv"))).toBe(true);
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  await setConfig(p, "memberships", [{ name: "added", acsUserId: u, acsAccessGroupId: g }]);
  const seen = fake.requests.length;
  await p.up();
  expect(fake.membersOf(g)).toEqual([u]);
  await p.destroy();
  expect(mutationsSince(seen)).toEqual([`add ${u}`, `remove ${u}`]);
});
