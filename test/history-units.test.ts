/**
 * The history's pure parts over synthetic DIY history files: intervals and --at holders against a
 * plain oracle on seeded random sequences of checkpoints (every resource shape since 0.1.0, pairs
 * moving between resources, destroys, failed updates), 0.1.0 state in the history, the update
 * metadata, the filters, the formats, and the exported-versions path fed by a stand-in CLI.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readDiyHistory } from "../src/history/diy-files";
import { intervalsOf, type Interval } from "../src/history/intervals";
import { holdersAt, selectIntervals } from "../src/history/query";
import { readExportedHistory } from "../src/history/exported-versions";
import { updateOf } from "../src/history/update";
import { formatHistoryCsv } from "../src/history/format-csv";
import { formatHistoryJson } from "../src/history/format-json";
import { formatHistoryMarkdown } from "../src/history/format-markdown";
import { formatHistoryText } from "../src/history/format-text";
import type { HistoryReport } from "../src/history/report";
import { AuditInputError } from "../src/audit/stack-state";
import { random } from "./support/random";
import { writeHistory, type SyntheticUpdate } from "./support/history-files";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "history-units-"));
const uuid = (n: number, tag: string) => `${tag.padEnd(8, "0")}-0000-4000-8000-${String(n).padStart(12, "0")}`;
const stackResource = { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack", custom: false };
const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;

/** A random checkpoint declaring exactly `pairs` ("g|u"), spread over every resource shape, plus the shapes' names. */
function resourcesFor(pairs: readonly string[], rnd: () => number, upper: boolean): object[] {
  const out: object[] = [stackResource];
  const byGroup = new Map<string, string[]>();
  for (const p of pairs) {
    const [g, u] = p.split("|") as [string, string];
    byGroup.set(g, [...(byGroup.get(g) ?? []), u]);
  }
  let n = 0;
  const name = () => `r${Math.floor(rnd() * 1e6)}-${n++}`;
  const cased = (id: string) => (upper && rnd() < 0.3 ? id.toUpperCase() : id);
  for (const [g, users] of byGroup) {
    const shape = Math.floor(rnd() * 5);
    if (shape === 0) {
      for (const u of users) out.push({ urn: urn("pulumi-nodejs:dynamic/seam:AccessGroupMembership", name()), type: "pulumi-nodejs:dynamic/seam:AccessGroupMembership", custom: true, id: `${cased(g)}/${cased(u)}`, outputs: { acsUserId: cased(u), acsAccessGroupId: cased(g), workspaceId: "ws" } });
    } else if (shape === 1) {
      for (const u of users) out.push({ urn: urn("seam:index:AccessGroupMembership", name()), type: "seam:index:AccessGroupMembership", custom: true, id: `${g}/${u}`, outputs: { acsUserId: cased(u), acsAccessGroupId: g } });
    } else if (shape === 2) {
      // A dynamic roster whose members are named (names → ids), split over two rosters of the same group sometimes.
      const split = rnd() < 0.3 ? Math.floor(users.length / 2) : users.length;
      for (const part of [users.slice(0, split), users.slice(split)].filter((x) => x.length > 0)) {
        out.push({ urn: urn("pulumi-nodejs:dynamic/seam:AccessGroupRoster", name()), type: "pulumi-nodejs:dynamic/seam:AccessGroupRoster", custom: true, id: g, outputs: { acsAccessGroupId: g, members: Object.fromEntries(part.map((u, i) => [`person ${i} ${u}`, cased(u)])) } });
      }
    } else if (shape === 3) {
      out.push({ urn: urn("seam:index:AccessGroupRoster", name()), type: "seam:index:AccessGroupRoster", custom: true, id: g, outputs: { acsAccessGroupId: g, acsUserIds: users.map(cased) } });
    } else {
      // 0.1.0: a component roster over one dynamic membership per member; the component declares nothing itself.
      const parent = urn("seam:index:AccessGroupRoster", name());
      out.push({ urn: parent, type: "seam:index:AccessGroupRoster", custom: false, outputs: { acsUserIds: users } });
      for (const u of users) out.push({ urn: urn("seam:index:AccessGroupRoster$pulumi-nodejs:dynamic/seam:AccessGroupMembership", name()), type: "pulumi-nodejs:dynamic/seam:AccessGroupMembership", custom: true, parent, id: `${g}/${u}`, outputs: { acsUserId: u, acsAccessGroupId: g } });
    }
    // The same pair declared twice in one checkpoint (two stacks' worth of netting inside one): still one holding.
    if (rnd() < 0.1) out.push({ urn: urn("pulumi-nodejs:dynamic/seam:AccessGroupMembership", name()), type: "pulumi-nodejs:dynamic/seam:AccessGroupMembership", custom: true, id: `${g}/${users[0]}`, outputs: { acsUserId: users[0], acsAccessGroupId: g } });
  }
  return out;
}

