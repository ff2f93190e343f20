/**
 * The first hour with one's own program (issue 14), through the real CLI against the test double:
 * each mistake a newcomer makes fails at `pulumi preview` with one message that says what to do,
 * printed once, without a stack trace or terminal colours.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PulumiProject, RunResult } from "./support/pulumi";
import { reviewBin } from "./support/review";
import { addRoute, SeamFake, startSeamFake } from "./support/seam-fake";
import { nodeBinDir, repoRoot } from "./support/consumer";

let fake: SeamFake;
const canary = `seam_canary${randomBytes(12).toString("hex")}`;
beforeAll(async () => {
  fake = await startSeamFake();
  fake.addApiKey(canary);
});
afterAll(() => fake.stop());

const noSeamEnv = { SEAM_API_KEY: undefined, SEAM_ENDPOINT: undefined } as NodeJS.ProcessEnv;

/** The program's messages as the CLI printed them under Diagnostics, and the whole output. */
function diagnostics(r: RunResult): { text: string; all: string } {
  const all = r.stdout + r.stderr;
  const start = all.indexOf("Diagnostics:");
  expect(start).toBeGreaterThanOrEqual(0);
  return { text: all.slice(start), all };
}

/** A user-facing error: exactly once among the diagnostics, no stack trace, no ANSI codes, no SDK wrapping. */
function expectCleanError(r: RunResult, message: RegExp | string) {
  expect(r.code).not.toBe(0);
  const { text, all } = diagnostics(r);
  const matches = text.match(new RegExp(typeof message === "string" ? message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : message.source, "g")) ?? [];
  expect(matches).toHaveLength(1);
  expect(all).not.toMatch(/\x1b\[/);
  expect(all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(all).not.toMatch(/unhandled exception|error serializing property/);
  expect(all).not.toContain(canary);
}

test("a token set without --secret fails preview naming the command that fixes it; stored as a secret, the same stack previews", async () => {
  const p = new PulumiProject("plain-token", {
    program: `const { AccessGroupMembership } = require("pulumi-seam-acs");\nnew AccessGroupMembership("m", { acsUserId: "acs_user1", acsAccessGroupId: "acs_access_group1" });\n`,
    env: noSeamEnv,
  });
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "seam:apiKey", canary]);
  const before = fake.requests.length;
  const refused = await p.preview({ allowFailure: true });
  expectCleanError(refused, /seam:apiKey is set in the stack config as plain text.*`pulumi config set --secret seam:apiKey <token>`/);
  expect(fake.requests.length).toBe(before);

  await p.run(["config", "set", "--secret", "seam:apiKey", canary]);
  const ok = await p.preview();
  expect(ok.code).toBe(0);
});

