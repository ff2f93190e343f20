/**
 * The native `seam` provider from a Go program under the real CLI, against Seam's fake: the program
 * (test/fixtures/go-native-program) uses the Go SDK that `pulumi package add` generates and links, run by the Go
 * language host from scripts/language-hosts.sh. The package is added from the installed package's plugin
 * executable (node_modules/pulumi-seam-acs/bin/pulumi-resource-seam), and that bin directory is on PATH, as after
 * a global install of the package.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { repoRoot } from "./support/consumer";
import { runReview } from "./support/review";
import { mutationsSince as mutations, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const mutationsSince = (count: number) => mutations(fake, count);

/** The installed package's plugin directory, as a project inside the consumer reaches it. */
const pluginDir = () => path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");

interface Entry {
  name: string;
  acsUserId: string;
  acsAccessGroupId: string;
  site?: string;
  aliases?: string[];
}
interface RosterEntry {
  name: string;
  acsAccessGroupId: string;
  acsUserIds: Record<string, string>;
  site?: string;
}

/**
 * A Go project with the fixture program, the plugin's directory on PATH, and the package added with
 * `pulumi package add` (which generates the SDK into sdks/seam, links it in go.mod and runs `go mod tidy`).
 */
async function goProject(name: string): Promise<PulumiProject> {
  const fixture = path.join(repoRoot, "test/fixtures/go-native-program");
  const files: Record<string, string> = { "Pulumi.yaml": `name: ${name}\nruntime: go\n` };
  for (const f of ["main.go", "go.mod", "go.sum"]) files[f] = fs.readFileSync(path.join(fixture, f), "utf8");
  const p = new PulumiProject(name, { files });
  p.setEnv({ PATH: [pluginDir(), p.commandEnv.PATH].join(path.delimiter) });
  await p.init();
  const add = await p.run(["package", "add", path.join(pluginDir(), "pulumi-resource-seam")]);
  expect(add.stdout).toContain("github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go");
  const goMod = fs.readFileSync(path.join(p.dir, "go.mod"), "utf8");
  expect(goMod).toContain("replace github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go => ./sdks/seam");
  expect(fs.readFileSync(path.join(p.dir, "Pulumi.yaml"), "utf8")).toMatch(/packages:\n\s+seam: seam@0\.1\.0/);
  return p;
}

/** A Go project whose default provider is configured on the fake (endpoint and secret API key in stack config). */
async function goProjectOnFake(name: string): Promise<PulumiProject> {
  const p = await goProject(name);
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  return p;
}

async function seamResources(p: PulumiProject) {
  const { stdout } = await p.run(["stack", "export"]);
  return (JSON.parse(stdout).deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("seam:index:"));
}

const setMemberships = (p: PulumiProject, entries: Entry[]) => p.run(["config", "set", "memberships", JSON.stringify(entries)]);
const setRosters = (p: PulumiProject, entries: RosterEntry[]) => p.run(["config", "set", "rosters", JSON.stringify(entries)]);
/** Resource name → id, for every seam resource in the state. */
const trackedByName = async (p: PulumiProject) => Object.fromEntries((await seamResources(p)).map((r: { urn: string; id: string }) => [r.urn.split("::").pop(), r.id]));
/** Explicit providers for the program: each name with the config key holding its (secret) API key, on the fake. */
const setSites = (p: PulumiProject, sites: Record<string, string>) =>
  p.run(["config", "set", "sites", JSON.stringify(Object.entries(sites).map(([name, keyConfig]) => ({ name, keyConfig, endpoint: fake.url })))]);

// The first Go build against the SDK takes about 1.5 min on 2 cores when GOCACHE is cold.
jest.setTimeout(600_000);

