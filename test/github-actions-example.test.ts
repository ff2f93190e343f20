/**
 * examples/github-actions/seam-access.yml cannot rot: this runs the workflow's own shell steps,
 * read from the YAML, as a runner would (bash -eo pipefail, the step's env with `${{ }}`
 * expressions filled in, GITHUB_STEP_SUMMARY), against Seam's fake and the real pulumi CLI.
 * Only `gh` is a stand-in, because it talks to GitHub: it records its arguments and the body.
 * The runner's state backend is a local file backend, and SEAM_ENDPOINT points at the fake.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { nodeBinDir, repoRoot } from "./support/consumer";
import { Membership, PulumiProject } from "./support/pulumi";
import { SeamFake, startSeamFake } from "./support/seam-fake";

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: { pull_request?: unknown; push?: { branches?: string[] } };
  env: Record<string, string>;
  jobs: Record<string, { if?: string; env?: Record<string, string>; steps: Step[] }>;
}

const workflow: Workflow = parse(fs.readFileSync(path.join(repoRoot, "examples/github-actions/seam-access.yml"), "utf8"));

let fake: SeamFake;
let p: PulumiProject;
let work: string;
const u = {} as Record<string, string>;
const g = {} as Record<string, string>;

beforeAll(async () => {
  fake = await startSeamFake();
  u.ada = fake.addUser("Ada Lovelace", undefined, { email: "ada@example.com" });
  u.grace = fake.addUser("Grace Hopper", undefined, { email: "grace@example.com" });
  u.alan = fake.addUser("Alan Turing", undefined, { email: "alan@example.com" });
  g.lobby = fake.addGroup("Lobby");
  g.lab = fake.addGroup("Lab");
  p = new PulumiProject("workflow", { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  // The runner's checkout after `npm ci`: the program's own node_modules, holding the packed package.
  fs.symlinkSync(path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules"), path.join(p.dir, "node_modules"));
  work = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-workflow-"));
  fs.mkdirSync(path.join(work, "bin"));
  fs.writeFileSync(
    path.join(work, "bin", "gh"),
    `#!/usr/bin/env bash
# Stand-in for the GitHub CLI: records what it was asked to post.
printf '%s\\n' "$@" > "$GH_RECORD/args"
printf '%s' "$GH_TOKEN" > "$GH_RECORD/token"
while [ $# -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cp "$2" "$GH_RECORD/body"; fi
  shift
done
`,
    { mode: 0o755 },
  );
  await p.init();
  // What main holds before the pull request.
  await p.setMemberships([
    { name: "ada-lobby", acsUserId: u.ada!, acsAccessGroupId: g.lobby! },
    { name: "grace-lobby", acsUserId: u.grace!, acsAccessGroupId: g.lobby! },
    { name: "alan-lab", acsUserId: u.alan!, acsAccessGroupId: g.lab! },
  ]);
  await p.up();
});

afterAll(async () => {
  await fake.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The values of the `${{ }}` expressions the workflow uses, as GitHub would fill them in. */
function expressions(vars: { maxRemovals?: string }): Record<string, string> {
  return {
    "vars.PULUMI_STACK": "test",
    "secrets.PULUMI_ACCESS_TOKEN": "",
    "secrets.SEAM_API_KEY": fake.apiKey,
    "github.token": "ghs_stand_in",
    "github.event.pull_request.number": "42",
    "vars.SEAM_MAX_REMOVALS || '5'": vars.maxRemovals ?? "5",
  };
}

function fill(value: string, known: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in known)) throw new Error(`the workflow uses \${{ ${expr} }}, which this test does not fill in: add it to expressions()`);
    return known[expr]!;
  });
}

function step(job: string, id: string): Step {
  const found = workflow.jobs[job]!.steps.find((s) => s.id === id);
  if (!found?.run) throw new Error(`job ${job} has no run step with id ${id}`);
  return found;
}

/**
 * Runs one `run:` step as GitHub's default shell does: `bash --noprofile --norc -eo pipefail {0}`.
 * Asynchronously: the fake answers from this process's event loop.
 */