describe("program-side errors print once, as the message alone", () => {
  const program = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupRoster, lookupAcsUser, loadRoster } = require("pulumi-seam-acs");
const mode = new pulumi.Config().require("mode");
if (mode === "lookup") {
  const id = (email) => lookupAcsUser({ email }).then((u) => u.acsUserId);
  new AccessGroupRoster("lobby", { acsAccessGroupId: "acs_access_group1", acsUserIds: { ada: id("nobody@example.com"), bob: id("nobody-else@example.com") } });
}
if (mode === "roster") for (const [name, args] of Object.entries(loadRoster("roster.yaml"))) new AccessGroupRoster(name, args);
`;
  test.each<[string, string, NodeJS.ProcessEnv, RegExp]>([
    ["no token, two lookups", "lookup", {}, /No Seam credentials: set exactly one of seam:apiKey/],
    ["an unknown email", "lookup", { SEAM_API_KEY: canary, SEAM_ENDPOINT: "<fake>" }, /lookupAcsUser: no ACS user has the email nobody@example\.com/],
    ["a roster file with mistakes", "roster", {}, /Roster file roster\.yaml has 3 problems; nothing was declared:\n\s+roster\.yaml:5:16: groups\.lobby\.members\[0\]\.email: is not an email address/],
  ])("%s", async (_name, mode, env, message) => {
    const p = new PulumiProject("program-errors", { program, env: { ...noSeamEnv, ...env, ...(env.SEAM_ENDPOINT ? { SEAM_ENDPOINT: fake.url } : {}) } });
    fs.writeFileSync(
      path.join(p.dir, "roster.yaml"),
      "groups:\n  lobby:\n    acsAccessGroupId: acs_access_group1\n    members:\n      - email: not-an-email\n      - acsUserId: acs_user1\n      - acsUserId: acs_user1\n  lab:\n    members: [{ acsUserId: acs_user2 }]\n",
    );
    await p.init();
    await p.run(["config", "set", "mode", mode]);
    expectCleanError(await p.preview({ allowFailure: true }), message);
  });
});

test("a UUID one character short fails preview naming the resource and the field, and nothing is sent", async () => {
  const p = new PulumiProject("malformed-id", {
    program: `const { AccessGroupMembership } = require("pulumi-seam-acs");\nnew AccessGroupMembership("ada-front-door", { acsUserId: "8d7e0b3a-b889-49a7-9164-4b71a0506a3", acsAccessGroupId: "123e4567-e89b-12d3-a456-426614174000" });\n`,
    env: { SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url },
  });
  await p.init();
  const before = fake.requests.length;
  const r = await p.preview({ allowFailure: true });
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/ada-front-door[\s\S]*acsUserId looks like a UUID but is not one: its groups have 8-4-4-4-11 characters/);
  expect(fake.requests.length).toBe(before);
});

test("an endpoint that refuses connections fails preview within seconds, naming the endpoint", async () => {
  const closed = await closedPort();
  const p = new PulumiProject("refused", {
    program: `const { AccessGroupRoster, lookupAcsUser } = require("pulumi-seam-acs");\nnew AccessGroupRoster("lobby", { acsAccessGroupId: "acs_access_group1", acsUserIds: { ada: lookupAcsUser({ email: "ada@example.com" }).then((u) => u.acsUserId) } });\n`,
    env: { SEAM_API_KEY: canary, SEAM_ENDPOINT: `http://127.0.0.1:${closed}` },
  });
  await p.init();
  const started = Date.now();
  const r = await p.preview({ allowFailure: true });
  const seconds = (Date.now() - started) / 1000;
  expectCleanError(
    r,
    new RegExp(
      `Listing ACS users failed: Seam could not be reached at http://127\\.0\\.0\\.1:${closed} \\(SEAM_ENDPOINT in the environment\\): ` +
        `the connection to 127\\.0\\.0\\.1:${closed} was refused \\(ECONNREFUSED\\): nothing listens there; check that Seam runs there .* and that SEAM_ENDPOINT names it\\. ` +
        `Nothing was changed at Seam \\[/acs/users/list; [1-4] attempts?\\]`,
    ),
  );
  // A few tries within 3 s, not eight over most of a minute; the CLI and the program's start take most of the time.
  expect(seconds).toBeLessThan(30);
});

