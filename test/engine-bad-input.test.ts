/**
 * Bad input under the real engine: every case is a clear message at `pulumi preview` (or at
 * create, for ids Seam does not know), nothing is sent that should not be, and no token shows.
 */
import { randomBytes } from "node:crypto";
import { PulumiProject } from "./support/pulumi";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
const canary = `seam_canary${randomBytes(12).toString("hex")}`;
beforeAll(async () => {
  fake = await startSeamFake();
  fake.addApiKey(canary);
});
afterAll(() => fake.stop());

function program(body: string) {
  return `const { AccessGroupMembership } = require("pulumi-seam-acs");\n${body}\n`;
}

const cleanEnv = { SEAM_API_KEY: undefined, SEAM_ENDPOINT: undefined } as NodeJS.ProcessEnv;

test.each([
  ["a padded id", `new AccessGroupMembership("m", { acsUserId: " u1", acsAccessGroupId: "g1" });`, /acsUserId has leading or trailing whitespace/],
  ["an empty id", `new AccessGroupMembership("m", { acsUserId: "u1", acsAccessGroupId: "" });`, /acsAccessGroupId must not be empty/],
  ["a missing id", `new AccessGroupMembership("m", { acsUserId: "u1" });`, /acsAccessGroupId is required/],
  ["a number", `new AccessGroupMembership("m", { acsUserId: 7, acsAccessGroupId: "g1" });`, /acsUserId must be a string, not a number/],
  ["an absurdly long id", `new AccessGroupMembership("m", { acsUserId: "u".repeat(5000), acsAccessGroupId: "g1" });`, /acsUserId must be at most 128 characters long/],
  ["an unknown argument", `new AccessGroupMembership("m", { acsUserId: "u1", acsAccessGroupId: "g1", acsSystemId: "s" });`, /acsSystemId is not an argument of AccessGroupMembership/],
])("%s fails preview with a message naming the property, and sends nothing", async (_name, body, message) => {
  const p = new PulumiProject("bad-args", { program: program(body), env: { SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url } });
  await p.init();
  const before = fake.requests.length;
  const result = await p.preview({ allowFailure: true });
  expect(result.code).not.toBe(0);
  expect(result.stdout + result.stderr).toMatch(message);
  expect(fake.requests.length).toBe(before);
  expect(result.stdout + result.stderr).not.toContain(canary);
});

test.each([
  ["no credentials", {}, /No Seam credentials: set exactly one of seam:apiKey \(or SEAM_API_KEY\)/],
  ["two auth modes", { SEAM_API_KEY: canary, SEAM_PERSONAL_ACCESS_TOKEN: "seam_at1_longtoken", SEAM_WORKSPACE_ID: "w" }, /Two Seam auth modes at once in the environment/],
  ["a PAT without workspace", { SEAM_PERSONAL_ACCESS_TOKEN: "seam_at1_longtoken" }, /SEAM_PERSONAL_ACCESS_TOKEN is set but no workspace is/],
  ["a token with the wrong prefix", { SEAM_CONSOLE_SESSION_TOKEN: canary, SEAM_WORKSPACE_ID: "w" }, /should be a JWT \(starting with ey\), but it looks like an API key; set it as seam:apiKey instead/],
  ["an endpoint that is not a URL", { SEAM_API_KEY: canary, SEAM_ENDPOINT: "seam dot com" }, /is not a URL/],
  ["plain http to a remote host", { SEAM_API_KEY: canary, SEAM_ENDPOINT: "http://seam.example.com" }, /plain http to seam.example.com.*seam:allowInsecureHttp/],
])("%s fails preview with the keys to set, and no token", async (_name, env, message) => {
  const p = new PulumiProject("bad-config", {
    program: program(`new AccessGroupMembership("m", { acsUserId: "u1", acsAccessGroupId: "g1" });`),
    env: { ...cleanEnv, ...env },
  });
  await p.init();
  const before = fake.requests.length;
  const result = await p.preview({ allowFailure: true });
  expect(result.code).not.toBe(0);
  expect(result.stdout + result.stderr).toMatch(message);
  expect(result.stdout + result.stderr).not.toContain(canary);
  expect(result.stdout + result.stderr).not.toContain("seam_at1_longtoken");
  expect(fake.requests.length).toBe(before);
});

test("an unknown user or group at create: the error names which one and carries the request id, never the token", async () => {
  const group = fake.addGroup("Lobby");
  const user = fake.addUser("Ada");
  const p = new PulumiProject("unknown-ids", {
    program: program(`
      new AccessGroupMembership("ghost-user", { acsUserId: "ghost_user", acsAccessGroupId: "${group}" });
      new AccessGroupMembership("ghost-group", { acsUserId: "${user}", acsAccessGroupId: "ghost_group" });`),
    env: { SEAM_API_KEY: canary, SEAM_ENDPOINT: fake.url },
  });
  await p.init();
  const result = await p.up({ allowFailure: true });
  const out = result.stdout + result.stderr;
  expect(result.code).not.toBe(0);
  expect(out).toMatch(/there is no ACS user with acs_user_id=ghost_user in this workspace.*seam-request-id: request\d+/);
  expect(out).toMatch(/acs_access_group_id=ghost_group\): HTTP 404 acs_access_group_not_found.*there is no access group with acs_access_group_id=ghost_group.*seam-request-id: request\d+/);
  expect(out).not.toContain(canary);
  expect(await p.memberships()).toEqual([]);
});

test("with verbose engine logging, a secret token reaches neither the output nor the state", async () => {
  const user = fake.addUser("Grace");
  const group = fake.addGroup("Roof");
  const p = new PulumiProject("verbose", {
    program: program(`new AccessGroupMembership("m", { acsUserId: "${user}", acsAccessGroupId: "${group}" });`),
    env: cleanEnv,
  });
  await p.init();
  await p.run(["config", "set", "--secret", "seam:apiKey", canary]);
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  const up = await p.run(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr", "--logflow"]);
  expect(fake.membersOf(group)).toEqual([user]);
  const destroy = await p.run(["destroy", "--yes", "--skip-preview", "-v=9", "--logtostderr", "--logflow"]);
  expect(fake.membersOf(group)).toEqual([]);
  expect(up.stderr.length).toBeGreaterThan(10_000); // the verbose log really was on
  for (const text of [up.stdout, up.stderr, destroy.stdout, destroy.stderr, p.stateFiles()]) expect(text).not.toContain(canary);
});