function runStep(job: string, id: string, event: string, vars: { maxRemovals?: string } = {}) {
  const s = step(job, id);
  const known = expressions(vars);
  const env: NodeJS.ProcessEnv = {
    PATH: [path.join(work, "bin"), process.env.PULUMI_SEAM_ACS_PULUMI_BIN, nodeBinDir, process.env.PATH].join(path.delimiter),
    HOME: process.env.HOME,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: event,
    GITHUB_WORKSPACE: p.dir,
    GITHUB_STEP_SUMMARY: path.join(work, "summary.md"),
    GH_RECORD: work,
    // The runner's stand-ins: a file backend for the state, Seam's fake for Seam.
    PULUMI_HOME: p.home,
    PULUMI_BACKEND_URL: `file://${p.backend}`,
    PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    SEAM_ENDPOINT: fake.url,
  };
  for (const scope of [workflow.env, workflow.jobs[job]!.env ?? {}, s.env ?? {}]) {
    for (const [k, v] of Object.entries(scope)) env[k] = fill(String(v), known);
  }
  const script = path.join(work, `${id}.sh`);
  fs.writeFileSync(script, s.run!);
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: p.dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

test("the workflow: review on pull requests, up on main; every shell step is exercised here", () => {
  expect(workflow.on.pull_request).toBeDefined();
  expect(workflow.on.push?.branches).toEqual(["main"]);
  expect(workflow.jobs.review!.if).toBe("github.event_name == 'pull_request'");
  expect(workflow.jobs.deploy!.if).toContain("github.ref == 'refs/heads/main'");
  const runSteps = Object.entries(workflow.jobs).flatMap(([job, j]) => j.steps.filter((s) => s.run).map((s) => `${job}.${s.id}`));
  // `install` (npm ci) is the one step not run here: the consumer project is installed already.
  expect(runSteps.sort()).toEqual(["deploy.install", "deploy.up", "review.comment", "review.guard", "review.install", "review.preview", "review.review"]);
  for (const [, j] of Object.entries(workflow.jobs)) {
    // Expressions go through env, never into a script, where a value could inject shell.
    for (const s of j.steps) expect(s.run ?? "").not.toContain("${{");
    // Secrets only where they are used: not workflow- or job-wide, not to npm ci's install scripts.
    expect(JSON.stringify(j.env ?? {})).not.toContain("secrets.");
    for (const s of j.steps.filter((s) => s.id === "install")) expect(JSON.stringify(s.env ?? {})).not.toContain("secrets.");
  }
  expect(JSON.stringify(workflow.env ?? {})).not.toContain("secrets.");
  // The guard still decides the check when posting the comment failed.
  expect(step("review", "guard").if).toContain("!cancelled()");
});

test("a pull request: the review lands in the step summary and a PR comment, and the guard fails the job above the limit", async () => {
  // The pull request drops alan-lab and grace-lobby, and adds alan to the lobby.
  await p.setMemberships([
    { name: "ada-lobby", acsUserId: u.ada!, acsAccessGroupId: g.lobby! },
    { name: "alan-lobby", acsUserId: u.alan!, acsAccessGroupId: g.lobby! },
  ]);
  const mutationsBefore = fake.requests.filter((r) => r.path.startsWith("/acs/users/add") || r.path.startsWith("/acs/users/remove")).length;

  const preview = await runStep("review", "preview", "pull_request");
  expect(preview.stderr).toBe("");
  expect(preview.status).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(p.dir, "preview.json"), "utf8")).steps.length).toBeGreaterThan(1);

  const review = await runStep("review", "review", "pull_request");
  expect(review.stderr).toBe("");
  expect(review.status).toBe(0);
  const summary = fs.readFileSync(path.join(work, "summary.md"), "utf8");
  expect(summary).toContain("**2 lose access, 1 gains access, 0 moved in state**");
  expect(summary).toContain("### Loses access");
  expect(summary).toContain("| Alan Turing | alan@example.com | Lab | alan-lab |");
  expect(summary).toContain("| Grace Hopper | grace@example.com | Lobby | grace-lobby |");
  expect(summary).toContain("| Alan Turing | alan@example.com | Lobby | alan-lobby |");

  const comment = await runStep("review", "comment", "pull_request");
  expect(comment.status).toBe(0);
  expect(fs.readFileSync(path.join(work, "args"), "utf8").trim().split("\n")).toEqual(["pr", "comment", "42", "--body-file", "comment.md"]);
  expect(fs.readFileSync(path.join(work, "token"), "utf8")).toBe("ghs_stand_in");
  expect(fs.readFileSync(path.join(work, "body"), "utf8")).toBe(summary);

  const guard = await runStep("review", "guard", "pull_request");
  expect(guard.status).toBe(0);
  expect(guard.stdout).toMatch(/^2 lose access, 1 gains access, 0 moved in state\n/);

  const strict = await runStep("review", "guard", "pull_request", { maxRemovals: "1" });
  expect(strict.status).toBe(3);
  expect(strict.stderr).toMatch(/guard tripped: 2 memberships would lose access, at most 1 allowed by --max-removals/);

  // A pull request changes nothing in Seam.
  const mutationsAfter = fake.requests.filter((r) => r.path.startsWith("/acs/users/add") || r.path.startsWith("/acs/users/remove")).length;
  expect(mutationsAfter).toBe(mutationsBefore);
  expect(fake.membersOf(g.lab!)).toEqual([u.alan]);
});

test("a review too long for a comment is cut to fit, and says where the whole one is", async () => {
  const long = `${"| someone | someone@example.com | Lobby | m |\n".repeat(2_000)}`;
  expect(long.length).toBeGreaterThan(65_536);
  fs.writeFileSync(path.join(p.dir, "review.md"), long);
  const comment = await runStep("review", "comment", "pull_request");
  expect(comment.status).toBe(0);
  const body = fs.readFileSync(path.join(work, "body"), "utf8");
  expect(body.length).toBeLessThan(65_536);
  expect(body.startsWith(long.slice(0, 60_000))).toBe(true);
  expect(body).toMatch(/\*Cut to fit a comment: the whole review is in the job summary\.\*\n$/);
});

test("a push to main: pulumi up applies exactly the reviewed change", async () => {
  const up = await runStep("deploy", "up", "push");
  expect(up.status).toBe(0);
  expect(fake.membersOf(g.lobby!).sort()).toEqual([u.ada, u.alan].sort());
  expect(fake.membersOf(g.lab!)).toEqual([]);
});
