/**
 * A Seam that cannot be reached, in every command and both providers (issue 25): an endpoint that
 * refuses connections (a local Seam that was stopped; `seam:endpoint` in the stack config) and a
 * host name that does not resolve (`SEAM_ENDPOINT` in the environment, a `.invalid` name). Each of
 * `preview`, `up`, `refresh`, `destroy`, the review, `audit` and `export` fails, exit code non-zero,
 * within 15 s, with exactly one line that names the endpoint, where it was set and what to check;
 * no stack trace, no path of the package; the stack's state as it was.
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject, RunResult } from "./support/pulumi";
import { runReview } from "./support/review";
import { SeamFake, startSeamFake } from "./support/seam-fake";

/** The bound the issue sets; the runs take a few seconds (the CLI's start, at most three tries within 3 s). */
const boundSeconds = 15;

/** The YAML program's plugin: the installed package's bin/, as the docs name it. */
const pluginDir = () => path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");

type Kind = "dynamic" | "native";

/**
 * The program's files: two memberships; `shrunk`, one (a removal to review); `grown`, a third pair whose preview or create reads
 * Seam (dynamic: its user found by email, the only read of a dynamic preview; YAML: a new pair,
 * whose create reads the credentials' workspace first).
 */
function programFiles(kind: Kind, name: string, ids: { ada: string; grace: string; lobby: string }, shape: "base" | "grown" | "shrunk" = "base"): Record<string, string> {
  const grown = shape === "grown";
  const pairs = [["ada-lobby", ids.ada, ids.lobby], ["grace-lobby", ids.grace, ids.lobby]].slice(0, shape === "shrunk" ? 1 : 2);
  if (kind === "dynamic") {
    return {
      "index.js":
        `const { AccessGroupMembership, lookupAcsUser } = require("pulumi-seam-acs");\n` +
        pairs.map(([n, u, g]) => `new AccessGroupMembership("${n}", { acsUserId: "${u}", acsAccessGroupId: "${g}" });\n`).join("") +
        (grown ? `new AccessGroupMembership("ada-lab", { acsUserId: lookupAcsUser({ email: "ada@example.com" }).then((u) => u.acsUserId), acsAccessGroupId: "${ids.lobby}-2" });\n` : ""),
    };
  }
  const all = grown ? [...pairs, ["ada-lab", ids.ada, `${ids.lobby}-2`]] : pairs;
  return {
    "Pulumi.yaml":
      `name: ${name}\nruntime: yaml\npackages:\n  seam: ${pluginDir()}\nresources:\n` +
      all.map(([n, u, g]) => `  ${n}:\n    type: seam:index:AccessGroupMembership\n    properties: { acsUserId: ${u}, acsAccessGroupId: ${g} }\n`).join(""),
  };
}

function project(kind: Kind, name: string, ids: { ada: string; grace: string; lobby: string }, env: NodeJS.ProcessEnv): PulumiProject {
  const files = programFiles(kind, name, ids);
  return kind === "dynamic" ? new PulumiProject(name, { program: files["index.js"], env }) : new PulumiProject(name, { files, env });
}

/**
 * The stack's resources and pending operations as `pulumi stack export` has them (what "state
 * unchanged" compares), less the secrets' ciphertexts, which the engine encrypts anew on every run.
 */
async function state(p: PulumiProject): Promise<string[]> {
  const text = (await p.run(["stack", "export"])).stdout.replace(/"ciphertext":\s*"[^"]*"/g, '"ciphertext":"…"');
  const d = JSON.parse(text).deployment;
  return [
    // Sorted: a run that changes nothing may still write the resources in another order.
    ...(d.resources ?? []).map((r: { urn: string; id?: string; outputs?: unknown }) => JSON.stringify([r.urn, r.id, r.outputs])).sort(),
    `pending: ${JSON.stringify(d.pending_operations ?? [])}`,
  ];
}

/**
 * Exit non-zero, exactly one line naming the endpoint (its host), no frames, no source path, no
 * token. For a pulumi run, the lines of its Diagnostics: the engine also echoes each diagnostic,
 * cut short, on the resource's progress line above them. Within 15 s, or on a machine so loaded
 * that the CLI alone takes longer than 7 s (`cliSeconds`: the same project's preview against a
 * Seam that answers), within that plus 8 s.
 */
