/**
 * The native `seam` provider under the real CLI: YAML programs (`runtime: yaml`, the YAML host
 * from scripts/language-hosts.sh) that name the package the documented way (`packages: seam:`
 * pointing at the installed package's bin/, which holds pulumi-resource-seam), against Seam's fake.
 */
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "./support/consumer";
import { PulumiProject } from "./support/pulumi";
import { runReview } from "./support/review";
import { SeamFake, startSeamFake } from "./support/seam-fake";
import { configureDefault as configure, membership, mutationsSince as mutations, pluginDir, rewrite, roster, seamResources, stateText, yamlProject } from "./support/yaml-program";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const mutationsSince = (count: number) => mutations(fake, count);
const configureDefault = (p: PulumiProject) => configure(p, fake);

describe("a YAML program through its life", () => {
  test("up, preview --diff of a removal and its review in names, refresh, a rename and a move without a remove, destroy", async () => {
    const [ada, grace, alan] = ["Ada Lovelace", "Grace Hopper", "Alan Turing"].map((n) => fake.addUser(n)) as [string, string, string];
    const [lobby, lab] = ["Lobby", "Lab"].map((n) => fake.addGroup(n)) as [string, string];
    const name = "native-yaml-life";
    const p = yamlProject(name, membership("ada-lobby", ada, lobby) + roster("lab", lab, { grace, alan }));
    await configureDefault(p);

    const up = await p.up();
    expect(up.stdout).toContain("+ 3 created");
    expect(fake.membersOf(lobby)).toEqual([ada]);
    expect(fake.membersOf(lab).sort()).toEqual([grace, alan].sort());
    const state = await stateText(p);
    expect(state).not.toContain(fake.apiKey);
    expect(up.stdout + up.stderr).not.toContain(fake.apiKey);
    expect((await seamResources(p)).map((r: { type: string; id: string }) => [r.type, r.id])).toEqual([
      ["seam:index:AccessGroupMembership", `${lobby}/${ada}`],
      ["seam:index:AccessGroupRoster", `roster:${lab}`],
    ]);

    // Alan leaves the lab: preview --diff names him; the review names him; up removes only him.
    rewrite(p, name, membership("ada-lobby", ada, lobby) + roster("lab", lab, { grace }));
    const diff = await p.run(["preview", "--diff"]);
    expect(diff.stdout).toMatch(/- alan\s*: "[^"]+"/);
    expect(diff.stdout).toContain("+-1 to replace");
    const json = await p.previewJson(["--show-sames"]);
    const review = await runReview(["review"], { stdin: json.stdout, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
    expect(review.stdout).toContain("1 loses access");
    expect(review.stdout).toContain("Alan Turing");
    expect(review.stdout).toContain("lab[alan]");
    let seen = fake.requests.length;
    await p.up();
    expect(mutationsSince(seen)).toEqual([`remove ${alan}`]);
    expect(fake.membersOf(lab)).toEqual([grace]);

    // Out of band, Grace leaves the lab: refresh records it, and the next up adds her again.
    fake.removeOutOfBand(grace, lab);
    await p.refresh();
    const lab1 = (await seamResources(p)).find((r: { type: string }) => r.type === "seam:index:AccessGroupRoster");
    expect(lab1.outputs.acsUserIds).toEqual({});
    seen = fake.requests.length;
    await p.up();
    expect(mutationsSince(seen)).toEqual([`add ${grace}`]);

    // A rename without an alias, and Ada's lobby membership moving into a roster: nothing removed.
    rewrite(p, name, roster("lobby", lobby, [ada]) + roster("lab-renamed", lab, { grace }));
    seen = fake.requests.length;
    const moved = await p.up();
    expect(moved.stdout).toContain("- 2 deleted");
    expect(mutationsSince(seen)).toEqual([]);
    expect(fake.membersOf(lobby)).toEqual([ada]);
    expect(fake.membersOf(lab)).toEqual([grace]);

    seen = fake.requests.length;
    await p.destroy();
    expect(mutationsSince(seen).sort()).toEqual([`remove ${ada}`, `remove ${grace}`].sort());
    expect(await seamResources(p)).toEqual([]);
  });
});

test("the YAML example (examples/yaml) runs as written: up adds its three pairs, destroy removes them", async () => {
  const [ada, grace] = ["Ada Lovelace", "Grace Hopper"].map((n) => fake.addUser(n)) as [string, string];
  const [lobby, lab] = ["Lobby", "Lab"].map((n) => fake.addGroup(n)) as [string, string];
  const example = fs.readFileSync(path.join(repoRoot, "examples/yaml/Pulumi.yaml"), "utf8");
  // The example names the package as a project with the package installed beside it; test projects
  // share the consumer's node_modules one folder up. Nothing else is changed.
  const written = example.replace("seam: ./node_modules/pulumi-seam-acs/bin", `seam: ${pluginDir()}`);
  expect(written).not.toBe(example);
  const p = new PulumiProject("native-yaml-example", { files: { "Pulumi.yaml": written } });
  await configureDefault(p);
  for (const [key, value] of Object.entries({ ada, grace, lobbyGroup: lobby, labGroup: lab })) await p.run(["config", "set", key, value]);

  const up = await p.up();
  expect(up.stdout).toContain("+ 3 created");
  expect(fake.membersOf(lobby)).toEqual([ada]);
  expect(fake.membersOf(lab).sort()).toEqual([ada, grace].sort());
  await p.destroy();
  expect(fake.membersOf(lobby)).toEqual([]);
  expect(fake.membersOf(lab)).toEqual([]);
});

describe("providers", () => {
  test("two explicit providers on two Seam workspaces in one program; no credential in state or output", async () => {
    const w1 = { user: fake.addUser("Site A person"), group: fake.addGroup("Site A door") };
    const w2 = { user: fake.addUser("Site B person", fake.seed.seed_workspace_2), group: fake.addGroup("Site B door", fake.seed.seed_workspace_2) };
    const name = "native-yaml-two-sites";
    const config = "config:\n  siteAKey:\n    type: string\n    secret: true\n  siteBKey:\n    type: string\n    secret: true\n";
    const providers =
      `  site-a:\n    type: pulumi:providers:seam\n    properties:\n      apiKey: \${siteAKey}\n      endpoint: ${fake.url}\n` +
      `  site-b:\n    type: pulumi:providers:seam\n    properties:\n      apiKey: \${siteBKey}\n      endpoint: ${fake.url}\n`;
    const p = yamlProject(
      name,
      providers + membership("a", w1.user, w1.group, "    options:\n      provider: ${site-a}\n") + roster("b", w2.group, [w2.user], "    options:\n      provider: ${site-b}\n"),
      config,
    );
    await p.init();
    await p.run(["config", "set", "--secret", "siteAKey", fake.apiKey]);
    await p.run(["config", "set", "--secret", "siteBKey", fake.seed.seam_apikey2_token!]);
    const up = await p.up();
    expect(fake.membersOf(w1.group)).toEqual([w1.user]);
    expect(fake.membersOf(w2.group)).toEqual([w2.user]);
    const resources = await seamResources(p);
    // The engine registers the two in either order.
    expect(resources.map((r: { outputs: { workspaceId: string } }) => r.outputs.workspaceId).sort()).toEqual([fake.seed.seed_workspace_1, fake.seed.seed_workspace_2].sort());
    const state = await stateText(p);
    for (const token of [fake.apiKey, fake.seed.seam_apikey2_token!]) {
      expect(state).not.toContain(token);
      expect(up.stdout + up.stderr).not.toContain(token);
      expect(p.stateFiles()).not.toContain(token);
    }
    await p.destroy();
    expect(fake.membersOf(w1.group)).toEqual([]);
    expect(fake.membersOf(w2.group)).toEqual([]);
  });

  test("two providers on one workspace are refused at preview, naming both; nothing is sent", async () => {
    const [u1, u2, g] = [fake.addUser("One"), fake.addUser("Two"), fake.addGroup("Shared")];
    const name = "native-yaml-one-workspace";
    const providers = ["x", "y"].map((n) => `  site-${n}:\n    type: pulumi:providers:seam\n    properties:\n      apiKey: \${key}\n      endpoint: ${fake.url}\n`).join("");
    const p = yamlProject(
      name,
      providers + membership("one", u1, g, "    options:\n      provider: ${site-x}\n") + membership("two", u2, g, "    options:\n      provider: ${site-y}\n"),
      "config:\n  key:\n    type: string\n    secret: true\n",
    );
    await p.init();
    await p.run(["config", "set", "--secret", "key", fake.apiKey]);
    const seen = fake.requests.length;
    const preview = await p.preview({ allowFailure: true });
    expect(preview.code).not.toBe(0);
    expect(preview.stdout + preview.stderr).toContain(`Seam workspace ${fake.seed.seed_workspace_1} is served by two seam provider instances in this deployment`);
    expect(preview.stdout + preview.stderr).toMatch(/provider "site-[xy]" and provider "site-[xy]"/);
    expect(mutationsSince(seen)).toEqual([]);
  });

  test("a token set without --secret is refused at preview, naming the command; the value is never printed", async () => {
    const p = yamlProject("native-yaml-plain", membership("m", fake.addUser("Plain"), fake.addGroup("Plain")));
    await p.init();
    await p.run(["config", "set", "seam:endpoint", fake.url]);
    await p.run(["config", "set", "seam:apiKey", fake.apiKey]);
    const preview = await p.preview({ allowFailure: true });
    expect(preview.code).not.toBe(0);
    expect(preview.stdout + preview.stderr).toContain("pulumi config set --secret seam:apiKey <token>");
    expect(preview.stdout + preview.stderr).not.toContain(fake.apiKey);
  });

  test("on a stack already up with a secret key, `config set` of the key without --secret is refused at preview; nothing sent, the value never printed", async () => {
    const [u, g] = [fake.addUser("Was secret"), fake.addGroup("Was secret")];
    const p = yamlProject("native-yaml-plain-later", membership("m", u, g));
    await configureDefault(p);
    await p.up();
    expect(fake.membersOf(g)).toEqual([u]);
    const stackFile = () => fs.readFileSync(path.join(p.dir, "Pulumi.test.yaml"), "utf8");
    expect(stackFile()).not.toContain(fake.apiKey);

    // The user's slip: the same key again, in clear this time; the engine still sends it marked secret.
    await p.run(["config", "set", "seam:apiKey", fake.apiKey]);
    expect(stackFile()).toContain(fake.apiKey);
    rewrite(p, "native-yaml-plain-later", membership("m", u, g) + membership("m2", fake.addUser("Later"), g));
    const seen = fake.requests.length;
    const preview = await p.preview({ allowFailure: true });
    expect(preview.code).not.toBe(0);
    expect(preview.stdout + preview.stderr).toContain("seam:apiKey is set in the stack config as plain text");
    expect(preview.stdout + preview.stderr).toContain("pulumi config set --secret seam:apiKey <token>");
    expect(preview.stdout + preview.stderr).not.toContain(fake.apiKey);
    expect(fake.requests.length).toBe(seen);
    const up = await p.up({ allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).not.toContain(fake.apiKey);
    expect(fake.requests.length).toBe(seen);
    expect(await stateText(p)).not.toContain(fake.apiKey);

    // Stored encrypted again, the same program previews and runs.
    await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
    expect(stackFile()).not.toContain(fake.apiKey);
    const fixed = await p.preview();
    expect(fixed.stdout).toContain("+ 1 to create");
  });

  test("one pair declared by two resources is refused at preview, naming both", async () => {
    const [u, g] = [fake.addUser("Twice"), fake.addGroup("Twice")];
    const p = yamlProject("native-yaml-twice", membership("first", u, g) + roster("staff", g, { twice: u }));
    await configureDefault(p);
    const preview = await p.preview({ allowFailure: true });
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toContain(`acs_user_id ${u} in acs_access_group_id ${g} is declared twice`);
    expect(preview.stdout).toMatch(/AccessGroupMembership "first"[\s\S]*AccessGroupRoster "staff"|AccessGroupRoster "staff"[\s\S]*AccessGroupMembership "first"/);
  });
});

test("pulumi import of a pair that is not in the group says so in Seam's terms: the user, the group, that declaring it would add it; nothing enters the state", async () => {
  const ada = fake.addUser("Ada Absent", undefined, { email: "ada.absent@example.com" });
  const lobby = fake.addGroup("Absent Lobby");
  const name = "native-yaml-import-absent";
  const p = new PulumiProject(name, { files: { "Pulumi.yaml": `name: ${name}\nruntime: yaml\npackages:\n  seam: ${pluginDir()}\n` } });
  await configureDefault(p);
  const seen = fake.requests.length;
  const r = await p.run(["import", "seam:index:AccessGroupMembership", "ada-lobby", `${lobby}/${ada}`, "--yes"], { allowFailure: true });
  expect(r.code).not.toBe(0);
  const out = r.stdout + r.stderr;
  expect(out).toContain(
    `Cannot import AccessGroupMembership ${lobby}/${ada}: the ACS user ${ada} (Ada Absent, ada.absent@example.com) is not in the access group ${lobby} (Absent Lobby) at Seam, ` +
      "so there is no membership to import. Declaring the pair in the program (without importing it) would add the user to the group at the next `pulumi up`; nothing was changed.",
  );
  expect(out).not.toMatch(/does not exist/);
  expect(mutationsSince(seen)).toEqual([]);
  expect(await seamResources(p)).toEqual([]);
  // A group Seam does not have, as a roster import: said as such.
  const ghost = await p.run(["import", "seam:index:AccessGroupRoster", "ghost", "acs_access_group_that_does_not_exist", "--yes"], { allowFailure: true });
  expect(ghost.code).not.toBe(0);
  expect(ghost.stdout + ghost.stderr).toContain("Cannot import AccessGroupRoster acs_access_group_that_does_not_exist: Seam has no access group acs_access_group_that_does_not_exist in the workspace of these credentials");
  expect(await seamResources(p)).toEqual([]);
});

test("pulumi import of a membership and a roster: the code it prints previews with no change and up sends nothing", async () => {
  const [a, b, c] = ["Imp A", "Imp B", "Imp C"].map((n) => fake.addUser(n)) as [string, string, string];
  const [g1, g2] = [fake.addGroup("Imp 1"), fake.addGroup("Imp 2")];
  fake.grantOutOfBand(a, g1);
  fake.grantOutOfBand(b, g2);
  fake.grantOutOfBand(c, g2);
  const name = "native-yaml-import";
  const p = new PulumiProject(name, { files: { "Pulumi.yaml": `name: ${name}\nruntime: yaml\npackages:\n  seam: ${pluginDir()}\n` } });
  await configureDefault(p);
  const seen = fake.requests.length;
  const m = await p.run(["import", "seam:index:AccessGroupMembership", "a-in-1", `${g1}/${a}`, "--yes"]);
  const r = await p.run(["import", "seam:index:AccessGroupRoster", "door-2", g2, "--yes"]);
  // The code Pulumi writes for each import, pasted into the program as a user does.
  const code = (out: string) => out.slice(out.indexOf("resources:\n") + "resources:\n".length).trimEnd() + "\n";
  expect(code(r.stdout)).toContain(`acsAccessGroupId: ${g2}`);
  rewrite(p, name, code(m.stdout) + code(r.stdout));
  const preview = await p.preview();
  expect(preview.stdout).toMatch(/Resources:\s+3 unchanged/);
  const up = await p.up();
  expect(up.stdout).toMatch(/3 unchanged/);
  expect(mutationsSince(seen)).toEqual([]);
  expect(fake.membersOf(g2).sort()).toEqual([b, c].sort());

  // audit reads the native stack's state: everyone in both groups is tracked, nothing missing.
  const stateFile = path.join(p.dir, "state.json");
  fs.writeFileSync(stateFile, await stateText(p));
  const audit = await runReview(["audit", "--state", stateFile], { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  expect(audit.stdout).toContain("0 unmanaged, 0 missing, 0 shared");
  expect(audit.stdout).toContain("in 2 access groups of 1 stack");
  fake.grantOutOfBand(a, g2);
  const unmanaged = await runReview(["audit", "--state", stateFile], { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  expect(unmanaged.stdout).toContain("1 unmanaged, 0 missing");
  expect(unmanaged.stdout).toContain("Imp A");
});
