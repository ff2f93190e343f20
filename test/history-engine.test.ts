/**
 * `pulumi-seam-acs history` (the packed package's bin) on one stack driven through the real CLI
 * inside a git repository: commits by different authors, one update in a CI-like environment
 * (GitHub Actions variables and a pull_request event), grants, a rename, a move from a membership
 * into a roster, a roster member leaving and coming back, an out-of-band removal and a refresh, a
 * destroy, and an `up` after it. The intervals, the --at answers (by group and by door) and each
 * update's metadata are checked against what the test did; then the filters, the formats and exit
 * codes, a stack with no history, unknown people and stacks; and that the history only reads.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./support/pulumi";
import { runReview as runBin } from "./support/review";
import { declare, rosterProgram, type Declared } from "./support/rosters";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
let p: PulumiProject;
const u: Record<"ada" | "grace" | "alan", string> = {} as never;
let lobby: string;
let lab: string;
let frontDoor: string;
let labDoor: string;
/** Each update's commit (git.head), in order; v6 and v7 run from the same commit as v5. */
const commits: string[] = [];
/** Instants between updates, by the number of updates done before them. */
const between: Record<number, string> = {};

const seamEnv = () => ({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url });
const history = (args: string[], env: NodeJS.ProcessEnv = {}) => runBin(["history", ...args], { cwd: p.dir, env: { ...p.commandEnv, ...env } });
const git = (args: string[], env: NodeJS.ProcessEnv = {}) => execFileSync("git", args, { cwd: p.dir, env: { PATH: process.env.PATH, HOME: p.home, ...env }, encoding: "utf8" }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Declares the resources and commits the stack's config as `author` (committed by Ada). */
async function commit(resources: Declared[], message: string, author: string): Promise<void> {
  await declare(p, resources);
  git(["add", "-A"]);
  git(["-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com", "commit", "-q", "-m", message, "--author", author]);
  commits.push(git(["rev-parse", "HEAD"]));
}

/** Runs one update and then notes an instant after it that is before the next update's start (times are whole seconds). */
async function update(args: string[], done: number, env: NodeJS.ProcessEnv = {}): Promise<void> {
  await p.run(args, { env });
  between[done] = new Date().toISOString();
  await sleep(1100 - (Date.now() % 1000));
}

beforeAll(async () => {
  fake = await startSeamFake();
  u.ada = fake.addUser("Ada Lovelace", undefined, { email: "ada@example.com" });
  u.grace = fake.addUser("Grace Hopper", undefined, { email: "grace@example.com" });
  u.alan = fake.addUser("Alan Turing", undefined, { email: "alan@example.com" });
  lobby = fake.addGroup("Lobby");
  lab = fake.addGroup("Lab");
  frontDoor = fake.addEntrance("Front door");
  labDoor = fake.addEntrance("Lab door");
  fake.setGroupEntrances(lobby, [frontDoor]);
  fake.setGroupEntrances(lab, [labDoor, frontDoor]);

  p = new PulumiProject("history", { program: rosterProgram, env: seamEnv() });
  fs.writeFileSync(path.join(p.dir, ".gitignore"), ".pulumi-home/\n.state/\nnode_modules/\n");
  git(["init", "-q", "-b", "main"]);
  git(["remote", "add", "origin", "https://github.com/acme/doors.git"]);
  await p.init("dev");
  await p.init("empty");
  await p.run(["stack", "select", "dev"]);
  between[0] = new Date().toISOString();
  await sleep(1100 - (Date.now() % 1000));

  const adaLobby: Declared = { name: "ada-lobby", group: lobby, user: u.ada };
  const graceLobby: Declared = { name: "grace-lobby", group: lobby, user: u.grace };
  // v1: grants.
  await commit([adaLobby, graceLobby], "Ada and Grace get the lobby", "Ada Lovelace <ada@example.com>");
  await update(["up", "--yes", "--skip-preview", "-m", "Ada and Grace get the lobby"], 1);
  // v2: a rename (alias) and a roster of the lab.
  const adaFront: Declared = { name: "ada-front", group: lobby, user: u.ada, aliases: ["ada-lobby"] };
  await commit([adaFront, graceLobby, { name: "lab", group: lab, ids: [u.ada, u.alan] }], "Rename ada-lobby; the lab roster", "Grace Hopper <grace@example.com>");
  await update(["up", "--yes", "--skip-preview", "-m", "Rename ada-lobby; the lab roster"], 2);
  // v3, in CI for pull request 12: Grace moves from a membership into a lobby roster; Alan leaves the lab.
  await commit([adaFront, { name: "lobby", group: lobby, ids: [u.grace] }, { name: "lab", group: lab, ids: [u.ada] }], "Lobby roster; Alan leaves the lab", "Alan Turing <alan@example.com>");
  const event = path.join(p.dir, "..", `${path.basename(p.dir)}-event.json`);
  fs.writeFileSync(event, JSON.stringify({ action: "synchronize", number: 12, pull_request: { head: { sha: commits[2], ref: "lobby-roster" } } }));
  const ci = { GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "4242", GITHUB_RUN_NUMBER: "7", GITHUB_REPOSITORY: "acme/doors", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event, GITHUB_SHA: commits[2] };
  await update(["up", "--yes", "--skip-preview", "-m", "Lobby roster; Alan leaves the lab"], 3, ci);
  // v4: Alan comes back to the lab; the lobby roster (Grace) goes.
  await commit([adaFront, { name: "lab", group: lab, ids: [u.ada, u.alan] }], "Alan is back; Grace leaves", "Ada Lovelace <ada@example.com>");
  await update(["up", "--yes", "--skip-preview", "-m", "Alan is back; Grace leaves"], 4);
  // v5: someone removes Ada from the lobby in the console; a refresh sees it.
  fake.removeOutOfBand(u.ada, lobby);
  await update(["refresh", "--yes", "--skip-preview", "-m", "refresh after console removal"], 5);
  // v6: up grants it again; v7: destroy; v8: up after the destroy.
  await update(["up", "--yes", "--skip-preview", "-m", "restore Ada"], 6);
  await update(["destroy", "--yes", "--skip-preview", "-m", "tear down"], 7);
  await update(["up", "--yes", "--skip-preview", "-m", "back again"], 8);
});
afterAll(() => fake.stop());

interface JsonUpdate {
  version: number;
  time: string;
  endTime: string;
  kind: string;
  result: string;
  message: string;
  commit: string | null;
  author: string | null;
  committer: string | null;
  repository: string | null;
  ci: { system: string; run: string; type: string; pullRequest: string } | null;
}
interface JsonInterval {
  acsUserId: string;
  acsAccessGroupId: string;
  stack: string;
  from: JsonUpdate;
  to: JsonUpdate | null;
}
const short = (i: JsonInterval) => `${i.acsUserId}@${i.acsAccessGroupId} ${i.from.version}-${i.to?.version ?? "held"}`;
const name = (id: string) => Object.entries({ ...u, lobby, lab }).find(([, v]) => v === id)?.[0] ?? id;
const named = (i: JsonInterval) => `${name(i.acsUserId)}@${name(i.acsAccessGroupId)} ${i.from.version}-${i.to?.version ?? "held"}`;

test("every interval as the test made it: the rename and the move break none; removal, refresh and destroy end them", async () => {
  const requests = fake.requests.length;
  const stateBefore = p.stateFiles();
  const r = await history(["--stack", "dev", "--format", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.stacks).toEqual([{ stack: "history/dev", source: expect.stringMatching(/\.pulumi[/\\]history[/\\]history[/\\]dev$/), updates: 8, first: expect.any(String), last: expect.any(String) }]);
  expect((out.intervals as JsonInterval[]).map(named).sort()).toEqual(
    [
      "ada@lobby 1-5", // renamed at 2 (one interval), removed out of band and refreshed away at 5
      "ada@lobby 6-7",
      "ada@lobby 8-held",
      "grace@lobby 1-4", // moved from a membership into the lobby roster at 3 (one interval), gone at 4
      "ada@lab 2-7",
      "alan@lab 2-3", // left at 3
      "alan@lab 4-7", // back at 4
      "ada@lab 8-held",
      "alan@lab 8-held",
    ].sort(),
  );
  // Read-only: no request to Seam without a door or email question, and the state is as it was.
  expect(fake.requests.length).toBe(requests);
  expect(p.stateFiles()).toBe(stateBefore);
});

test("each update's metadata: version, kind, message, commit, author and committer, the CI run and pull request of v3", async () => {
  const out = JSON.parse((await history(["--stack", "dev", "--format", "json"])).stdout);
  const updates = new Map<number, JsonUpdate>();
  for (const i of out.intervals as JsonInterval[]) for (const x of [i.from, i.to]) if (x) updates.set(x.version, x);
  expect([...updates.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  const v = (n: number) => updates.get(n)!;
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [v(n).kind, v(n).message, v(n).result])).toEqual([
    ["update", "Ada and Grace get the lobby", "succeeded"],
    ["update", "Rename ada-lobby; the lab roster", "succeeded"],
    ["update", "Lobby roster; Alan leaves the lab", "succeeded"],
    ["update", "Alan is back; Grace leaves", "succeeded"],
    ["refresh", "refresh after console removal", "succeeded"],
    ["update", "restore Ada", "succeeded"],
    ["destroy", "tear down", "succeeded"],
    ["update", "back again", "succeeded"],
  ]);
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => v(n).commit)).toEqual([...commits, commits[3], commits[3], commits[3], commits[3]]);
  expect(v(1)).toMatchObject({ author: "Ada Lovelace <ada@example.com>", committer: null, repository: "acme/doors", ci: null });
  expect(v(2)).toMatchObject({ author: "Grace Hopper <grace@example.com>", committer: "Ada Lovelace <ada@example.com>" });
  expect(v(3)).toMatchObject({ author: "Alan Turing <alan@example.com>", ci: { system: "GitHub Actions", run: "https://github.com/acme/doors/actions/runs/4242", type: "pull_request", pullRequest: "12" } });
  // Times: ISO 8601, in order, each update within the instants the test noted around it.
  for (let n = 1; n <= 8; n++) {
    expect(v(n).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(v(n).time)).toBeGreaterThanOrEqual(Math.floor(Date.parse(between[n - 1]!) / 1000) * 1000);
    expect(Date.parse(v(n).endTime)).toBeLessThanOrEqual(Date.parse(between[n]!));
  }
});