interface Scenario {
  readonly updates: SyntheticUpdate[];
  /** The pairs each checkpoint declares, "g|u", in order. */
  readonly sets: Set<string>[];
}

function scenario(seed: number): Scenario {
  const rnd = random(seed);
  const users = Array.from({ length: 5 }, (_, i) => uuid(i + 1, "aaaa"));
  const groups = Array.from({ length: 3 }, (_, i) => uuid(i + 1, "bbbb"));
  const updates: SyntheticUpdate[] = [];
  const sets: Set<string>[] = [];
  let held = new Set<string>();
  let t = 1_780_000_000;
  for (let i = 0, n = 1 + Math.floor(rnd() * 20); i < n; i++) {
    const r = rnd();
    const kind = r < 0.1 ? "destroy" : r < 0.25 ? "refresh" : r < 0.3 ? "resource-import" : "update";
    if (kind === "destroy") held = new Set();
    else {
      const next = new Set(held);
      for (const g of groups) for (const u of users) if (rnd() < 0.15) (next.has(`${g}|${u}`) ? next.delete(`${g}|${u}`) : next.add(`${g}|${u}`));
      held = next;
    }
    // Updates in the same second, back to back, and hours apart.
    t += rnd() < 0.3 ? 0 : Math.floor(rnd() * 7200);
    const start = t;
    t += Math.floor(rnd() * 3);
    updates.push({ kind, start, end: t, message: `step ${i}`, result: rnd() < 0.1 ? "failed" : "succeeded", resources: resourcesFor([...held], rnd, true) });
    sets.push(new Set(held));
  }
  return { updates, sets };
}

/** The oracle's intervals: each pair's runs of consecutive checkpoints that declare it. */
function oracleIntervals(s: Scenario): string[] {
  const pairs = new Set(s.sets.flatMap((x) => [...x]));
  const out: string[] = [];
  for (const p of pairs) {
    let open: number | undefined;
    s.sets.forEach((set, i) => {
      if (set.has(p) && open === undefined) open = i;
      if (!set.has(p) && open !== undefined) {
        out.push(`${p} ${open + 1}-${i + 1}`);
        open = undefined;
      }
    });
    if (open !== undefined) out.push(`${p} ${open + 1}-held`);
  }
  return out.sort();
}

/** The oracle's holders at t (ms): the state at rest before t, and any update running at t (its before and after). */
function oracleHolders(s: Scenario, t: number): string[] {
  const held = new Set<string>();
  let atRest = -1;
  s.updates.forEach((u, i) => {
    if (u.end * 1000 <= t) atRest = i;
  });
  if (atRest >= 0) s.sets[atRest]!.forEach((p) => held.add(p));
  s.updates.forEach((u, i) => {
    if (u.start * 1000 <= t && t < u.end * 1000) s.sets[i]!.forEach((p) => held.add(p));
  });
  return [...held].sort();
}

const asKeys = (xs: readonly Interval[]) => xs.map((i) => `${i.acsAccessGroupId}|${i.acsUserId} ${i.from.version}-${i.to?.version ?? "held"}`).sort();

