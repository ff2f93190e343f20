/** examples/roster as a user runs it: the program and its roster file preview against Seam's fake. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { nodeBinDir, repoRoot } from "./support/consumer";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

test("the example previews: two roster resources from the file, every member by id or by a single-match email", async () => {
  fake.addUser("Grace Hopper", undefined, { email: "grace@example.com" });
  fake.addUser("Alan Turing", undefined, { email: "alan@example.com" });
  const dir = path.join(repoRoot, "examples/roster");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-roster-example-"));
  fs.mkdirSync(path.join(work, "state"));
  const env = {
    PATH: [process.env.PULUMI_SEAM_ACS_PULUMI_BIN, nodeBinDir, process.env.PATH].join(path.delimiter),
    HOME: process.env.HOME,
    PULUMI_HOME: path.join(work, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "example",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    SEAM_API_KEY: fake.apiKey,
    SEAM_ENDPOINT: fake.url,
  };
  const pulumi = (...args: string[]) => promisify(execFile)("pulumi", [...args, "--non-interactive", "--color=never"], { cwd: dir, env });
  const stackFile = path.join(dir, "Pulumi.example.yaml");
  try {
    await pulumi("stack", "init", "example");
    // One preview (the example compiles TypeScript at every run): its JSON says it all.
    const json = JSON.parse((await pulumi("preview", "--json")).stdout);
    type Step = { op: string; urn: string; newState?: { type?: string; inputs?: { members?: Record<string, string> } } };
    const creates = (json.steps as Step[]).filter((s) => s.op === "create" && s.newState?.type?.startsWith("pulumi-nodejs:dynamic/"));
    // One resource per group, holding its members (by id, or by the email they were looked up by).
    expect(creates.map((s) => s.newState?.type)).toEqual(["pulumi-nodejs:dynamic/seam:AccessGroupRoster", "pulumi-nodejs:dynamic/seam:AccessGroupRoster"]);
    const members = Object.fromEntries(creates.map((s) => [s.urn.split("::").at(-1), Object.keys(s.newState?.inputs?.members ?? {}).sort()]));
    expect(members).toEqual({ lobby: ["8d7e0b3a-b889-49a7-9164-4b71a0506a33", "alan@example.com", "grace@example.com"], lab: ["grace@example.com"] });
  } finally {
    fs.rmSync(stackFile, { force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
});