test("--at: who held access between updates, by group and by door (doors as Seam maps them now)", async () => {
  const requests = fake.requests.length;
  const r = await history(["--stack", "dev", "--at", between[3]!, "--format", "json"], seamEnv());
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  const holders = (out.holders as { acsUserId: string; acsAccessGroupId: string; grantedBy: JsonUpdate }[]).map((h) => `${name(h.acsUserId)}@${name(h.acsAccessGroupId)} granted ${h.grantedBy.version}`).sort();
  expect(holders).toEqual(["ada@lab granted 2", "ada@lobby granted 1", "grace@lobby granted 1"].sort());
  const doors = (out.doors as { entrance: { name: string }; holders: { acsUserId: string; acsAccessGroupId: string }[] }[]).map((d) => [d.entrance.name, d.holders.map((h) => `${name(h.acsUserId)}@${name(h.acsAccessGroupId)}`).sort()]);
  expect(doors).toEqual([
    ["Front door", ["ada@lab", "ada@lobby", "grace@lobby"]],
    ["Lab door", ["ada@lab"]],
  ]);
  expect(out.doorsNote).toMatch(/at Seam now/);
  // Only reads: the groups' list and one list of entrances per group.
  const sent = fake.requests.slice(requests).map((q) => q.path);
  expect(sent.sort()).toEqual(["/acs/access_groups/list", "/acs/access_groups/list_accessible_entrances", "/acs/access_groups/list_accessible_entrances"]);

  const after5 = JSON.parse((await history(["--stack", "dev", "--at", between[5]!, "--no-doors", "--format", "json"])).stdout);
  expect((after5.holders as { acsUserId: string; acsAccessGroupId: string }[]).map((h) => `${name(h.acsUserId)}@${name(h.acsAccessGroupId)}`).sort()).toEqual(["ada@lab", "alan@lab"]);
  expect(after5.doors).toBeUndefined();
  const before1 = JSON.parse((await history(["--stack", "dev", "--at", between[0]!, "--no-doors", "--format", "json"])).stdout);
  expect(before1.holders).toEqual([]);

  const text = await history(["--stack", "dev", "--at", between[3]!], seamEnv());
  expect(text.stdout).toContain(`At ${new Date(between[3]!).toISOString().replace(".000Z", "Z")}: 3 held access`);
  expect(text.stdout).toMatch(/By door\. Doors are the entrances each group opens at Seam now/);
  expect(text.stdout).toContain(`Lab door (${labDoor})\n    ${u.ada} through ${lab} (history/dev)`);

  // With --entrance, the holders through the groups that open it, and that door only.
  const lab3 = JSON.parse((await history(["--stack", "dev", "--entrance", "Lab door", "--at", between[3]!, "--format", "json"], seamEnv())).stdout);
  expect(lab3.holders.map((h: { acsUserId: string; acsAccessGroupId: string }) => `${name(h.acsUserId)}@${name(h.acsAccessGroupId)}`)).toEqual(["ada@lab"]);
  expect(lab3.doors.map((d: { entrance: { name: string } }) => d.entrance.name)).toEqual(["Lab door"]);
  expect(lab3.question.entrances).toEqual([{ query: "Lab door", entrances: [{ acsEntranceId: labDoor, name: "Lab door", acsSystemId: expect.any(String) }], groups: [lab] }]);
});