function expectOneLine(r: RunResult & { seconds: number }, endpointHost: string, line: RegExp, token: string, engine: boolean, cliSeconds: number): void {
  const all = r.stdout + r.stderr;
  expect({ code: r.code === 0 ? 0 : "non-zero", all }).toMatchObject({ code: "non-zero" });
  const shown = engine ? all.slice(Math.max(0, all.indexOf("Diagnostics:"))) : all;
  if (engine) expect(all).toContain("Diagnostics:");
  const naming = shown.split("\n").filter((l) => l.includes(endpointHost));
  expect(naming).toHaveLength(1);
  expect(naming[0]).toMatch(line);
  expect(all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(all).not.toMatch(/src\/seam|dist\/seam|client\.(ts|js)/);
  expect(all).not.toContain(token);
  expect(r.seconds).toBeLessThan(Math.max(boundSeconds, cliSeconds + 8));
}

async function timed<T extends RunResult>(run: () => Promise<T>): Promise<T & { seconds: number }> {
  const started = Date.now();
  const r = await run();
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

describe.each<Kind>(["dynamic", "native"])("%s provider", (kind) => {
  let fake: SeamFake;
  let ids: { ada: string; grace: string; lobby: string };
  beforeAll(async () => {
    fake = await startSeamFake();
    ids = {
      ada: fake.addUser("Ada Lovelace", undefined, { email: "ada@example.com" }),
      grace: fake.addUser("Grace Hopper"),
      lobby: fake.addGroup("Lobby"),
    };
  });
  afterAll(() => fake.stop());

  /**
   * A stack made against the local Seam (2 memberships), its preview of removing one as JSON and
   * its state export, for the review and the audit.
   */
  async function stackAgainstSeam(name: string, env: NodeJS.ProcessEnv, configEndpoint: string | undefined) {
    const p = project(kind, name, ids, env);
    if (kind === "native") p.setEnv({ PATH: [pluginDir(), p.commandEnv.PATH].join(path.delimiter) });
    await p.init();
    if (configEndpoint !== undefined) {
      await p.run(["config", "set", "seam:endpoint", configEndpoint]);
      await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
    }
    await p.up();
    expect(fake.membersOf(ids.lobby).sort()).toEqual([ids.ada, ids.grace].sort());
    const stateFile = path.join(p.dir, "state.json");
    fs.writeFileSync(stateFile, (await p.run(["stack", "export"])).stdout);
    // The review's input: a preview that removes Grace (the program is put back after it).
    const write = (shape: "base" | "shrunk") => {
      for (const [f, text] of Object.entries(programFiles(kind, name, ids, shape))) fs.writeFileSync(path.join(p.dir, f), text);
    };
    write("shrunk");
    const started = Date.now();
    const preview = await p.run(["preview", "--json", "--show-sames"]);
    const cliSeconds = (Date.now() - started) / 1000;
    write("base");
    expect(JSON.parse(preview.stdout).steps.some((s: { op: string }) => s.op === "delete")).toBe(true);
    return { p, stateFile, preview: preview.stdout, cliSeconds };
  }

  /** Every command against the dead endpoint; the state is compared before and after. */
  async function everyCommand(p: PulumiProject, name: string, endpointHost: string, line: RegExp, cliEnv: NodeJS.ProcessEnv, stateFile: string, previewJson: string, cliSeconds: number) {
    const before = await state(p);
    // preview and up: a program that reads Seam (a lookup by email; for YAML, a new pair whose create reads the workspace).
    for (const [f, text] of Object.entries(programFiles(kind, name, ids, "grown"))) fs.writeFileSync(path.join(p.dir, f), text);
    const runs: [string, () => Promise<RunResult>][] = [
      // A dynamic preview reads Seam only for lookups; a native one reads the credentials' workspace at its first check.
      ["preview", () => p.preview({ allowFailure: true })],
      ["up", () => p.up({ allowFailure: true })],
      ["refresh", () => p.refresh({ allowFailure: true })],
      ["destroy", () => p.destroy({ allowFailure: true })],
      ["review", () => runReview(["review"], { stdin: previewJson, env: cliEnv })],
      ["audit", () => runReview(["audit", "--state", stateFile], { env: cliEnv })],
      ["export", () => runReview(["export", "--group", ids.lobby], { env: cliEnv })],
    ];
    for (const [command, run] of runs) {
      const r = await timed(run);
      try {
        expectOneLine(r, endpointHost, line, fake.apiKey, !["review", "audit", "export"].includes(command), cliSeconds);
      } catch (e) {
        throw new Error(`${kind} ${command}: ${(e as Error).message}\n--- output:\n${r.stdout}\n${r.stderr}`);
      }
      expect({ command, state: await state(p) }).toEqual({ command, state: before });
    }
    expect(fake.membersOf(ids.lobby).sort()).toEqual([ids.ada, ids.grace].sort());
  }

  test("an endpoint that refuses connections (seam:endpoint in the stack config, the local Seam stopped)", async () => {
    // Where a local Seam ran and was stopped: nothing listens there any more.
    const own = await startSeamFake();
    await own.stop();
    // The stack is made against the suite's Seam, then its stack config points at the stopped one.
    const name = `unreachable-refused-${kind}`;
    const { p, stateFile, preview, cliSeconds } = await stackAgainstSeam(name, { SEAM_API_KEY: undefined, SEAM_ENDPOINT: undefined }, fake.url);
    await p.run(["config", "set", "seam:endpoint", own.url]);
    // A plain refresh or destroy sends the config stored with the last update: store the dead endpoint (an up that changes nothing).
    await p.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
    const host = new URL(own.url).host;
    await everyCommand(
      p,
      name,
      host,
      new RegExp(`Seam could not be reached at ${own.url.replace(/[.:/]/g, "\\$&")} \\((seam:endpoint in the stack config|SEAM_ENDPOINT in the environment)\\): the connection to ${host.replace(/\./g, "\\.")} was refused \\(ECONNREFUSED\\)`),
      { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: own.url },
      stateFile,
      preview,
      cliSeconds,
    );
  }, 600_000);

  test("a host name that does not resolve (SEAM_ENDPOINT in the environment)", async () => {
    const env = { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url };
    const name = `unreachable-dns-${kind}`;
    const { p, stateFile, preview, cliSeconds } = await stackAgainstSeam(name, env, undefined);
    const dead = "https://seam-acs-test.invalid";
    p.setEnv({ SEAM_ENDPOINT: dead });
    await everyCommand(
      p,
      name,
      "seam-acs-test.invalid",
      /Seam could not be reached at https:\/\/seam-acs-test\.invalid \(SEAM_ENDPOINT in the environment\): the host name seam-acs-test\.invalid does not resolve \(ENOTFOUND\); check the spelling of SEAM_ENDPOINT/,
      { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: dead },
      stateFile,
      preview,
      cliSeconds,
    );
  }, 600_000);
});