test("intervals and --at holders equal a plain oracle's on 200 seeded random histories of every state shape (plain, gzip and zstd files)", () => {
  const root = tmp();
  for (let seed = 1; seed <= 200; seed++) {
    const s = scenario(seed);
    const dir = path.join(root, `s${seed}`);
    writeHistory(dir, "dev", s.updates, seed % 7 === 0 ? { compression: "gzip" } : seed % 11 === 0 ? { compression: "zstd" } : {});
    const read = readDiyHistory(dir);
    expect({ seed, versions: read.steps.map((x) => x.update.version) }).toEqual({ seed, versions: s.updates.map((_, i) => i + 1) });
    const intervals = intervalsOf("p/dev", read.steps);
    expect({ seed, intervals: asKeys(intervals) }).toEqual({ seed, intervals: oracleIntervals(s) });
    // Instants at, between and inside updates.
    const rnd = random(seed + 1000);
    const first = s.updates[0]!.start * 1000;
    const last = s.updates.at(-1)!.end * 1000;
    const instants = [first - 1, first, last, last + 1, ...s.updates.flatMap((u) => [u.start * 1000, u.end * 1000, u.end * 1000 - 1]), ...Array.from({ length: 10 }, () => first + Math.floor(rnd() * (last - first + 1)))];
    for (const t of instants) {
      const got = holdersAt(intervals, t).map((h) => `${h.acsAccessGroupId}|${h.acsUserId}`).sort();
      expect({ seed, t, holders: got }).toEqual({ seed, t, holders: oracleHolders(s, t) });
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
});

test("0.1.0 state in the history reads as its memberships: the component roster declares nothing of its own", () => {
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "component-rosters-0.1.0.state.json"), "utf8"));
  const resources = fixture.deployment.resources as { type: string; custom?: boolean; outputs?: Record<string, unknown> }[];
  const memberships = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/seam:AccessGroupMembership").map((r) => `${r.outputs!.acsAccessGroupId}|${r.outputs!.acsUserId}`);
  expect(memberships.length).toBeGreaterThan(1);
  const dir = path.join(tmp(), "h");
  // The 0.1.0 checkpoint, then a current native roster declaring the same pairs: one interval each, never broken.
  const native = memberships.map((p) => p.split("|") as [string, string]);
  const groups = [...new Set(native.map(([g]) => g))];
  writeHistory(dir, "test", [
    { kind: "update", start: 100, end: 101, resources },
    { kind: "update", start: 200, end: 201, resources: groups.map((g) => ({ urn: `urn:pulumi:test::component-rosters::seam:index:AccessGroupRoster::${g}`, type: "seam:index:AccessGroupRoster", custom: true, id: g, outputs: { acsAccessGroupId: g, acsUserIds: native.filter(([x]) => x === g).map(([, u]) => u) } })) },
    { kind: "destroy", start: 300, end: 301, resources: [] },
  ]);
  const read = readDiyHistory(dir);
  expect(read.stack).toBe("component-rosters/test");
  const intervals = intervalsOf(read.stack!, read.steps);
  expect(asKeys(intervals)).toEqual(memberships.map((p) => `${p} 1-3`).sort());
});

test("update metadata: git, vcs and CI keys as the CLI records them; resource-import reads as import; times in ISO 8601", () => {
  const u = updateOf(
    {
      kind: "resource-import",
      startTime: 1_780_000_000,
      endTime: 1_780_000_005,
      message: "Adopt the lobby",
      result: "succeeded",
      environment: {
        "git.head": "0123456789abcdef0123456789abcdef01234567",
        "git.author": "Ada Lovelace",
        "git.author.email": "ada@example.com",
        "git.committer": "Ada Lovelace",
        "git.committer.email": "ada@example.com",
        "vcs.owner": "acme",
        "vcs.repo": "doors",
        "ci.system": "GitHub Actions",
        "ci.build.id": "42",
        "ci.build.url": "https://github.com/acme/doors/actions/runs/42",
        "ci.pr.number": "7",
      },
    },
    3,
  );
  expect(u).toEqual({
    version: 3,
    time: "2026-05-28T20:26:40Z",
    endTime: "2026-05-28T20:26:45Z",
    kind: "import",
    result: "succeeded",
    message: "Adopt the lobby",
    commit: "0123456789abcdef0123456789abcdef01234567",
    author: "Ada Lovelace <ada@example.com>",
    committer: null,
    repository: "acme/doors",
    ci: { system: "GitHub Actions", run: "https://github.com/acme/doors/actions/runs/42", type: null, pullRequest: "7" },
  });
  // `stack history --output json` writes times as text; no environment means no CI and no commit.
  expect(updateOf({ kind: "update", startTime: "2026-11-03T22:00:01.000Z", environment: {} }, 9)).toMatchObject({ time: "2026-11-03T22:00:01Z", endTime: null, commit: null, author: null, ci: null });
});

