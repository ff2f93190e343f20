/**
 * Rotating a Seam credential (issue 21), through the real CLI against Seam's fake. The stack is
 * deployed with token A; A is revoked at Seam and token B set in the stack config. A plain
 * `refresh` or `destroy` still sends A (the engine configures the provider with the config stored
 * at the last update): each fails with one message that says so and what to run, without a stack
 * trace or a token, and changes nothing. Then the steps of docs/configuration.md's "Rotating
 * credentials", read from the page and run as written, remove every membership with B.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "./support/consumer";
import { configDrivenProgram, PulumiProject, RunResult } from "./support/pulumi";
import { declare, rosterProgram } from "./support/rosters";
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const hex = () => randomBytes(12).toString("hex");
const apiKey = () => `seam_rot${hex()}`;
const personalAccessToken = () => `seam_at${hex().slice(0, 6)}_${hex()}`;
const noSeamEnv = { SEAM_API_KEY: undefined, SEAM_ENDPOINT: undefined } as NodeJS.ProcessEnv;
const out = (r: RunResult) => r.stdout + r.stderr;

/** The pulumi commands of each ```console block in "Rotating credentials", in order. */
function documentedSteps(): string[][] {
  const doc = fs.readFileSync(path.join(repoRoot, "docs/configuration.md"), "utf8");
  const start = doc.indexOf("## Rotating credentials");
  expect(start).toBeGreaterThanOrEqual(0);
  const section = doc.slice(start, doc.indexOf("\n## ", start + 1));
  return [...section.matchAll(/```console\n([\s\S]*?)\n\s*```/g)].map((m) =>
    m[1]!
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== ""),
  );
}

/**
 * Runs one documented line as a reader would, with the new token in place of `<new key>` and the
 * token's own key in place of `seam:apiKey`; `--yes` because no one answers the prompt here.
 */
async function runStep(p: PulumiProject, line: string, key: string, newToken: string): Promise<RunResult> {
  const args = line.replace("<new key>", "\0").replace("seam:apiKey", key).split(/\s+/).map((a) => (a === "\0" ? newToken : a));
  expect(args[0]).toBe("pulumi");
  const rest = args.slice(1);
  if (["up", "destroy", "refresh"].includes(rest[0]!)) rest.push("--yes");
  return p.run(rest);
}

const steps = documentedSteps();
test("the page holds the two ways out, as the test runs them", () => {
  expect(steps).toEqual([
    ["pulumi config set --secret seam:apiKey <new key>", "pulumi up"],
    ["pulumi config set --secret seam:apiKey <new key>", "pulumi destroy --run-program"],
  ]);
});

