/**
 * The provider as the engine really runs it: serialized by pulumi.dynamic.Resource in a program
 * that installed the packed package, then loaded from that text in another, fresh process.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./support/consumer";
import { SeamFake, startSeamFake } from "./support/seam-fake";

const run = promisify(execFile);
const fixtures = path.join(repoRoot, "test/fixtures");

let fake: SeamFake;
let consumer: string;
let stored: { provider: string; type: string };

beforeAll(async () => {
  fake = await startSeamFake();
  consumer = process.env.SEAM_ACS_TEST_CONSUMER!;
  // The scripts live in the consumer, so every require resolves from its node_modules.
  for (const script of ["serialize-provider.js", "run-stored-provider.js"]) fs.copyFileSync(path.join(fixtures, script), path.join(consumer, script));
  // Credentials in the program's environment must not end up in what is serialized.
  const { stdout } = await run(process.execPath, ["serialize-provider.js"], {
    cwd: consumer,
    env: { ...process.env, SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url },
  });
  stored = JSON.parse(stdout);
});
afterAll(() => fake.stop());

async function runStored(steps: unknown[][], config: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const child = run(process.execPath, ["run-stored-provider.js"], {
    cwd: consumer,
    env: { PATH: process.env.PATH, ...env },
  });
  child.child.stdin!.end(JSON.stringify({ provider: stored.provider, config, steps }));
  const { stdout } = await child;
  return JSON.parse(stdout) as { op: string; result?: any; error?: string }[];
}

test("the stored provider is small, has the documented type, and holds no credential", () => {
  expect(stored.type).toBe("pulumi-nodejs:dynamic/seam:AccessGroupMembership");
  expect(Buffer.byteLength(stored.provider)).toBeLessThanOrEqual(1024);
  expect(stored.provider).toContain('require("pulumi-seam-acs/serialized-provider")');
  expect(stored.provider).not.toContain(fake.apiKey);
  expect(stored.provider).not.toContain(fake.url);
});

test("loaded in a fresh process, it checks, creates, reads and deletes against Seam's fake", async () => {
  const ids = { acsUserId: fake.addUser("Ada"), acsAccessGroupId: fake.addGroup("Lobby") };
  const id = `${ids.acsAccessGroupId}/${ids.acsUserId}`;
  const config = { "seam:apiKey": fake.apiKey, "seam:endpoint": fake.url };
  const adds = fake.requestsTo("/acs/users/add_to_access_group").length;
  const removes = fake.requestsTo("/acs/users/remove_from_access_group").length;

  const results = await runStored(
    [
      ["check", {}, { ...ids, __provider: stored.provider }],
      ["create", ids],
      ["read", id, ids],
    ],
    config,
  );
  const outs = { ...ids, workspaceId: fake.seed.seed_workspace_1 };
  expect(results).toEqual([
    { op: "check", result: { inputs: ids } },
    { op: "create", result: { id, outs } },
    { op: "read", result: { id, props: outs, inputs: ids } },
  ]);
  expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  expect(fake.requestsTo("/acs/users/add_to_access_group").length - adds).toBe(1);

  // Another process, as for a `pulumi destroy` without the program; credentials from the environment.
  const deleted = await runStored([["delete", id, outs], ["read", id, outs]], {}, { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url });
  expect(deleted).toEqual([
    { op: "delete", result: null },
    { op: "read", result: { id: "" } },
  ]);
  expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([]);
  const sent = fake.requestsTo("/acs/users/remove_from_access_group").slice(removes);
  expect(sent.map((r) => r.body)).toEqual([{ acs_user_id: ids.acsUserId, acs_access_group_id: ids.acsAccessGroupId }]);
});

test("a failure in the loaded provider reports what failed and never the token", async () => {
  const [result] = await runStored([["create", { acsUserId: "nobody", acsAccessGroupId: fake.addGroup("Attic") }]], {
    "seam:apiKey": fake.apiKey,
    "seam:endpoint": fake.url,
  });
  expect(result!.error).toMatch(/Adding the user to the access group failed \(acs_user_id=nobody .*HTTP 404 acs_user_not_found/);
  expect(result!.error).not.toContain(fake.apiKey);
});
