/**
 * `pulumi-seam-acs review` (the packed package's bin) on previews the real engine made of one
 * stack, against Seam's fake: every netting case in one change, each format, the guard at its
 * boundary, names found, gone, hostile and unavailable, and every kind of bad input.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Membership, PulumiProject, RunResult } from "./support/pulumi";
import { reviewProgram, runReview } from "./support/review";
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

const userRoute = "/acs/users/get";
const groupRoute = "/acs/access_groups/get";
const groupsRoute = "/acs/access_groups/list";
const membersRoute = "/acs/access_groups/list_users";
const entrancesRoute = "/acs/access_groups/list_accessible_entrances";
const hostileName = "Eve | <img src=x onerror=alert(1)> **bold** [x](https://evil.example) @octocat\nsecond line `code` \\";
const hostileGroup = "Vault |\n<script>alert(1)</script>";

let fake: SeamFake;
let canary: string;
let p: PulumiProject;
const u = {} as Record<string, string>;
const g = {} as Record<string, string>;
/** `pulumi preview --json --show-sames` and plain `pulumi preview --json` of the same change. */
let sames: RunResult;
let plain: RunResult;
/** The same with the replacement's own steps (create-replacement, delete-replaced) listed too. */
let replacementSteps: RunResult;
let failed: RunResult;
let exported: string;
const outputs: RunResult[] = [];

const urn = (name: string) => `urn:pulumi:test::review::pulumi-nodejs:dynamic/seam:AccessGroupMembership::${name}`;
const withNames = () => ({ SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url });

async function review(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = await runReview(["review", ...args], { stdin: sames.stdout, ...options });
  outputs.push(result);
  return result;
}