test("--person by email (through Seam) or acs_user id, --group, --entrance, --since/--until", async () => {
  const ask = async (args: string[]) => {
    const r = await history(["--stack", "dev", "--format", "json", ...args], seamEnv());
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout).intervals as JsonInterval[]).map(named).sort();
  };
  expect(await ask(["--person", "grace@example.com"])).toEqual(["grace@lobby 1-4"]);
  expect(await ask(["--person", u.alan])).toEqual(["alan@lab 2-3", "alan@lab 4-7", "alan@lab 8-held"]);
  expect(await ask(["--group", "Lobby"])).toEqual(["ada@lobby 1-5", "ada@lobby 6-7", "ada@lobby 8-held", "grace@lobby 1-4"]);
  expect(await ask(["--group", lab, "--person", "alan@example.com"])).toEqual(["alan@lab 2-3", "alan@lab 4-7", "alan@lab 8-held"]);
  // The Lab door is opened by the lab only; the front door by both groups.
  expect(await ask(["--entrance", "Lab door"])).toEqual(["ada@lab 2-7", "ada@lab 8-held", "alan@lab 2-3", "alan@lab 4-7", "alan@lab 8-held"]);
  // Between the end of v3 and the end of v4: what still held access then, and what began by then.
  expect(await ask(["--since", between[3]!, "--until", between[4]!, "--person", u.alan])).toEqual(["alan@lab 4-7"]);
  expect(await ask(["--until", between[1]!])).toEqual(["ada@lobby 1-5", "grace@lobby 1-4"]);
});

