/**
 * An Automation API inline program (LocalWorkspace, the real CLI on PATH) against Seam's fake.
 * The engine runs the dynamic provider in the workspace's workDir; where `pulumi-seam-acs/provider`
 * cannot be resolved from there, the run fails saying to set `workDir`, not "Cannot find module".
 *
 * The program uses this checkout's source, so the closure serializer copies the stored provider's
 * functions (see serialized-provider.ts) and it is their `load` that resolves the provider from
 * the workDir. With the package installed under node_modules the stored text is one `require` of
 * `pulumi-seam-acs/serialized-provider`, and an unresolvable workDir fails in pulumi's own loader
 * before any code of this package runs (measured; docs/review.md says what to set).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import { AccessGroupMembership } from "../src/access-group-membership";
import { nodeBinDir, repoRoot } from "./support/consumer";
import { addRoute, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
let scratch: string;
beforeAll(async () => {
  fake = await startSeamFake();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-inline-"));
  process.env.PATH = [process.env.PULUMI_SEAM_ACS_PULUMI_BIN, nodeBinDir, process.env.PATH].join(path.delimiter);
});
afterAll(async () => {
  await fake.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function inlineStack(name: string, workDir: string, ids: { acsUserId: string; acsAccessGroupId: string }) {
  const home = path.join(scratch, `${name}-home`);
  const backend = path.join(scratch, `${name}-state`);
  fs.mkdirSync(home);
  fs.mkdirSync(backend);
  return automation.LocalWorkspace.createOrSelectStack(
    { stackName: "dev", projectName: name, program: async () => void new AccessGroupMembership("m", ids) },
    {
      workDir,
      pulumiHome: home,
      projectSettings: { name, runtime: "nodejs", backend: { url: `file://${backend}` } },
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        SEAM_API_KEY: fake.apiKey,
        SEAM_ENDPOINT: fake.url,
      },
    },
  );
}

test("a workDir that cannot resolve pulumi-seam-acs/provider: the error says to set workDir, and nothing is added", async () => {
  // pulumi's own dynamic-provider host resolves from here; this package does not.
  const workDir = path.join(scratch, "bare");
  fs.mkdirSync(path.join(workDir, "node_modules"), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi"), path.join(workDir, "node_modules", "@pulumi"));
  const ids = { acsUserId: fake.addUser("Ada"), acsAccessGroupId: fake.addGroup("Lobby") };
  const stack = await inlineStack("bare", workDir, ids);
  const error = (await stack.up().catch((e: Error) => e)) as Error;
  expect(error).toBeInstanceOf(Error);
  expect(error.message).toMatch(/pulumi-seam-acs: the provider runs in .*bare, where `pulumi-seam-acs\/provider` cannot be resolved/);
  expect(error.message).toMatch(/set `workDir` \(LocalWorkspace\.createOrSelectStack\(args, \{ workDir \}\)\)/);
  expect(error.message).not.toMatch(/Cannot find module/);
  expect(fake.requestsTo(addRoute)).toEqual([]);
}, 180_000);

test("with workDir set to a project that has pulumi-seam-acs installed, the same inline program adds the membership", async () => {
  const workDir = fs.mkdtempSync(path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "inline-"));
  const ids = { acsUserId: fake.addUser("Grace"), acsAccessGroupId: fake.addGroup("Lab") };
  const stack = await inlineStack("installed", workDir, ids);
  const result = await stack.up();
  expect(result.summary.result).toBe("succeeded");
  expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
}, 180_000);
