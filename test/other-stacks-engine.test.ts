/**
 * Stacks that declare the same pairs, with the real CLI, the packed package's bin and Seam's fake.
 * Two projects on one file:// backend, each with a stack named `prod` (so only the project tells
 * them apart), and a second stack of the first project:
 *  - the review of one stack's preview, and of the other's `destroy --preview-only`, given the
 *    other stacks (`--also-stack`, bare and fully qualified), in the three formats; the guard
 *    `--fail-on-shared-removal`; the removals still equal the removes `up` sends, which do revoke
 *    the other stack's access at Seam;
 *  - `audit --stack` across projects with fully qualified names, from a project directory and
 *    from a directory outside any project; the errors for names the CLI cannot resolve.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Membership, PulumiProject, RunResult } from "./support/pulumi";
import { runReview as runBin } from "./support/review";
import { removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
let canary: string;
/** Project shared-a (stacks prod and staging) and project shared-b (stack prod), on a's backend. */
let a: PulumiProject;
let b: PulumiProject;
/** A directory in no Pulumi project (nothing above it has a Pulumi.yaml). */
let outside: string;
let previewA: string;
let destroyB: string;
const u = {} as Record<string, string>;
const g = {} as Record<string, string>;
const outputs: RunResult[] = [];

const type = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";
const urn = (project: string, stack: string, name: string) => `urn:pulumi:${stack}::${project}::${type}::${name}`;
const m = (name: string, user: string, group: string): Membership => ({ name, acsUserId: u[user]!, acsAccessGroupId: g[group]! });
const qualified = (project: string, stack: string) => `organization/${project}/${stack}`;

/** The bin with the CLI's environment (a's backend and passphrase) and, unless `names` is false, Seam credentials. */
async function bin(args: string[], options: { cwd: string; stdin?: string; names?: boolean }) {
  const { SEAM_API_KEY: _key, SEAM_ENDPOINT: _endpoint, ...pulumiEnv } = a.commandEnv;
  const env = options.names === false ? pulumiEnv : { ...pulumiEnv, SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url };
  const r = await runBin(args, { env, cwd: options.cwd, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });
  outputs.push(r);
  return r;
}

beforeAll(async () => {
  fake = await startSeamFake();
  canary = `seam_canary${randomBytes(12).toString("hex")}`;
  fake.addApiKey(canary);
  for (const [key, name] of Object.entries({ ada: "Ada Lovelace", grace: "Grace Hopper", alan: "Alan Turing", eve: "Eve" })) {
    u[key] = fake.addUser(name, undefined, { email: `${key}@example.com` });
  }
  for (const [key, name] of Object.entries({ lobby: "Lobby", lab: "Lab" })) g[key] = fake.addGroup(name);
  const seam = { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url };
  a = new PulumiProject("shared-a", { env: seam });
  b = new PulumiProject("shared-b", { env: seam });
  b.setEnv({ PULUMI_BACKEND_URL: `file://${a.backend}` });
  outside = fs.mkdtempSync(path.join(os.tmpdir(), "no-project-"));

  await a.init("prod");
  await a.setMemberships([m("ada-lobby", "ada", "lobby"), m("grace-lab", "grace", "lab"), m("alan-lab", "alan", "lab"), m("eve-lobby", "eve", "lobby")]);
  await a.init("staging");
  await a.setMemberships([m("alan-in-lab", "alan", "lab")]);
  await b.init("prod");
  await b.setMemberships([m("ada-in-lobby", "ada", "lobby"), m("grace-lab", "grace", "lab")]);
  await Promise.all([a.run(["up", "--yes", "--skip-preview", "--stack", "prod"]), b.up()]);
  await a.run(["up", "--yes", "--skip-preview", "--stack", "staging"]);
  // prod of shared-a drops ada (b/prod declares her too), alan (staging declares him) and eve (nobody else).
  await a.run(["config", "set", "memberships", JSON.stringify([m("grace-lab", "grace", "lab")]), "--stack", "prod"]);
  previewA = (await a.run(["preview", "--json", "--show-sames", "--stack", "prod"])).stdout;
  destroyB = (await b.run(["destroy", "--preview-only", "--json", "--show-sames"])).stdout;
}, 300_000);

afterAll(async () => {
  await fake.stop();
  fs.rmSync(outside, { recursive: true, force: true });
});

afterEach(() => {
  // Nothing the bin prints may carry the key it was given.
  for (const r of outputs.splice(0)) expect(`${r.stdout}${r.stderr}`).not.toContain(canary);
});