test("a directory with no history is a stack with no updates; a record without its checkpoint is an error, not a guess", () => {
  expect(readDiyHistory(path.join(tmp(), "absent"))).toEqual({ stack: undefined, steps: [] });
  const dir = path.join(tmp(), "h");
  writeHistory(dir, "dev", [{ kind: "update", start: 1, end: 2, resources: [] }]);
  const checkpoint = fs.readdirSync(dir).find((n) => n.includes(".checkpoint."))!;
  fs.rmSync(path.join(dir, checkpoint));
  expect(() => readDiyHistory(dir)).toThrow(/has no checkpoint beside it/);
});

test("a resource of ours no reader knows, or ids held as secrets, fail the history naming the update", () => {
  const dir = path.join(tmp(), "h");
  writeHistory(dir, "dev", [{ kind: "update", start: 1, end: 2, resources: [{ urn: urn("seam:index:Future", "x"), type: "seam:index:Future", custom: true, outputs: {} }] }]);
  expect(() => readDiyHistory(dir)).toThrow(AuditInputError);
  expect(() => readDiyHistory(dir)).toThrow(/update 1970-01-01T00:00:01Z.*seam:index:Future.*Upgrade pulumi-seam-acs/);
  const secret = path.join(tmp(), "s");
  const hidden = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
  writeHistory(secret, "dev", [
    { kind: "update", start: 1, end: 2, resources: [] },
    { kind: "update", start: 5, end: 6, resources: [{ urn: urn("pulumi-nodejs:dynamic/seam:AccessGroupMembership", "m"), type: "pulumi-nodejs:dynamic/seam:AccessGroupMembership", custom: true, id: "g/u", outputs: { acsUserId: hidden, acsAccessGroupId: "g" } }] },
  ]);
  expect(() => readDiyHistory(secret)).toThrow(/update 1970-01-01T00:00:05Z.*as secrets/);
});

/** Two intervals of one pair and one of another, with an update of each kind. */
function sample(): Interval[] {
  const u = (version: number, kind: string, start: number, extra: Record<string, string> = {}) =>
    updateOf({ kind, startTime: start, endTime: start + 10, message: `msg ${version}, "quoted"\nsecond line`, result: "succeeded", environment: extra }, version);
  return [
    { acsUserId: "u1", acsAccessGroupId: "g1", stack: "p/dev", from: u(1, "update", 1000, { "git.head": "abc", "git.author": "Ada", "git.author.email": "ada@example.com" }), to: u(3, "destroy", 3000) },
    { acsUserId: "u1", acsAccessGroupId: "g1", stack: "p/dev", from: u(4, "update", 4000, { "ci.system": "GitHub Actions", "ci.build.url": "https://ci/run/1", "ci.pr.number": "12" }), to: null },
    { acsUserId: "u2", acsAccessGroupId: "g2", stack: "p/dev", from: u(2, "import", 2000), to: u(5, "refresh", 5000) },
  ];
}