test("a Go program: package add, up, preview of a removal and its review in names, refresh after an out-of-band removal, a rename and moves between a membership and a roster without a remove, destroy", async () => {
  const [ada, grace] = ["Ada Go", "Grace Go"].map((n) => fake.addUser(n)) as [string, string];
  const [lobby, lab] = ["Go Lobby", "Go Lab"].map((n) => fake.addGroup(n)) as [string, string];
  const p = await goProjectOnFake("native-go-life");
  await setMemberships(p, [
    { name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby },
    { name: "grace-lab", acsUserId: grace, acsAccessGroupId: lab },
  ]);

  let seen = fake.requests.length;
  const up = await p.up();
  expect(up.stdout).toContain("+ 3 created"); // the stack and two memberships
  expect(mutationsSince(seen).sort()).toEqual([`add ${ada}`, `add ${grace}`].sort());
  expect(fake.membersOf(lobby)).toEqual([ada]);
  expect(fake.membersOf(lab)).toEqual([grace]);
  expect((await seamResources(p)).map((r: { id: string }) => r.id).sort()).toEqual([`${lobby}/${ada}`, `${lab}/${grace}`].sort());

  // Grace's membership leaves the program: the preview shows the delete, the review names her, up removes only her.
  await setMemberships(p, [{ name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby }]);
  const preview = await p.run(["preview", "--diff"]);
  expect(preview.stdout).toMatch(/- seam:index:AccessGroupMembership: \(delete\)/);
  expect(preview.stdout).toContain("- 1 to delete");
  const json = await p.previewJson(["--show-sames"]);
  const review = await runReview(["review"], { stdin: json.stdout, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  expect(review.stdout).toContain("1 loses access");
  expect(review.stdout).toContain("Grace Go");
  seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual([`remove ${grace}`]);
  expect(fake.membersOf(lab)).toEqual([]);

  // Out of band, Ada leaves the lobby: refresh drops her membership from state, and the next up adds her again.
  fake.removeOutOfBand(ada, lobby);
  await p.refresh();
  expect(await seamResources(p)).toEqual([]);
  seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual([`add ${ada}`]);
  expect(fake.membersOf(lobby)).toEqual([ada]);

  // A rename with an alias keeps the resource: nothing is sent.
  await setMemberships(p, [{ name: "ada-front-door", acsUserId: ada, acsAccessGroupId: lobby, aliases: ["ada-lobby"] }]);
  seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual([]);
  expect(await trackedByName(p)).toEqual({ "ada-front-door": `${lobby}/${ada}` });
  // A move from the membership into a roster of the lobby: the roster finds Ada there, nothing is sent.
  await setMemberships(p, []);
  await setRosters(p, [{ name: "lobby-staff", acsAccessGroupId: lobby, acsUserIds: { ada } }]);
  seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual([]);
  expect(await trackedByName(p)).toEqual({ "lobby-staff": `roster:${lobby}` });
  // And back to a membership: a new membership always sends its add (a no-op at Seam); never a remove.
  await setRosters(p, []);
  await setMemberships(p, [{ name: "ada-door", acsUserId: ada, acsAccessGroupId: lobby }]);
  seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual([`add ${ada}`]);
  expect(fake.membersOf(lobby)).toEqual([ada]);
  expect(await trackedByName(p)).toEqual({ "ada-door": `${lobby}/${ada}` });

  seen = fake.requests.length;
  const destroy = await p.destroy();
  expect(mutationsSince(seen)).toEqual([`remove ${ada}`]);
  expect(await seamResources(p)).toEqual([]);
  for (const out of [up.stdout + up.stderr, destroy.stdout + destroy.stderr, p.stateFiles()]) expect(out).not.toContain(fake.apiKey);
});

test("pulumi import of a membership and a roster writes Go code that builds and runs; the first up after sends nothing", async () => {
  const [a, b, c] = ["Go Imp A", "Go Imp B", "Go Imp C"].map((n) => fake.addUser(n)) as [string, string, string];
  const [g1, g2] = [fake.addGroup("Go Imp 1"), fake.addGroup("Go Imp 2")];
  fake.grantOutOfBand(a, g1);
  fake.grantOutOfBand(b, g2);
  fake.grantOutOfBand(c, g2);
  const p = await goProjectOnFake("native-go-import");
  const seen = fake.requests.length;
  // One bulk import of both, and the program Pulumi writes for them replaces the project's main.go.
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
  await p.run(["import", "--file", file, "--yes", "--out", path.join(p.dir, "main.go")]);
  const code = fs.readFileSync(path.join(p.dir, "main.go"), "utf8");
  expect(code).toContain("seam.NewAccessGroupMembership(ctx, \"a-in-1\"");
  expect(code).toContain("seam.NewAccessGroupRoster(ctx, \"door-2\"");
  // Pulumi's Go generator writes its fallback `pulumi.Any{` for the roster's list-or-map input, which
  // does not compile; docs/native-provider.md gives the one edit. Once Pulumi writes a Go type there,
  // this fails: drop the edit here and in the docs.
  expect(code.match(/pulumi\.Any\{/g)).toEqual(["pulumi.Any{"]);
  expect(code).toMatch(/AcsUserIds: +pulumi\.Any\{/);
  fs.writeFileSync(path.join(p.dir, "main.go"), code.replace("pulumi.Any{", "pulumi.StringArray{"));
  expect(await trackedByName(p)).toEqual({ "a-in-1": `${g1}/${a}`, "door-2": `roster:${g2}` });
  const up = await p.up();
  expect(up.stdout).toMatch(/3 unchanged/);
  expect(mutationsSince(seen)).toEqual([]);
  expect(fake.membersOf(g1)).toEqual([a]);
  expect(fake.membersOf(g2).sort()).toEqual([b, c].sort());
});

test("a Go program with two explicit providers on two Seam workspaces, and moves between provider instances with renames; no credential in state or output", async () => {
  const w1 = { user: fake.addUser("Go site A"), group: fake.addGroup("Go door A") };
  const w2 = { user: fake.addUser("Go site B", fake.seed.seed_workspace_2), group: fake.addGroup("Go door B", fake.seed.seed_workspace_2) };
  const p = await goProject("native-go-two-sites");
  await p.run(["config", "set", "--secret", "siteAKey", fake.apiKey]);
  await p.run(["config", "set", "--secret", "siteBKey", fake.seed.seam_apikey2_token!]);
  await setSites(p, { "site-a": "siteAKey", "site-b": "siteBKey" });
  await setMemberships(p, [
    { name: "a", acsUserId: w1.user, acsAccessGroupId: w1.group, site: "site-a" },
    { name: "b", acsUserId: w2.user, acsAccessGroupId: w2.group, site: "site-b" },
  ]);
  const up = await p.up();
  expect(fake.membersOf(w1.group)).toEqual([w1.user]);
  expect(fake.membersOf(w2.group)).toEqual([w2.user]);
  const byName = Object.fromEntries(
    (await seamResources(p)).map((r: { urn: string; outputs: { workspaceId: string } }) => [r.urn.split("::").pop(), r.outputs.workspaceId]),
  );
  expect(byName).toEqual({ a: fake.seed.seed_workspace_1, b: fake.seed.seed_workspace_2 });
  for (const token of [fake.apiKey, fake.seed.seam_apikey2_token!]) {
    expect(up.stdout + up.stderr).not.toContain(token);
    expect(p.stateFiles()).not.toContain(token);
  }

  // Moves between provider instances in one update, each with a rename (issue 27): the old resource is
  // deleted by the old instance's process, its successor created by another. Only the add is sent.
  // site-a renamed to site-a2 without an alias, and its membership renamed:
  await setSites(p, { "site-a2": "siteAKey", "site-b": "siteBKey" });
  await setMemberships(p, [
    { name: "a-2", acsUserId: w1.user, acsAccessGroupId: w1.group, site: "site-a2" },
    { name: "b", acsUserId: w2.user, acsAccessGroupId: w2.group, site: "site-b" },
  ]);
  let seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual([`add ${w1.user}`]);
  expect(fake.membersOf(w1.group)).toEqual([w1.user]);
  // ...then from the explicit provider to the default one (the same workspace), renamed again, and
  // site-b's membership into a roster on site-b:
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
  await setSites(p, { "site-b": "siteBKey" });
  await setMemberships(p, [{ name: "a-3", acsUserId: w1.user, acsAccessGroupId: w1.group }]);
  await setRosters(p, [{ name: "b-door", acsAccessGroupId: w2.group, acsUserIds: { b: w2.user }, site: "site-b" }]);
  seen = fake.requests.length;
  await p.up();
  expect(mutationsSince(seen)).toEqual([`add ${w1.user}`]);
  expect(fake.membersOf(w1.group)).toEqual([w1.user]);
  expect(fake.membersOf(w2.group)).toEqual([w2.user]);
  expect(Object.keys(await trackedByName(p)).sort()).toEqual(["a-3", "b-door"]);

  await p.destroy();
  expect(fake.membersOf(w1.group)).toEqual([]);
  expect(fake.membersOf(w2.group)).toEqual([]);
});

test("a Go program with two providers on one workspace is refused at preview, naming both; nothing is sent", async () => {
  const [u1, u2, g] = [fake.addUser("Go one"), fake.addUser("Go two"), fake.addGroup("Go shared")];
  const p = await goProject("native-go-one-workspace");
  await p.run(["config", "set", "--secret", "key", fake.apiKey]);
  await setSites(p, { "site-x": "key", "site-y": "key" });
  await setMemberships(p, [
    { name: "one", acsUserId: u1, acsAccessGroupId: g, site: "site-x" },
    { name: "two", acsUserId: u2, acsAccessGroupId: g, site: "site-y" },
  ]);
  const seen = fake.requests.length;
  const preview = await p.preview({ allowFailure: true });
  expect(preview.code).not.toBe(0);
  expect(preview.stdout + preview.stderr).toContain(`Seam workspace ${fake.seed.seed_workspace_1} is served by two seam provider instances in this deployment`);
  expect(preview.stdout + preview.stderr).toMatch(/provider "site-[xy]" and provider "site-[xy]"/);
  expect(mutationsSince(seen)).toEqual([]);
});

test("a Go program whose stack config holds a plaintext token is refused at preview; the token is never printed", async () => {
  const p = await goProject("native-go-plain");
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "seam:apiKey", fake.apiKey]);
  await setMemberships(p, [{ name: "m", acsUserId: fake.addUser("Go plain"), acsAccessGroupId: fake.addGroup("Go plain") }]);
  const preview = await p.preview({ allowFailure: true });
  expect(preview.code).not.toBe(0);
  expect(preview.stdout + preview.stderr).toContain("pulumi config set --secret seam:apiKey <token>");
  expect(preview.stdout + preview.stderr).not.toContain(fake.apiKey);
});