describe("review --also-stack", () => {
  test("json: every removal is still a removal; each says which given stacks still declare it", async () => {
    const r = await bin(["review", "--no-names", "--format", "json", "--also-stack", qualified("shared-b", "prod"), "--also-stack", "staging"], { cwd: a.dir, stdin: previewA, names: false });
    expect(r.stderr).toBe(
      "note: 2 removals are pairs that stacks shared-b/prod, shared-a/staging still declare. The provider nets removals only within one stack: `pulumi up` sends the remove all the same, " +
        "and the other stack loses the access while its state still says it has it (until a refresh and an up of that stack add it back). Keep each pair in one stack: to hand it over, " +
        "set retainOnDelete on this stack's resource and run `pulumi up` before removing it here.\n",
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.alsoStacks).toEqual(["shared-b/prod", "shared-a/staging"]);
    const byUser = Object.fromEntries(json.removals.map((x: { acsUserId: string }) => [x.acsUserId, x]));
    expect(Object.keys(byUser).sort()).toEqual([u.ada, u.alan, u.eve].sort());
    expect(byUser[u.ada!]).toEqual({
      acsUserId: u.ada,
      acsAccessGroupId: g.lobby,
      resources: [urn("shared-a", "prod", "ada-lobby")],
      user: null,
      group: null,
      atSeam: null,
      stillDeclaredBy: [{ stack: "shared-b/prod", resources: [urn("shared-b", "prod", "ada-in-lobby")] }],
    });
    expect(byUser[u.alan!].stillDeclaredBy).toEqual([{ stack: "shared-a/staging", resources: [urn("shared-a", "staging", "alan-in-lab")] }]);
    expect(byUser[u.eve!].stillDeclaredBy).toEqual([]);
    // Without --also-stack the JSON is as before: no new key anywhere.
    const plain = JSON.parse((await bin(["review", "--no-names", "--format", "json"], { cwd: a.dir, stdin: previewA, names: false })).stdout);
    expect(plain.alsoStacks).toBeUndefined();
    expect(plain.removals.map((x: object) => Object.keys(x).sort())).toEqual(Array(3).fill(["acsAccessGroupId", "acsUserId", "atSeam", "group", "resources", "user"]));
    expect(plain.removals.length).toBe(json.removals.length);
  });

  test("text and markdown name the stack whose access the removal revokes", async () => {
    const args = ["review", "--no-doors", "--also-stack", qualified("shared-b", "prod"), "--also-stack", qualified("shared-a", "staging")];
    const text = await bin(args, { cwd: a.dir, stdin: previewA });
    expect(text.code).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[0]).toBe("3 lose access, 0 gain access, 0 moved in state, 2 still declared by another stack");
    expect(lines).toContain("  Ada Lovelace (ada@example.com) — Lobby — ada-lobby — still declared by stack shared-b/prod (ada-in-lobby): removing it revokes shared-b/prod's access");
    expect(lines).toContain("  Alan Turing (alan@example.com) — Lab — alan-lab — still declared by stack shared-a/staging (alan-in-lab): removing it revokes shared-a/staging's access");
    expect(lines).toContain("  Eve (eve@example.com) — Lobby — eve-lobby");
    expect(text.stdout).toMatch(/\nNote: 2 removals are pairs that stacks shared-b\/prod, shared-a\/staging still declare\./);

    const md = await bin([...args, "--format", "markdown"], { cwd: a.dir, stdin: previewA });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(
      "| Ada Lovelace | ada@example.com | Lobby | ada-lobby — **still declared by stack shared-b/prod \\(ada-in-lobby\\): removing it revokes shared-b/prod's access** |",
    );
    expect(md.stdout).toContain("| Eve | eve@example.com | Lobby | eve-lobby |");
  });

  test("--fail-on-shared-removal: exit 3 after the review when a removal is shared, 0 when none is; a usage error without --also-stack", async () => {
    const tripped = await bin(["review", "--no-names", "--also-stack", qualified("shared-b", "prod"), "--fail-on-shared-removal"], { cwd: a.dir, stdin: previewA, names: false });
    expect(tripped.code).toBe(3);
    expect(tripped.stdout.split("\n")[0]).toBe("3 lose access, 0 gain access, 0 moved in state, 1 still declared by another stack");
    expect(tripped.stderr).toBe(
      "pulumi-seam-acs review: guard tripped: 1 removal is still declared by stack shared-b/prod: removing it revokes that access (--fail-on-shared-removal). " +
        "Keep each pair in one stack (see the note above).\n",
    );
    // A stack that declares none of the removed pairs: the guard holds.
    await b.init("empty");
    const held = await bin(["review", "--no-names", "--also-stack", qualified("shared-b", "empty"), "--fail-on-shared-removal"], { cwd: a.dir, stdin: previewA, names: false });
    expect(held.stderr).toBe("");
    expect(held.code).toBe(0);
    expect(held.stdout.split("\n")[0]).toBe("3 lose access, 0 gain access, 0 moved in state");
    // With --max-removals as well, each guard speaks for itself.
    const both = await bin(["review", "--no-names", "--also-stack", "staging", "--fail-on-shared-removal", "--max-removals", "5"], { cwd: a.dir, stdin: previewA, names: false });
    expect(both.code).toBe(3);
    expect(both.stderr).toMatch(/^pulumi-seam-acs review: guard tripped: 1 removal is still declared by stack shared-a\/staging/);

    const usage = await bin(["review", "--no-names", "--fail-on-shared-removal"], { cwd: a.dir, stdin: previewA, names: false });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--fail-on-shared-removal checks removals against the stacks given with --also-stack/);
  });

  test("destroy --preview-only of the other project's stack, reviewed from outside any project: both of its pairs are still declared", async () => {
    const r = await bin(["review", "--destroy", "--format", "json", "--no-doors", "--also-stack", qualified("shared-a", "prod"), "--fail-on-shared-removal"], { cwd: outside, stdin: destroyB });
    expect(r.code).toBe(3);
    const json = JSON.parse(r.stdout);
    expect(json.alsoStacks).toEqual(["shared-a/prod"]);
    const shared = json.removals.map((x: { user: { fullName: string }; group: { name: string }; stillDeclaredBy: { stack: string; resources: string[] }[] }) => [
      x.user.fullName,
      x.group.name,
      x.stillDeclaredBy,
    ]);
    expect(shared.sort()).toEqual([
      ["Ada Lovelace", "Lobby", [{ stack: "shared-a/prod", resources: [urn("shared-a", "prod", "ada-lobby")] }]],
      ["Grace Hopper", "Lab", [{ stack: "shared-a/prod", resources: [urn("shared-a", "prod", "grace-lab")] }]],
    ]);
    expect(r.stderr).toMatch(/guard tripped: 2 removals are still declared by stack shared-a\/prod: removing them revokes that access/);
  });

  test("bad --also-stack: the preview's own stack, a stack given twice, no such stack, a bare name outside any project", async () => {
    const own = await bin(["review", "--no-names", "--also-stack", "prod"], { cwd: a.dir, stdin: previewA, names: false });
    expect(own.code).toBe(1);
    expect(own.stderr).toBe("pulumi-seam-acs review: --also-stack: stack prod is shared-a/prod, the stack this preview is of; give the other stacks that may declare the same pairs.\n");
    const twice = await bin(["review", "--no-names", "--also-stack", "staging", "--also-stack", qualified("shared-a", "staging")], { cwd: a.dir, stdin: previewA, names: false });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/The stack shared-a\/staging is given twice/);
    const missing = await bin(["review", "--no-names", "--also-stack", qualified("shared-b", "nope")], { cwd: a.dir, stdin: previewA, names: false });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^pulumi-seam-acs review: `pulumi stack export --stack organization\/shared-b\/nope` failed: .*nope/);
    const bare = await bin(["review", "--no-names", "--also-stack", "prod"], { cwd: outside, stdin: previewA, names: false });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/^pulumi-seam-acs review: `pulumi stack export --stack prod` failed: no Pulumi.yaml project file found; .*pass the fully qualified stack name/);
  });
});