test("markdown and CSV; a stack with no history; unknown people, stacks and options; exit codes", async () => {
  const md = await history(["--stack", "dev", "--format", "markdown", "--person", u.grace]);
  expect(md.code).toBe(0);
  expect(md.stdout).toContain("## Access history");
  expect(md.stdout).toContain(`| \`${u.grace}\` | \`${lobby}\` | history/dev | #1 update`);
  const csv = await history(["--stack", "dev", "--format", "csv"]);
  expect(csv.code).toBe(0);
  const rows = csv.stdout.trimEnd().split("\r\n");
  expect(rows).toHaveLength(1 + 9);
  expect(rows[0]!.split(",").slice(0, 5)).toEqual(["stack", "acs_user_id", "acs_access_group_id", "from_version", "from_time"]);
  expect(rows.filter((row) => row.includes("4242"))).not.toHaveLength(0);

  const empty = await history(["--stack", "empty", "--format", "json"]);
  expect(empty.code).toBe(0);
  expect(JSON.parse(empty.stdout)).toMatchObject({ stacks: [{ stack: "history/empty", updates: 0, first: null, last: null }], intervals: [] });
  expect((await history(["--stack", "empty"])).stdout).toContain("history/empty: no updates in its history");

  const unknownEmail = await history(["--stack", "dev", "--person", "nobody@example.com"], seamEnv());
  expect(unknownEmail.code).toBe(1);
  expect(unknownEmail.stderr).toMatch(/No ACS user or user identity at Seam has the email "nobody@example.com"; a person no longer at Seam can be asked for by acs_user id/);
  const unknownId = await history(["--stack", "dev", "--person", "acs_user_unknown", "--format", "json"]);
  expect(unknownId.code).toBe(0);
  expect(JSON.parse(unknownId.stdout).intervals).toEqual([]);
  expect(unknownId.stderr).toContain("no interval of these stacks concerns acs_user_unknown");
  const noSeam = await history(["--stack", "dev", "--person", "ada@example.com"], { SEAM_API_KEY: undefined, SEAM_ENDPOINT: undefined });
  expect(noSeam.code).toBe(1);
  expect(noSeam.stderr).toMatch(/Seam is needed for --person ada@example.com/);
  const refused = await history(["--stack", "dev", "--person", "ada@example.com"], { ...seamEnv(), SEAM_API_KEY: "seam_wrong_key_123" });
  expect(refused.code).toBe(1);
  expect(refused.stderr).not.toMatch(/unexpected failure|seam_wrong_key_123/);
  const unknownStack = await history(["--stack", "nope"]);
  expect(unknownStack.code).toBe(1);
  expect(unknownStack.stderr).toMatch(/`pulumi stack history --stack nope .*` failed: .*nope/);
  for (const args of [["--stack", "dev", "--format", "yaml"], ["--stack", "dev", "--at", "2026-11-03 23:00"], ["--stack", "dev", "--no-doors"], []]) {
    const r = await history(args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
  }
});