/** Refused with the stored credentials: the message once, what to run, no stack trace, no token, a failing exit code. */
function expectRefused(r: RunResult, key: string, tokens: string[]) {
  expect(r.code).toBe(1);
  const all = out(r);
  const diagnostics = all.slice(all.indexOf("Diagnostics:"));
  expect(all.indexOf("Diagnostics:")).toBeGreaterThanOrEqual(0);
  const explanation = `Seam refused the credentials (${key}) that the engine used. A plain \`pulumi refresh\` or \`pulumi destroy\` sends the credentials stored with the stack's last update`;
  expect(diagnostics.split(explanation)).toHaveLength(2);
  expect(diagnostics).toContain("run `pulumi up` first");
  expect(diagnostics).toContain("`pulumi destroy --run-program`");
  expect(diagnostics).toMatch(/HTTP 401 unauthorized/);
  // No stack trace: no frames, no source or built file of the package.
  expect(all).not.toMatch(/^\s+at /m);
  expect(all).not.toMatch(/\.(ts|js)(:\d+)+/);
  expect(all).not.toMatch(/\b(src|dist)\/(provider|seam)\//);
  for (const t of tokens) expect(all).not.toContain(t);
}

function expectNoTokenInState(p: PulumiProject, tokens: string[]) {
  const state = p.stateFiles();
  expect(state.length).toBeGreaterThan(0);
  for (const t of tokens) expect(state).not.toContain(t);
}

/** Requests sent since `since`, by the token they carried. */
function bearers(since: number): Set<string> {
  return new Set(fake.requests.slice(since).map((r) => String(r.headers.authorization ?? "")));
}

function removesSince(since: number) {
  return fake.requests.slice(since).filter((r) => r.path === removeRoute);
}

interface Case {
  readonly name: string;
  readonly key: "seam:apiKey" | "seam:personalAccessToken";
  readonly program: "memberships" | "roster";
  /** Which documented block gets the stack out: `pulumi up` first, or `--run-program`. */
  readonly way: 0 | 1;
}

describe.each<Case>([
  { name: "memberships, an API key, `pulumi up` first", key: "seam:apiKey", program: "memberships", way: 0 },
  { name: "a roster and a membership, an API key, `destroy --run-program`", key: "seam:apiKey", program: "roster", way: 1 },
  { name: "a roster and a membership, a personal access token with seam:workspaceId, `pulumi up` first", key: "seam:personalAccessToken", program: "roster", way: 0 },
])("$name", ({ key, program, way }) => {
  const pat = key === "seam:personalAccessToken";
  const [a, b] = pat ? [personalAccessToken(), personalAccessToken()] : [apiKey(), apiKey()];
  let p: PulumiProject;
  let groups: string[];

  beforeAll(async () => {
    const [u1, u2, u3] = [fake.addUser("ada"), fake.addUser("grace"), fake.addUser("alan")];
    const [g1, g2] = [fake.addGroup("lobby"), fake.addGroup("lab")];
    groups = [g1, g2];
    for (const t of [a, b]) (pat ? fake.addPersonalAccessToken(t) : fake.addApiKey(t));
    p = new PulumiProject(`rotate-${program}`, { program: program === "roster" ? rosterProgram : configDrivenProgram, env: noSeamEnv });
    await p.init();
    await p.run(["config", "set", "seam:endpoint", fake.url]);
    if (pat) await p.run(["config", "set", "seam:workspaceId", fake.seed.seed_workspace_1]);
    await p.run(["config", "set", "--secret", key, a]);
    if (program === "roster") {
      await declare(p, [
        { name: "lobby", group: g1, ids: [u1, u2] },
        { name: "alan-lab", group: g2, user: u3 },
      ]);
    } else {
      await p.setMemberships([
        { name: "ada-lobby", acsUserId: u1, acsAccessGroupId: g1 },
        { name: "grace-lobby", acsUserId: u2, acsAccessGroupId: g1 },
        { name: "alan-lab", acsUserId: u3, acsAccessGroupId: g2 },
      ]);
    }
    await p.up();
    expect(fake.membersOf(g1).sort()).toEqual([u1, u2].sort());
    expect(fake.membersOf(g2)).toEqual([u3]);
  });

  test("revoked at Seam and rotated in the stack config: refresh and destroy say what to run, once, and change nothing", async () => {
    if (pat) fake.revokePersonalAccessToken(a);
    else fake.revokeApiKey(a);
    // The order: the new token is set (the first documented line), then destroy and refresh.
    await runStep(p, steps[way]![0]!, key, b);
    const resourcesBefore = (await p.seamResources()).length;
    const since = fake.requests.length;
    for (const command of ["destroy", "refresh"]) {
      const r = await p.run([command, "--yes", "--skip-preview"], { allowFailure: true });
      expectRefused(r, key, [a, b]);
    }
    // A token in the environment does not stand in for the refused stored one.
    const withEnv = await p.run(["destroy", "--yes", "--skip-preview"], { allowFailure: true, env: pat ? { SEAM_PERSONAL_ACCESS_TOKEN: b } : { SEAM_API_KEY: b } });
    expectRefused(withEnv, key, [a, b]);
    expect(removesSince(since)).toEqual([]);
    expect(bearers(since)).toEqual(new Set([`Bearer ${a}`]));
    expect(fake.membersOf(groups[0]!)).toHaveLength(2);
    expect(fake.membersOf(groups[1]!)).toHaveLength(1);
    expect((await p.seamResources()).length).toBe(resourcesBefore);
    expectNoTokenInState(p, [a, b]);
  });

  test("the documented steps then remove every membership, with the new token only", async () => {
    const since = fake.requests.length;
    const runs: RunResult[] = [];
    for (const line of steps[way]!.slice(1)) runs.push(await runStep(p, line, key, b));
    if (way === 0) {
      // The program is unchanged: `pulumi up` only stored the new token, and sent no add or remove.
      expect(removesSince(since)).toEqual([]);
      expect(fake.requests.slice(since).filter((r) => r.path === addRoute)).toEqual([]);
      // Plain refresh and destroy now send the new token.
      runs.push(await p.refresh(), await p.destroy());
    }
    for (const r of runs) for (const t of [a, b]) expect(out(r)).not.toContain(t);
    expect(fake.membersOf(groups[0]!)).toEqual([]);
    expect(fake.membersOf(groups[1]!)).toEqual([]);
    expect(removesSince(since)).toHaveLength(3);
    expect(bearers(since)).toEqual(new Set([`Bearer ${b}`]));
    expect(await p.seamResources()).toEqual([]);
    expectNoTokenInState(p, [a, b]);
  });
});

test("with --run-program the stack config's key is sent: refused, the error says to set a valid one; a key of another workspace is refused before anything is read or removed", async () => {
  const [a, other] = [apiKey(), fake.seed.seam_apikey2_token!];
  fake.addApiKey(a);
  const [u, g] = [fake.addUser("hedy"), fake.addGroup("roof")];
  const p = new PulumiProject("rotate-elsewhere", { env: noSeamEnv });
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", a]);
  await p.setMemberships([{ name: "hedy-roof", acsUserId: u, acsAccessGroupId: g }]);
  await p.up();
  fake.revokeApiKey(a);
  // Not rotated yet: --run-program sends the stack config's key, and the message covers that case too.
  const notRotated = await p.run(["destroy", "--run-program", "--yes", "--skip-preview"], { allowFailure: true });
  expect(notRotated.code).toBe(1);
  expect(out(notRotated)).toContain("If this run ran the program (`pulumi up`, or --run-program), the stack config's own credentials were refused: set valid ones with `pulumi config set --secret seam:apiKey <token>`");
  expect(out(notRotated)).not.toMatch(/^\s+at /m);

  await p.run(["config", "set", "--secret", "seam:apiKey", other]);
  const since = fake.requests.length;
  for (const command of [["destroy", "--run-program"], ["refresh", "--run-program"]]) {
    const r = await p.run([...command, "--yes", "--skip-preview"], { allowFailure: true });
    expect(r.code).toBe(1);
    expect(out(r)).toContain(`the membership was made in Seam workspace ${fake.seed.seed_workspace_1}, but the configured credentials act in workspace ${fake.seed.seed_workspace_2}`);
    expect(out(r)).not.toContain(a);
  }
  expect(fake.requests.slice(since).map((r) => r.path)).toEqual(["/workspaces/get", "/workspaces/get"]);
  expect(fake.membersOf(g)).toEqual([u]);
  expect(await p.seamResources()).toHaveLength(1);
});