describe("audit across projects", () => {
  test("fully qualified names from a directory outside any project: the pairs both projects' stacks declare are shared", async () => {
    const r = await bin(["audit", "--stack", qualified("shared-a", "prod"), "--stack", qualified("shared-b", "prod"), "--format", "json"], { cwd: outside });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const shared = json.shared.map((s: { user: { fullName: string }; group: { name: string }; stacks: string[] }) => [s.user.fullName, s.group.name, s.stacks]);
    expect(shared.sort()).toEqual([
      ["Ada Lovelace", "Lobby", ["shared-a/prod", "shared-b/prod"]],
      ["Grace Hopper", "Lab", ["shared-a/prod", "shared-b/prod"]],
    ]);
    // Before shared-a/prod's up, its state still holds alan and eve: nothing at Seam is unmanaged.
    expect(json.unmanaged).toEqual([]);
    expect((await bin(["audit", "--stack", qualified("shared-a", "prod"), "--stack", qualified("shared-b", "prod"), "--fail-on", "shared"], { cwd: outside })).code).toBe(3);
  });

  test("from one project's directory: its own stack by name, the other project's by its full name", async () => {
    const r = await bin(["audit", "--stack", "staging", "--stack", qualified("shared-b", "prod"), "--format", "json"], { cwd: a.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.shared).toEqual([]);
    expect(json.unmanaged.map((x: { user: { fullName: string } }) => x.user.fullName)).toEqual(["Eve"]);
    const fromB = await bin(["audit", "--stack", qualified("shared-a", "staging"), "--stack", "prod", "--format", "json"], { cwd: b.dir });
    expect(fromB.code).toBe(0);
    expect(JSON.parse(fromB.stdout)).toEqual(json);
  });

  test("settings: the first stack's config only when it is of this directory's project, never another project's (which the CLI would read as {})", async () => {
    // Credentials only in shared-b/prod's config: from shared-a's directory they are not read.
    await b.run(["config", "set", "seam:endpoint", fake.url, "--stack", "prod"]);
    await b.run(["config", "set", "--secret", "seam:apiKey", canary, "--stack", "prod"]);
    try {
      const fromA = await bin(["audit", "--stack", qualified("shared-b", "prod"), "--format", "json"], { cwd: a.dir, names: false });
      expect(fromA.code).toBe(1);
      expect(fromA.stderr).toMatch(/The audit read its settings from the environment \(SEAM_\* variables\): the config of stack organization\/shared-b\/prod, of another project than this directory's, is not read\.?\n$/);
      const before = fake.requests.length;
      const fromB = await bin(["audit", "--stack", qualified("shared-b", "prod"), "--format", "json"], { cwd: b.dir, names: false });
      expect(fromB.stderr).toBe("");
      expect(fromB.code).toBe(0);
      expect(fake.requests.slice(before).every((q) => q.headers.authorization === `Bearer ${canary}`)).toBe(true);
      // The review's --stack says whose config names are read with: another project's is refused, with ids shown.
      const review = await bin(["review", "--stack", qualified("shared-b", "prod"), "--no-doors"], { cwd: a.dir, stdin: previewA, names: false });
      expect(review.code).toBe(0);
      expect(review.stderr).toMatch(/^warning: no names \(ids only\): cannot read the config of stack organization\/shared-b\/prod here: it is not a stack of the project in this directory/);
    } finally {
      await b.run(["config", "rm", "seam:endpoint", "--stack", "prod"]);
      await b.run(["config", "rm", "seam:apiKey", "--stack", "prod"]);
    }
  });

  test("names the CLI cannot resolve are errors that say what to give", async () => {
    const bare = await bin(["audit", "--stack", "prod"], { cwd: outside });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/^pulumi-seam-acs audit: `pulumi stack export --stack prod` failed: no Pulumi.yaml project file found; .*\(organization\/project\/stack\)\. Or pass the export with --state FILE\.\n$/);
    const otherProject = await bin(["audit", "--stack", qualified("shared-b", "staging")], { cwd: a.dir });
    expect(otherProject.code).toBe(1);
    expect(otherProject.stderr).toMatch(/^pulumi-seam-acs audit: `pulumi stack export --stack organization\/shared-b\/staging` failed: .*staging.*\. Or pass the export with --state FILE\.\n$/);
  });
});

test("up sends every removal the review listed, the shared one too: the other stack's access is gone at Seam", async () => {
  const before = fake.requestsTo(removeRoute).length;
  await a.run(["up", "--yes", "--skip-preview", "--stack", "prod"]);
  const removes = fake.requestsTo(removeRoute).slice(before).map((q) => q.body as { acs_user_id: string; acs_access_group_id: string });
  expect(removes.map((x) => `${x.acs_user_id}@${x.acs_access_group_id}`).sort()).toEqual([`${u.ada}@${g.lobby}`, `${u.alan}@${g.lab}`, `${u.eve}@${g.lobby}`].sort());
  expect(fake.membersOf(g.lobby!)).not.toContain(u.ada);
  // shared-b/prod still says ada is in the Lobby; the audit of both stacks finds her missing.
  const audit = JSON.parse((await bin(["audit", "--stack", qualified("shared-a", "prod"), "--stack", qualified("shared-b", "prod"), "--format", "json"], { cwd: outside })).stdout);
  expect(audit.missing.map((x: { user: { fullName: string }; stacks: string[] }) => [x.user.fullName, x.stacks])).toEqual([["Ada Lovelace", ["shared-b/prod"]]]);
});