test("filters: person, group, and a period that an interval must overlap", () => {
  const all = sample();
  const keys = (xs: Interval[]) => xs.map((i) => `${i.acsUserId}:${i.from.version}`);
  expect(keys(selectIntervals(all, { users: new Set(["u1"]) }))).toEqual(["u1:1", "u1:4"]);
  expect(keys(selectIntervals(all, { groups: new Set(["g2"]) }))).toEqual(["u2:2"]);
  // Ends at 3010 s: since 3010 s it no longer counts; before that it does.
  expect(keys(selectIntervals(all, { since: 3_010_000 }))).toEqual(["u1:4", "u2:2"]);
  expect(keys(selectIntervals(all, { since: 3_009_999 }))).toEqual(["u1:1", "u1:4", "u2:2"]);
  expect(keys(selectIntervals(all, { until: 1_999_999 }))).toEqual(["u1:1"]);
  expect(keys(selectIntervals(all, { since: 3_500_000, until: 3_900_000 }))).toEqual(["u2:2"]);
});

test("formats: JSON is the contract, CSV quotes what needs it, text and Markdown name every update", () => {
  const intervals = sample();
  const report: HistoryReport = {
    stacks: [{ stack: "p/dev", source: "/h", updates: 5, first: intervals[0]!.from.time, last: intervals[2]!.to!.time }],
    question: { at: "1970-01-01T01:10:00.000Z" },
    intervals,
    holders: holdersAt(intervals, 4_200_000),
    doors: [{ entrance: { acsEntranceId: "e1", name: "Front | door", acsSystemId: "s" }, holders: holdersAt(intervals, 4_200_000) }],
    unsureGroups: [{ acsAccessGroupId: "g9", reason: "gone" }],
  };
  const json = JSON.parse(formatHistoryJson(report));
  expect(json.intervals[1]).toEqual({ acsUserId: "u1", acsAccessGroupId: "g1", stack: "p/dev", from: expect.objectContaining({ version: 4, kind: "update", ci: { system: "GitHub Actions", run: "https://ci/run/1", type: null, pullRequest: "12" } }), to: null });
  expect(json.intervals[0].from).toMatchObject({ commit: "abc", author: "Ada <ada@example.com>", time: "1970-01-01T00:16:40Z" });
  expect(json.holders.map((h: { acsUserId: string; grantedBy: { version: number } }) => [h.acsUserId, h.grantedBy.version])).toEqual([["u1", 4], ["u2", 2]]);
  expect(json.doorsNote).toMatch(/now/);
  expect(json.unsureGroups).toEqual([{ acsAccessGroupId: "g9", reason: "gone" }]);

  const csv = formatHistoryCsv({ ...report, question: {} });
  const rows = csv.trimEnd().split("\r\n");
  expect(rows[0]).toBe("stack,acs_user_id,acs_access_group_id,from_version,from_time,from_end_time,from_kind,from_result,from_message,from_commit,from_author,from_ci_system,from_ci_run,from_pull_request,to_version,to_time,to_end_time,to_kind,to_result,to_message,to_commit,to_author,to_ci_system,to_ci_run,to_pull_request");
  // The message's quote and line break are quoted as RFC 4180 says, so the row count is the interval count plus the header once parsed.
  expect(csv).toContain('"msg 1, ""quoted""\nsecond line"');
  expect(csv.split('"msg').length - 1).toBe(5);
  expect(formatHistoryCsv(report).split("\r\n")[0]).toMatch(/^at,stack,acs_user_id,acs_access_group_id,granted_version,/);

  const text = formatHistoryText(report);
  expect(text).toContain("At 1970-01-01T01:10:00.000Z: 2 held access");
  expect(text).toContain('from #4 update 1970-01-01T01:06:40Z, "msg 4, \\"quoted\\"", CI GitHub Actions https://ci/run/1, pull request #12');
  expect(text).toContain("still held");
  expect(text).toMatch(/By door\. Doors are the entrances each group opens at Seam now/);
  const md = formatHistoryMarkdown(report);
  expect(md).toContain("**Front \\| door**");
  expect(md).toContain("| `u2` | `g2` | p/dev | #2 import");
});