describe("the review", () => {
  let p: PulumiProject;
  let previewFile: string;
  beforeAll(async () => {
    const lobby = fake.addGroup("Lobby");
    const ada = fake.addUser("Ada Lovelace", undefined, { email: "ada@example.com" });
    p = new PulumiProject("review-first-hour", {
      program: `const { AccessGroupMembership } = require("pulumi-seam-acs");
new AccessGroupMembership("ada-lobby", { acsUserId: "${ada}", acsAccessGroupId: "${lobby}" });
new AccessGroupMembership("ghost-lobby", { acsUserId: "acs_user_that_does_not_exist", acsAccessGroupId: "${lobby}" });
`,
      env: noSeamEnv,
    });
    await p.init();
    await p.run(["config", "set", "seam:endpoint", fake.url]);
    await p.run(["config", "set", "--secret", "seam:apiKey", canary]);
    const r = await p.previewJson(["--show-sames"]);
    previewFile = path.join(p.dir, "preview.json");
    fs.writeFileSync(previewFile, r.stdout);
  });

  const review = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<RunResult>((resolve) => {
      execFile(reviewBin(), ["review", ...args], { cwd: p.dir, env: { ...p.commandEnv, ...noSeamEnv, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  test("a gain naming a user Seam does not have fails the review (exit 4) after printing it; --stack reads the stack's own config for names", async () => {
    const r = await review(["--preview", previewFile, "--stack", "test"]);
    expect(r.stdout).toMatch(/Ada Lovelace \(ada@example\.com\) — Lobby — ada-lobby/);
    expect(r.stdout).toMatch(/acs_user_that_does_not_exist \(no such user in Seam\) — Lobby — ghost-lobby/);
    expect(r.stderr).toMatch(/a gain names what Seam does not have, so `pulumi up` would fail: no ACS user acs_user_that_does_not_exist \(\S*ghost-lobby\)/);
    expect(r.code).toBe(4);
    expect(r.stdout + r.stderr).not.toContain(canary);
  });

  test("without --stack or SEAM_* variables it says what it reads; a mistyped option is named with the list of options", async () => {
    const r = await review(["--preview", previewFile]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the review does not read the stack config .*Set SEAM_API_KEY .*SEAM_ENDPOINT.*--stack NAME/);
    const typo = await review(["--formt", "md"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^pulumi-seam-acs: unknown option --formt \(did you mean --format\?\); the options of `review` are --preview VALUE, --format VALUE, .*--stack VALUE, --help\./);
  });
});

describe("an old Node.js fails at load, with the version found and the version needed", () => {
  // The machine's own old node when it has one, and always Node 22 made to report 20.0.0.
  const preload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "old-node-")), "claim-node-20.js");
  fs.writeFileSync(preload, `Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.0.0" } });\n`);
  const cases: [string, string, NodeJS.ProcessEnv, string][] = [[`Node 22 reporting 20.0.0`, nodeBinDir, { NODE_OPTIONS: `--require ${preload}` }, "20.0.0"]];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const node = path.join(dir, "node");
    if (dir === nodeBinDir || !fs.existsSync(node)) continue;
    const version = execFileSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
    if (Number(version.split(".")[0]) < 22 && !cases.some((c) => c[3] === version)) cases.push([`the machine's Node ${version}`, dir, {}, version]);
  }

  // The CLI run costs a preview: once, with the machine's old node when there is one.
  const withCli = cases.at(-1)![0];
  test.each(cases)("%s: the package, the provider and the CLI (and pulumi preview, once)", async (name, dir, env, version) => {
    const expected = new RegExp(`pulumi-seam-acs needs Node\\.js >=22\\.19, but this is Node\\.js ${version.replace(/\./g, "\\.")}`);
    const consumer = process.env.SEAM_ACS_TEST_CONSUMER!;
    const pkg = path.join(consumer, "node_modules", "pulumi-seam-acs");
    const run = (args: string[]) =>
      new Promise<RunResult>((resolve) =>
        execFile(path.join(dir, "node"), args, { cwd: consumer, env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) =>
          resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
    for (const entry of ["pulumi-seam-acs", "pulumi-seam-acs/provider"]) {
      const r = await run(["-e", `require(${JSON.stringify(entry)})`]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).not.toMatch(/undici|reading 'bind'/);
    }
    const cli = await run([path.join(pkg, "dist", "cli.js"), "--help"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(new RegExp(`^${expected.source}`));

    if (name !== withCli) return;
    const p = new PulumiProject("old-node", {
      program: `const { AccessGroupMembership } = require("pulumi-seam-acs");\nnew AccessGroupMembership("m", { acsUserId: "acs_user1", acsAccessGroupId: "acs_access_group1" });\n`,
      env: { SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url },
    });
    await p.init();
    const pathWithOldNode = [process.env.PULUMI_SEAM_ACS_PULUMI_BIN, dir, process.env.PATH].join(path.delimiter);
    expectCleanError(await p.run(["preview"], { allowFailure: true, env: { ...env, PATH: pathWithOldNode } }), expected);
  });
});

test("a fresh clone's npm pack ships the built code (the consumer every engine suite installs is made that way), and a program runs up with it", async () => {
  const installed = path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs");
  for (const file of ["dist/index.js", "dist/cli.js", "dist/provider/runtime.js", "dist/provider/serialized-provider.js", "dist/dev-seam/seam-double.js"]) {
    expect(fs.existsSync(path.join(installed, file))).toBe(true);
  }
  expect(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts.prepare).toMatch(/npm run build/);
  const lobby = fake.addGroup("Pack");
  const ada = fake.addUser("Ada");
  const p = new PulumiProject("fresh-clone", {
    program: `const { AccessGroupMembership } = require("pulumi-seam-acs");\nnew AccessGroupMembership("ada", { acsUserId: "${ada}", acsAccessGroupId: "${lobby}" });\n`,
    env: { SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url },
  });
  await p.init();
  const before = fake.requestsTo(addRoute).length;
  await p.up();
  expect(fake.requestsTo(addRoute).length).toBe(before + 1);
  expect(fake.membersOf(lobby)).toEqual([ada]);
});

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