beforeAll(async () => {
  fake = await startSeamFake();
  canary = `seam_canary${randomBytes(12).toString("hex")}`;
  fake.addApiKey(canary);
  const person = (key: string, fullName: string) => (u[key] = fake.addUser(fullName, undefined, { email: `${key}@example.com` }));
  person("ada", "Ada Lovelace");
  person("alan", "Alan Turing");
  person("grace", "Grace Hopper");
  person("linus", "Linus Torvalds");
  person("barbara", "Barbara Liskov");
  person("edsger", "Edsger Dijkstra");
  person("eve", hostileName);
  person("ghost", "Ghost");
  person("frank", "Frank");
  person("hank", "Hank");
  for (const [key, name] of Object.entries({ lobby: "Lobby", lab: "Lab", roof: "Roof", vault: hostileGroup, oldRoom: "Old room" })) {
    g[key] = fake.addGroup(name);
  }
  const m = (name: string, user: string, group: string, extra: Partial<Membership> = {}): Membership => ({
    name,
    acsUserId: u[user]!,
    acsAccessGroupId: g[group]!,
    ...extra,
  });
  p = new PulumiProject("review", { program: reviewProgram, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  await p.init();
  await p.setMemberships([
    m("ada-lobby", "ada", "lobby"),
    m("alan-lab", "alan", "lab"),
    m("grace-1", "grace", "roof"),
    m("linus-a", "linus", "lobby"),
    m("linus-b", "linus", "lab"),
    m("barbara", "barbara", "lobby"),
    m("eve-vault", "eve", "vault"),
    m("ghost-lab", "ghost", "lab"),
    m("frank-old-room", "frank", "oldRoom"),
    m("edsger-lobby", "edsger", "lobby"),
  ]);
  await p.up();
  // A second declarer of grace's pair, as state written before one-declarer-per-pair can hold it
  // (a program can no longer declare it twice): grace-2, a copy of grace-1 under another name.
  const state = JSON.parse((await p.run(["stack", "export"])).stdout);
  const grace1 = state.deployment.resources.find((r: { urn: string }) => r.urn === urn("grace-1"));
  state.deployment.resources.push({ ...grace1, urn: urn("grace-2") });
  const stateFile = path.join(p.dir, "legacy-state.json");
  fs.writeFileSync(stateFile, JSON.stringify(state));
  await p.run(["stack", "import", "--file", stateFile]);
  // Gone from Seam since: the review must say so rather than fail or show nothing.
  fake.deleteUser(u.ghost!);
  fake.deleteGroup(g.oldRoom!);
  await p.setMemberships([
    m("ada-front-door", "ada", "lobby"), // renamed without an alias
    // alan-lab dropped: a removal
    m("grace-2", "grace", "roof"), // duplicate grace-1 dropped
    m("linus-a", "linus", "lab"), // swapped groups
    m("linus-b", "linus", "lobby"),
    m("barbara", "barbara", "lab"), // moves to another group
    // eve-vault, ghost-lab, frank-old-room dropped
    m("edsger-lobby", "edsger", "lobby"), // unchanged
    m("edsger-roof", "edsger", "roof"), // new
    m("hank-lab", "hank", "lab", { after: "edsger-roof" } as Partial<Membership>), // user id not known until apply
  ]);
  sames = await p.previewJson(["--show-sames"]);
  plain = await p.previewJson();
  replacementSteps = await p.previewJson(["--show-sames", "--show-replacement-steps"]);
  exported = (await p.run(["stack", "export"])).stdout;
  await p.setMemberships([m("bad", "ada", "lobby", { acsUserId: "not an id!" })]);
  failed = await p.previewJson(["--show-sames"]);
}, 300_000);

afterAll(async () => {
  await fake.stop();
});

test("the previews are the engine's own, and previews send nothing to Seam", () => {
  expect(sames.code).toBe(0);
  expect(plain.code).toBe(0);
  expect(replacementSteps.code).toBe(0);
  expect(failed.code).not.toBe(0);
  expect(fake.requests.filter((r) => r.path === removeRoute)).toEqual([]);
  expect(fake.requestsTo(addRoute)).toHaveLength(10);
});

test("JSON, field by field: removals, additions, moves and unknowns netted as the provider nets them, named once per id", async () => {
  const before = fake.requests.length;
  const r = await review(["--format", "json"], { env: withNames() });
  expect(r.stderr).toBe("note: A removal may turn out to be a move: a resource whose ids are not known until apply could declare the same pair, and the provider would then keep it. It is counted as a removal.\n");
  expect(r.code).toBe(0);
  const person = (key: string, fullName: string) => ({ fullName, email: `${key}@example.com` });
  const item = (user: string, group: string, resources: string[], userName: unknown, groupName: unknown, atSeam?: boolean) => ({
    acsUserId: u[user]!,
    acsAccessGroupId: g[group]!,
    resources: resources.map(urn).sort(),
    user: userName,
    group: groupName,
    ...(atSeam === undefined ? {} : { atSeam }),
  });
  const byPair = (xs: { acsUserId?: string | null; acsAccessGroupId?: string | null }[]) =>
    [...xs].sort((a, b) => `${a.acsAccessGroupId}/${a.acsUserId}`.localeCompare(`${b.acsAccessGroupId}/${b.acsUserId}`));
  const json = JSON.parse(r.stdout);
  // The first four lists as they always were; the keys added for engine options follow them, and
  // the doors (read by default whenever names are read) come last.
  expect(Object.keys(json)).toEqual(["removals", "additions", "moves", "unknown", "retained", "refused", "refusals", "splitMoves", "notRun", "pendingOperations", "notes", "doors"]);
  expect([json.retained, json.refused, json.refusals, json.splitMoves, json.notRun, json.pendingOperations]).toEqual([[], false, [], [], [], null]);
  expect(byPair(json.removals)).toEqual(
    byPair([
      item("alan", "lab", ["alan-lab"], person("alan", "Alan Turing"), { name: "Lab" }, true),
      item("barbara", "lobby", ["barbara"], person("barbara", "Barbara Liskov"), { name: "Lobby" }, true),
      item("eve", "vault", ["eve-vault"], person("eve", hostileName), { name: hostileGroup }, true),
      // Gone from Seam (the user, the group): already gone at the door.
      item("ghost", "lab", ["ghost-lab"], null, { name: "Lab" }, false),
      item("frank", "oldRoom", ["frank-old-room"], person("frank", "Frank"), null, false),
    ]),
  );
  expect(byPair(json.additions)).toEqual(
    byPair([
      item("barbara", "lab", ["barbara"], person("barbara", "Barbara Liskov"), { name: "Lab" }, false),
      item("edsger", "roof", ["edsger-roof"], person("edsger", "Edsger Dijkstra"), { name: "Roof" }, false),
    ]),
  );
  expect(byPair(json.moves)).toEqual(
    byPair([
      item("ada", "lobby", ["ada-lobby", "ada-front-door"], person("ada", "Ada Lovelace"), { name: "Lobby" }),
      item("grace", "roof", ["grace-1", "grace-2"], person("grace", "Grace Hopper"), { name: "Roof" }),
      item("linus", "lobby", ["linus-a", "linus-b"], person("linus", "Linus Torvalds"), { name: "Lobby" }),
      item("linus", "lab", ["linus-a", "linus-b"], person("linus", "Linus Torvalds"), { name: "Lab" }),
    ]),
  );
  expect(json.unknown).toEqual([{ acsUserId: null, acsAccessGroupId: g.lab, resources: [urn("hank-lab")], user: null, group: { name: "Lab" } }]);

  // No group here opens an entrance: every person who gains or loses keeps the doors they had
  // (ghost is gone from Seam, frank's group too: nothing changes for them at the door).
  const doorsOf = (key: string) => ({ acsUserId: u[key]!, unchanged: true, loses: [], gains: [], keeps: [], undetermined: [] });
  const doorPeople = (json.doors.people as { acsUserId: string; user: unknown }[]).map(({ user: _user, ...rest }) => rest);
  expect(doorPeople.sort((a, b) => a.acsUserId.localeCompare(b.acsUserId))).toEqual(
    ["alan", "barbara", "eve", "ghost", "frank", "edsger"].map(doorsOf).sort((a, b) => a.acsUserId.localeCompare(b.acsUserId)),
  );

  // One member list per group that gains or loses someone (5), one list of the workspace's groups
  // for their names, and a lookup only for the people no list named: ghost (deleted) and frank
  // (his group is gone, so the list lacks it and it is read on its own: a 404). For the doors:
  // people's groups from the member lists, since the workspace's groups not listed already are
  // fewer than the 6 people who gain or lose (issue 25: no list per person), and one entrance
  // list per group that changes at Seam for someone (lab, lobby, roof, vault; oldRoom is gone,
  // ghost is not in lab); the groups people stay in are not read, since no changed group opens a door.
  const sent = fake.requests.slice(before);
  expect(sent.every((s) => [userRoute, groupRoute, groupsRoute, membersRoute, entrancesRoute].includes(s.path))).toBe(true);
  const workspaceLists = sent.filter((s) => s.path === groupsRoute && (s.body as Record<string, unknown>).acs_user_id === undefined);
  expect(workspaceLists).toHaveLength(1);
  const asked = (route: string, key: string) => sent.filter((s) => s.path === route).map((s) => (s.body as Record<string, string>)[key]).sort();
  expect(asked(groupsRoute, "acs_user_id").filter((id) => id !== undefined)).toEqual([]);
  expect(sent.filter((s) => s.path === groupsRoute)).toHaveLength(1);
  expect(asked(entrancesRoute, "acs_access_group_id")).toEqual(["lab", "lobby", "roof", "vault"].map((k) => g[k]).sort());
  // Each group's members once: the changing groups' for the door's truth and the names, and the
  // workspace's other groups (the local Seam's own seed) for people's groups.
  const memberLists = asked(membersRoute, "acs_access_group_id");
  expect(new Set(memberLists).size).toBe(memberLists.length);
  expect(memberLists).toEqual(expect.arrayContaining(["lab", "lobby", "oldRoom", "roof", "vault"].map((k) => g[k])));
  // The rule: 6 people outnumber the workspace groups not listed already (all but lab, lobby, roof, vault).
  expect(memberLists.length - 5).toBeLessThan(6);
  expect(asked(userRoute, "acs_user_id")).toEqual(["frank", "ghost"].map((k) => u[k]).sort());
  expect(asked(groupRoute, "acs_access_group_id")).toEqual([g.oldRoom]);
  expect(sent.every((s) => s.headers.authorization === `Bearer ${canary}`)).toBe(true);
});

test("--no-doors: no door section and no door read, the rest of the review as with doors", async () => {
  const withDoors = JSON.parse((await review(["--format", "json"], { env: withNames() })).stdout);
  const before = fake.requests.length;
  const r = await review(["--format", "json", "--no-doors"], { env: withNames() });
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(Object.keys(json)).not.toContain("doors");
  const { doors: _doors, ...rest } = withDoors;
  expect(json).toEqual(rest);
  const sent = fake.requests.slice(before);
  expect(sent.filter((s) => s.path === entrancesRoute)).toEqual([]);
  // Only the workspace's list of groups, for the names: no person's groups.
  const lists = sent.filter((s) => s.path === groupsRoute);
  expect(lists).toHaveLength(1);
  expect((lists[0]!.body as Record<string, unknown>).acs_user_id).toBeUndefined();
  // --doors, the default, changes nothing.
  expect(JSON.parse((await review(["--format", "json", "--doors"], { env: withNames() })).stdout)).toEqual(withDoors);
});

test("a preview that changes no one: JSON has an empty door section, text none, and nothing is read (no credentials needed)", async () => {
  const preview = JSON.parse(sames.stdout);
  preview.steps = [];
  const before = fake.requests.length;
  const json = await review(["--format", "json"], { stdin: JSON.stringify(preview), env: {} });
  expect([json.code, json.stderr]).toEqual([0, ""]);
  expect(JSON.parse(json.stdout).doors).toEqual({ people: [] });
  const text = await review([], { stdin: JSON.stringify(preview), env: {} });
  expect([text.code, text.stderr]).toEqual([0, ""]);
  expect(text.stdout).not.toMatch(/Doors/);
  expect(fake.requests.length).toBe(before);
});

test("a preview listing the replacement's own steps gives the same review", async () => {
  const ops = JSON.parse(replacementSteps.stdout).steps.map((s: { op: string }) => s.op);
  expect(ops).toEqual(expect.arrayContaining(["replace", "create-replacement", "delete-replaced"]));
  const withSteps = await review(["--no-names", "--format", "json"], { stdin: replacementSteps.stdout });
  const without = await review(["--no-names", "--format", "json"]);
  expect(withSteps.code).toBe(0);
  expect(JSON.parse(withSteps.stdout)).toEqual(JSON.parse(without.stdout));
  expect(JSON.parse(without.stdout).removals).toHaveLength(5);
});

test("a declared id hidden as a secret is listed as not known, never as nothing", async () => {
  const preview = JSON.parse(sames.stdout);
  preview.steps.find((s: { urn: string }) => s.urn === urn("edsger-roof")).newState.inputs.acsUserId = "[secret]";
  const r = await review(["--no-names", "--format", "json"], { stdin: JSON.stringify(preview) });
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json.unknown).toContainEqual({ acsUserId: null, acsAccessGroupId: g.roof, resources: [urn("edsger-roof")], user: null, group: null });
  expect(json.additions.map((a: { resources: string[] }) => a.resources)).toEqual([[urn("barbara")]]);
});

test("text: the summary line, then person (email) — group — resources, one line per change", async () => {
  const r = await review([], { env: withNames() });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe("");
  const lines = r.stdout.split("\n");
  expect(lines[0]).toBe("3 lose access, 2 gain access, 4 moved in state, 1 not known until apply, 2 already gone");
  const section = (heading: string) => {
    const start = lines.indexOf(heading);
    expect(start).toBeGreaterThan(0);
    const end = lines.indexOf("", start);
    return lines.slice(start + 1, end).sort();
  };
  expect(section("Loses access:")).toEqual(
    [
      "  Alan Turing (alan@example.com) — Lab — alan-lab (may turn out to be a move)",
      "  Barbara Liskov (barbara@example.com) — Lobby — barbara",
      `  ${hostileName.replace("\n", " ")} (eve@example.com) — ${hostileGroup.replace("\n", " ")} — eve-vault`,
    ].sort(),
  );
  expect(section("Already gone at Seam: no change at the door (the resource leaves the state):")).toEqual(
    [
      `  ${u.ghost} (no such user in Seam) — Lab — ghost-lab (may turn out to be a move)`,
      `  Frank (frank@example.com) — ${g.oldRoom} (no such access group in Seam) — frank-old-room`,
    ].sort(),
  );
  expect(section("Gains access:")).toEqual(
    ["  Barbara Liskov (barbara@example.com) — Lab — barbara", "  Edsger Dijkstra (edsger@example.com) — Roof — edsger-roof"].sort(),
  );
  expect(section("Moved in state (no change in access):")).toEqual(
    [
      "  Ada Lovelace (ada@example.com) — Lobby — ada-lobby → ada-front-door",
      "  Grace Hopper (grace@example.com) — Roof — grace-1, grace-2 → grace-2",
      "  Linus Torvalds (linus@example.com) — Lobby — linus-a → linus-b",
      "  Linus Torvalds (linus@example.com) — Lab — linus-b → linus-a",
    ].sort(),
  );
  expect(section("Not known until apply:")).toEqual(["  (user not known until apply) — Lab — hank-lab"]);
  expect(r.stdout).toMatch(/Note: A removal may turn out to be a move/);
  // A name with a line break still makes one line.
  expect(lines.some((l) => l.startsWith("second line"))).toBe(false);
});

test("Markdown: heading, summary, the four tables; hostile names cannot break a table, open HTML, link or mention", async () => {
  const r = await review(["--format", "markdown"], { env: withNames() });
  expect(r.code).toBe(0);
  const md = r.stdout;
  expect(md.startsWith("## Seam access review: review/test\n\n**3 lose access, 2 gain access, 4 moved in state, 1 not known until apply, 2 already gone**\n")).toBe(true);
  const headings = md.split("\n").filter((l) => l.startsWith("### "));
  expect(headings).toEqual([
    "### Loses access",
    "### Gains access",
    "### Moved in state (no change in access)",
    "### Not known until apply",
    "### Already gone at Seam (no change at the door)",
    "### Doors (net of every change and every group kept at Seam)",
  ]);
  // The door table (three columns) comes last: one row per person who gains or loses.
  const [changesMd, doorsMd] = md.split("### Doors");
  const doorRows = doorsMd!.split("\n").filter((l) => l.startsWith("|"));
  expect(doorRows).toHaveLength(2 + 6);
  for (const row of doorRows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(4);
  expect(doorRows.find((row) => row.includes("eve@example.com"))).toBe(
    "| Eve \\| &lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*bold\\*\\* \\[x\\]\\(https://evil.example\\) @\u200boctocat second line \\`code\\` \\\\ | eve@example.com | doors as they were |",
  );
  const rows = changesMd!.split("\n").filter((l) => l.startsWith("|"));
  expect(rows).toHaveLength(5 * 2 + 3 + 2 + 4 + 1 + 2);
  // Every row has exactly the five cell borders of four columns: no name adds one.
  for (const row of rows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(5);
  const eve = rows.find((row) => row.includes("eve@example.com"))!;
  expect(eve).toBe(
    "| Eve \\| &lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*bold\\*\\* \\[x\\]\\(https://evil.example\\) @\u200boctocat second line \\`code\\` \\\\ | eve@example.com " +
      "| Vault \\| &lt;script&gt;alert\\(1\\)&lt;/script&gt; | eve-vault |",
  );
  expect(md).not.toMatch(/<img|<script|(^|[^\\])\[x\]\(/);
  expect(md).not.toMatch(/(^|\s)@octocat/);
  expect(md).toContain("| Ada Lovelace | ada@example.com | Lobby | ada-lobby → ada-front-door |");
  expect(md).toContain("| *not known until apply* |  | Lab | hank-lab |");
  expect(md).toContain("> **Note:** A removal may turn out to be a move");
});

test("the guard: exit 3 above --max-removals N (report first, then one line why), 0 at N", async () => {
  const atLimit = await review(["--no-names", "--max-removals", "5"]);
  expect(atLimit.code).toBe(0);
  expect(atLimit.stderr).toBe("");

  const over = await review(["--no-names", "--max-removals", "4"]);
  expect(over.code).toBe(3);
  expect(over.stdout).toMatch(/^5 lose access, 2 gain access/);
  expect(over.stderr.trim().split("\n")).toEqual([
    "pulumi-seam-acs review: guard tripped: 5 memberships would lose access, at most 4 allowed by --max-removals. Check the removals above; if they are intended, raise the limit for this change.",
  ]);

  const none = await review(["--no-names", "--fail-on-removal", "--format", "json"]);
  expect(none.code).toBe(3);
  expect(JSON.parse(none.stdout).removals).toHaveLength(5);
  expect(none.stderr).toMatch(/guard tripped: 5 memberships would lose access, no removals are allowed/);
});

test("without --show-sames, a pair an unseen unchanged resource still declares counts as a removal, and the review says why", async () => {
  const r = await review(["--no-names", "--max-removals", "5"], { stdin: plain.stdout });
  expect(r.code).toBe(3);
  expect(r.stdout.split("\n")[0]).toBe("6 lose access, 2 gain access, 3 moved in state, 1 not known until apply");
  expect(r.stdout).toContain(`  ${u.grace} — ${g.roof} — grace-1 (may turn out to be a move)`);
  expect(r.stdout).toMatch(/The preview leaves out 2 unchanged resources \(it was run without --show-sames\)/);
});

test("--no-names sends nothing to Seam and shows ids", async () => {
  const before = fake.requests.length;
  const r = await review(["--no-names"], { env: withNames() });
  expect(r.code).toBe(0);
  expect(fake.requests.length).toBe(before);
  expect(r.stdout).toContain(`  ${u.alan} — ${g.lab} — alan-lab (may turn out to be a move)`);
});

test("no credentials: ids and one warning line, or exit 1 with --require-names", async () => {
  const before = fake.requests.length;
  const r = await review([], { env: { SEAM_ENDPOINT: fake.url } });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`  ${u.barbara} — ${g.lobby} — barbara`);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/^warning: no names \(ids only\): the review does not read the stack config .*Set SEAM_API_KEY .*SEAM_ENDPOINT.*--stack NAME.*--no-names/);

  const required = await review(["--require-names"], { env: { SEAM_ENDPOINT: fake.url } });
  expect(required.code).toBe(1);
  expect(required.stdout).toBe("");
  expect(required.stderr).toMatch(/names are required \(--require-names\) but no names/);
  expect(fake.requests.length).toBe(before);
});

test("Seam down during name lookups: ids and one warning line (never the token), or exit 1 with --require-names", async () => {
  const env = { ...withNames(), SEAM_MAX_ATTEMPTS: "2", SEAM_REQUEST_TIMEOUT_SECONDS: "2" };
  const down = { kind: "status", status: 503 } as const;
  const during = (f: () => Promise<RunResult>) =>
    fake.duringOutage(userRoute, down, {}, () =>
      fake.duringOutage(groupRoute, down, {}, () => fake.duringOutage(groupsRoute, down, {}, () => fake.duringOutage(membersRoute, down, {}, f))),
    );
  const r = await during(() => review([], { env }));
  expect(r.code).toBe(0);
  expect(r.stdout.split("\n")[0]).toBe("5 lose access, 2 gain access, 4 moved in state, 1 not known until apply");
  expect(r.stdout).toContain(`  ${u.ada} — ${g.lobby} — ada-lobby → ada-front-door`);
  const warning = r.stderr.trim().split("\n");
  expect(warning).toHaveLength(2);
  expect(warning[0]).toMatch(/^warning: 14 of 14 names could not be read from Seam, so the review shows their ids: .*HTTP 503.*2 attempts/);
  expect(warning[1]).toMatch(/^warning: the members of 5 of 5 access groups could not be read from Seam, so whether their changes are in place already is not known: .*HTTP 503/);

  const required = await during(() => review(["--require-names"], { env }));
  expect(required.code).toBe(1);
  expect(required.stderr).toMatch(/names are required \(--require-names\) but 14 of 14 names could not be read/);
});

describe("bad input: a clear message and exit 1", () => {
  test.each([
    ["empty stdin", "", /stdin is empty: there is no preview to review\. Pass the output of `pulumi preview --json --show-sames`/],
    ["not JSON", "Previewing update (test):\n", /stdin is not JSON\. It looks like pulumi preview's text output: add --json\./],
    ["JSON that is not a preview", '{"hello": "world"}', /stdin is JSON but not a `pulumi preview --json` document/],
    ["a JSON array", "[1, 2]", /stdin is JSON but not a `pulumi preview --json` document/],
  ])("%s", async (_what, stdin, message) => {
    const r = await review(["--no-names"], { stdin });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });

  test("pulumi stack export output", async () => {
    const r = await review(["--no-names"], { stdin: exported });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/looks like `pulumi stack export` output \(a stack's state\), not a preview/);
  });

  test("a preview whose engine reported errors (it still prints JSON) is never 'no change'", async () => {
    expect(JSON.parse(failed.stdout).steps.length).toBeGreaterThan(0);
    const r = await review(["--no-names"], { stdin: failed.stdout });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/The preview failed \(the engine reported 1 error\).*\n  error: .*resource 'bad': property acsUserId value \{not an id!\} has a problem/);
  });

  test("a preview that did not finish (cancelled: steps so far, no changeSummary)", async () => {
    const preview = JSON.parse(sames.stdout);
    delete preview.changeSummary;
    preview.steps = preview.steps.slice(0, 2);
    const r = await review(["--no-names"], { stdin: JSON.stringify(preview) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stdin has no changeSummary: the preview did not finish, so its steps may be incomplete\. Run the preview again\./);
  });

  test("ids hidden as secrets in the old state: what a delete revokes cannot be shown", async () => {
    const preview = JSON.parse(sames.stdout);
    preview.steps.find((s: { urn: string }) => s.urn === urn("alan-lab")).oldState.outputs.acsUserId = "[secret]";
    const r = await review(["--no-names"], { stdin: JSON.stringify(preview) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The preview hides the ids of ${urn("alan-lab")} as secrets, so what its \`delete\` revokes cannot be shown.`);
  });

  test("a step the review does not know is reported, not dropped", async () => {
    const preview = JSON.parse(sames.stdout);
    const step = preview.steps.find((s: { urn: string }) => s.urn === urn("alan-lab"));
    step.op = "import";
    const r = await review(["--no-names"], { stdin: JSON.stringify(preview) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The preview has a \`import\` step for ${urn("alan-lab")}, which this version of pulumi-seam-acs cannot review.`);
  });

  test("a missing --preview file", async () => {
    const r = await review(["--preview", "no-such-preview.json", "--no-names"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot read the preview no-such-preview\.json: no such file\. Write it with `pulumi preview --json --show-sames > no-such-preview\.json`/);
  });
});

describe("usage errors: exit 2", () => {
  test.each([
    [[], /no command given; the commands are review, audit, export/],
    [["reveiw"], /unknown command "reveiw"/],
    [["review", "--format", "html"], /--format must be text, markdown or json, not "html"/],
    [["review", "--max-removals", "-1"], /--max-removals/],
    [["review", "--max-removals", "two"], /--max-removals takes a whole number of memberships \(0 or more\), not "two"/],
    [["review", "--fail-on-removal", "--max-removals", "2"], /--fail-on-removal means --max-removals 0; pass one of them/],
    [["review", "--no-names", "--require-names"], /contradict/],
    [["review", "--doors", "--no-doors"], /--doors and --no-doors contradict each other/],
    [["review", "--doors", "--no-names"], /--no-names sends no request/],
    [["review", "--no-doors", "--protect-entrance", "Lobby door"], /--no-doors leaves them out/],
    [["review", "--no-doors", "--max-people-losing-entrances", "0"], /--no-doors leaves them out/],
    [["review", "--colour"], /unknown option --colour; the options of `review` are --preview VALUE/],
  ])("%j", async (args, message) => {
    const r = await runReview(args as string[], { stdin: sames.stdout });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Run `pulumi-seam-acs --help` for usage/);
  });

  test("--help prints usage and exits 0", async () => {
    const r = await runReview(["review", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: pulumi-seam-acs review \[options\]/);
    expect(r.stdout).toMatch(/--max-removals N/);
  });
});

test("no token in any output", () => {
  expect(outputs.length).toBeGreaterThan(10);
  for (const o of outputs) {
    expect(o.stdout).not.toContain(canary);
    expect(o.stderr).not.toContain(canary);
  }
});