test("a backend that exports versions: stack history in pages, one export per version, oldest first", async () => {
  // A stand-in for the pulumi CLI serving a real history's checkpoints, recording each command.
  const calls: string[] = [];
  const versions = Array.from({ length: 130 }, (_, i) => i + 1);
  const g = uuid(1, "bbbb");
  const u = uuid(1, "aaaa");
  const run = async (args: readonly string[]) => {
    calls.push(args.join(" "));
    if (args[1] === "history") {
      const page = Number(args[args.indexOf("--page") + 1]);
      const size = Number(args[args.indexOf("--page-size") + 1]);
      const newestFirst = [...versions].reverse().slice((page - 1) * size, page * size);
      return JSON.stringify(newestFirst.map((v) => ({ version: v, kind: "update", startTime: new Date(v * 60_000).toISOString(), message: `v${v}`, environment: {} })));
    }
    const v = Number(args[args.indexOf("--version") + 1]);
    const held = v >= 10 && v < 100;
    const resources = held ? [{ urn: "urn:pulumi:prod::p::pulumi-nodejs:dynamic/seam:AccessGroupMembership::m", type: "pulumi-nodejs:dynamic/seam:AccessGroupMembership", custom: true, id: `${g}/${u}`, outputs: { acsUserId: u, acsAccessGroupId: g } }] : [];
    return JSON.stringify({ version: 3, deployment: { resources } });
  };
  const read = await readExportedHistory(run, "prod");
  expect(read.stack).toBe("p/prod");
  expect(calls.filter((c) => c.startsWith("stack history"))).toEqual(["stack history --stack prod --output json --page-size 100 --page 1", "stack history --stack prod --output json --page-size 100 --page 2"]);
  expect(calls.filter((c) => c.startsWith("stack export")).sort()).toEqual(versions.map((v) => `stack export --stack prod --version ${v}`).sort());
  expect(asKeys(intervalsOf(read.stack!, read.steps))).toEqual([`${g}|${u} 10-100`]);
});

test("the command over two stacks' history directories: one list, each interval with its stack; a stack given twice is refused", () => {
  const root = tmp();
  const g = uuid(1, "bbbb");
  const [a, b] = [uuid(1, "aaaa"), uuid(2, "aaaa")];
  const m = (stack: string, user: string) => ({ urn: `urn:pulumi:${stack}::doors::seam:index:AccessGroupMembership::m`, type: "seam:index:AccessGroupMembership", custom: true, id: `${g}/${user}`, outputs: { acsUserId: user, acsAccessGroupId: g } });
  writeHistory(path.join(root, "prod"), "prod", [
    { kind: "update", start: 1_780_000_000, end: 1_780_000_010, resources: [m("prod", a)] },
    { kind: "destroy", start: 1_780_000_100, end: 1_780_000_110, resources: [] },
  ]);
  writeHistory(path.join(root, "lab"), "lab", [{ kind: "update", start: 1_780_000_050, end: 1_780_000_060, resources: [m("lab", a), m("lab", b)] }]);
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(__dirname, "..", "dist", "cli.js"), "history", ...args], { encoding: "utf8", env: { PATH: process.env.PATH } });
  const r = cli(["--history-dir", path.join(root, "prod"), "--history-dir", path.join(root, "lab"), "--format", "json", "--at", "2026-05-28T20:27:45Z", "--no-doors"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.stacks.map((s: { stack: string; updates: number }) => [s.stack, s.updates])).toEqual([["doors/prod", 2], ["doors/lab", 1]]);
  expect(out.intervals.map((i: { stack: string; acsUserId: string; to: unknown }) => [i.stack, i.acsUserId, i.to === null])).toEqual([["doors/lab", a, true], ["doors/prod", a, false], ["doors/lab", b, true]]);
  // 20:27:45: after the lab's update ended (20:27:40), before prod's destroy began (20:28:20): all three held.
  expect(out.holders.map((h: { stack: string; acsUserId: string }) => `${h.stack} ${h.acsUserId}`)).toEqual([`doors/lab ${a}`, `doors/prod ${a}`, `doors/lab ${b}`]);
  const twice = cli(["--history-dir", path.join(root, "prod"), "--history-dir", path.join(root, "prod")]);
  expect(twice.status).toBe(1);
  expect(twice.stderr).toMatch(/The stack doors\/prod is given twice/);
  const missing = cli(["--history-dir", path.join(root, "nope")]);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/--history-dir .*nope: no such directory/);
});
