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
import { addRoute, removeRoute, SeamFake, startSeamFake } from "./support/seam-fake";

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: { pull_request?: unknown; push?: { branches?: string[] }; schedule?: { cron: string }[]; workflow_dispatch?: unknown };
  env: Record<string, string>;
  jobs: Record<string, { if?: string; environment?: string; env?: Record<string, string>; steps: Step[] }>;
}

/**
 * The program reads its memberships from a file in the repository, as a real one reads its code
 * or roster: a commit changes the program, not the stack's config (which the engine would also
 * hold against a plan, for another reason).
 */
const fileProgram = `
const fs = require("node:fs");
const path = require("node:path");
const { AccessGroupMembership } = require("pulumi-seam-acs");
for (const m of JSON.parse(fs.readFileSync(path.join(__dirname, "memberships.json"), "utf8"))) {
  new AccessGroupMembership(m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId });
}
`;

const workflow: Workflow = parse(fs.readFileSync(path.join(repoRoot, "examples/github-actions/seam-access.yml"), "utf8"));

const marker = "<!-- pulumi-seam-acs review -->";

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
  // The Lab opens a door, the Lobby none: the review's door section has something to say.
  fake.setGroupEntrances(g.lab, [fake.addEntrance("Lab door")]);
  u.linus = fake.addUser("Linus Torvalds", undefined, { email: "linus@example.com" });
  p = new PulumiProject("workflow", { program: fileProgram, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  // The runner's checkout after `npm ci`: the program's own node_modules, holding the packed package.
  fs.symlinkSync(path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules"), path.join(p.dir, "node_modules"));
  work = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-workflow-"));
  fs.mkdirSync(path.join(work, "bin"));
  fs.writeFileSync(
    path.join(work, "bin", "gh"),
    `#!/usr/bin/env bash
# Stand-in for the GitHub CLI: records what it was asked to do; \`gh api\` GETs answer from
# $GH_RECORD/comments.json (the pull request's comments) through the real jq, as gh --jq does.
printf '%s\\n' "$@" > "$GH_RECORD/args"
printf '%s\\n' "$*" >> "$GH_RECORD/calls"
printf '%s' "$GH_TOKEN" > "$GH_RECORD/token"
if [ "$1" = "api" ] && [ "$2" != "--method" ]; then
  jq_expr=""
  while [ $# -gt 0 ]; do
    if [ "$1" = "--jq" ]; then jq_expr="$2"; fi
    shift
  done
  if [ -f "$GH_RECORD/comments.json" ]; then jq -r "$jq_expr" "$GH_RECORD/comments.json"; fi
  exit 0
fi
while [ $# -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cp "$2" "$GH_RECORD/body"; fi
  case "$1" in body=@*) cp "\${1#body=@}" "$GH_RECORD/body" ;; esac
  shift
done
`,
    { mode: 0o755 },
  );
  await p.init();
  // What main holds before the pull request.
  commit([
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

/** The program's memberships file, as a commit leaves it. */
function commit(memberships: Membership[]): void {
  fs.writeFileSync(path.join(p.dir, "memberships.json"), JSON.stringify(memberships));
}

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
    GITHUB_REPOSITORY: "acme/doors",
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

test("the workflow: review on pull requests, a planned up on main in an environment, a scheduled audit; every shell step is exercised here", () => {
  expect(workflow.on.pull_request).toBeDefined();
  expect(workflow.on.push?.branches).toEqual(["main"]);
  expect(workflow.on.schedule).toHaveLength(1);
  expect(workflow.jobs.review!.if).toBe("github.event_name == 'pull_request'");
  expect(workflow.jobs.deploy!.if).toContain("github.ref == 'refs/heads/main'");
  expect(workflow.jobs.deploy!.environment).toBe("seam-access");
  expect(workflow.jobs.audit!.if).toBe("github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'");
  // The audit waits for nobody: no environment with required reviewers.
  expect(workflow.jobs.audit!.environment).toBeUndefined();
  // The deploy job applies the plan of the preview it reviewed and guarded, in that order.
  expect(workflow.jobs.deploy!.steps.filter((s) => s.run).map((s) => s.id)).toEqual(["install", "preview", "review", "guard", "up"]);
  expect(step("deploy", "preview").run).toContain("--save-plan plan.json");
  expect(step("deploy", "up").run).toContain("--plan plan.json");
  const runSteps = Object.entries(workflow.jobs).flatMap(([job, j]) => j.steps.filter((s) => s.run).map((s) => `${job}.${s.id}`));
  // `install` (npm ci) is the one step not run here: the consumer project is installed already.
  expect(runSteps.sort()).toEqual(
    [
      "audit.audit",
      "audit.export",
      "audit.install",
      "deploy.guard",
      "deploy.install",
      "deploy.preview",
      "deploy.review",
      "deploy.up",
      "review.comment",
      "review.guard",
      "review.install",
      "review.preview",
      "review.review",
    ].sort(),
  );
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
  commit([
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
  // In doors, by default: Alan leaves the Lab and its door; Grace's Lobby opens nothing.
  expect(summary).toContain("### Doors (net of every change and every group kept at Seam)");
  expect(summary).toContain("| Alan Turing | alan@example.com | loses Lab door \\(Lab\\) |");
  expect(summary).toContain("| Grace Hopper | grace@example.com | doors as they were |");

  // The first push: no earlier comment, so one is posted, led by the marker.
  const comment = await runStep("review", "comment", "pull_request");
  expect(comment.stderr).toBe("");
  expect(comment.status).toBe(0);
  expect(fs.readFileSync(path.join(work, "args"), "utf8").trim().split("\n")).toEqual(["pr", "comment", "42", "--body-file", "comment.md"]);
  expect(fs.readFileSync(path.join(work, "token"), "utf8")).toBe("ghs_stand_in");
  expect(fs.readFileSync(path.join(work, "body"), "utf8")).toBe(`${marker}\n${summary}`);

  // A later push: the workflow's own comment (not a person's quoting the marker) is edited in place.
  fs.writeFileSync(
    path.join(work, "comments.json"),
    JSON.stringify([
      { id: 7, user: { login: "octocat" }, body: `${marker}\nquoted by a person` },
      { id: 9001, user: { login: "github-actions[bot]" }, body: `${marker}\nthe review of the first push` },
    ]),
  );
  fs.rmSync(path.join(work, "body"));
  const again = await runStep("review", "comment", "pull_request");
  expect(again.stderr).toBe("");
  expect(again.status).toBe(0);
  const calls = fs.readFileSync(path.join(work, "calls"), "utf8").trim().split("\n");
  expect(calls.at(-2)).toMatch(/^api repos\/acme\/doors\/issues\/42\/comments --paginate --jq /);
  expect(calls.at(-1)).toBe("api --method PATCH repos/acme/doors/issues/comments/9001 -F body=@comment.md --silent");
  expect(fs.readFileSync(path.join(work, "body"), "utf8")).toBe(`${marker}\n${summary}`);
  fs.rmSync(path.join(work, "comments.json"));

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
  expect(body.startsWith(`${marker}\n${long.slice(0, 60_000)}`)).toBe(true);
  expect(body).toMatch(/\*Cut to fit a comment: the whole review is in the job summary\.\*\n$/);
});

test("a push to main: the merged commit is previewed, reviewed and guarded, and exactly that plan applies", async () => {
  const preview = await runStep("deploy", "preview", "push");
  expect(preview.stderr).toBe("");
  expect(preview.status).toBe(0);
  expect(fs.existsSync(path.join(p.dir, "plan.json"))).toBe(true);
  const review = await runStep("deploy", "review", "push");
  expect(review.status).toBe(0);
  expect(fs.readFileSync(path.join(work, "summary.md"), "utf8")).toContain("**2 lose access, 1 gains access, 0 moved in state**");
  // Above the limit, the guard fails the job before `up` runs.
  const strict = await runStep("deploy", "guard", "push", { maxRemovals: "1" });
  expect(strict.status).toBe(3);
  expect((await runStep("deploy", "guard", "push")).status).toBe(0);
  const up = await runStep("deploy", "up", "push");
  expect(up.status).toBe(0);
  expect(fake.membersOf(g.lobby!).sort()).toEqual([u.ada, u.alan].sort());
  expect(fake.membersOf(g.lab!)).toEqual([]);
});

test("a change made after the review (another membership removed) makes up --plan fail without sending that remove", async () => {
  const reviewed: Membership[] = [
    { name: "ada-lobby", acsUserId: u.ada!, acsAccessGroupId: g.lobby! },
    { name: "alan-lobby", acsUserId: u.alan!, acsAccessGroupId: g.lobby! },
    { name: "linus-lab", acsUserId: u.linus!, acsAccessGroupId: g.lab! },
  ];
  commit(reviewed);
  expect((await runStep("deploy", "preview", "push")).status).toBe(0);
  expect((await runStep("deploy", "guard", "push")).status).toBe(0);
  // Between the review and the up, ada-lobby leaves the program: nobody reviewed that removal.
  commit(reviewed.filter((m) => m.name !== "ada-lobby"));
  const sentBefore = fake.requests.length;
  const up = await runStep("deploy", "up", "push");
  expect(up.status).not.toBe(0);
  expect(`${up.stdout}${up.stderr}`).toMatch(/error: delete is not allowed by the plan: this resource is constrained to same/);
  const sent = fake.requests.slice(sentBefore);
  expect(sent.filter((r) => r.path === removeRoute)).toEqual([]);
  expect(fake.membersOf(g.lobby!).sort()).toEqual([u.ada, u.alan].sort());
  // What the engine refused, it refused before any step: not even the reviewed add went out.
  expect(sent.filter((r) => r.path === addRoute)).toEqual([]);
});

test("the scheduled audit: clean passes; a console grant fails the job, with the findings in the summary", async () => {
  fs.writeFileSync(path.join(work, "summary.md"), "");
  expect((await runStep("audit", "export", "schedule")).status).toBe(0);
  const clean = await runStep("audit", "audit", "schedule");
  expect(clean.stderr).toBe("");
  expect(clean.status).toBe(0);
  expect(fs.readFileSync(path.join(work, "summary.md"), "utf8")).toContain("**0 unmanaged, 0 missing, 0 shared, 0 pending (over 3600 s) in 1 access group of 1 stack**");

  fake.grantOutOfBand(u.grace!, g.lobby!);
  const granted = await runStep("audit", "audit", "schedule");
  expect(granted.status).toBe(3);
  const summary = fs.readFileSync(path.join(work, "summary.md"), "utf8");
  expect(summary).toContain("### Unmanaged access (at Seam, declared by no audited stack)");
  expect(summary).toContain("| Grace Hopper | grace@example.com | Lobby |  |  |");
  fake.removeOutOfBand(u.grace!, g.lobby!);
});
