/**
 * Faults under the real engine: the pulumi CLI against Seam's fake behind the fault-injecting
 * front server. The stack's state must match what Seam holds whichever way a run ends.
 */
import { Membership, PulumiProject } from "./support/pulumi";
import { addRoute as add, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

function project(name: string, env: NodeJS.ProcessEnv = {}) {
  return new PulumiProject(name, { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, ...env } });
}

/** `count` users in one new group, one membership each. */
function memberships(prefix: string, count: number): Membership[] {
  const group = fake.addGroup(`${prefix} group`);
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, acsUserId: fake.addUser(`${prefix} ${i}`), acsAccessGroupId: group }));
}

function inSeam(ms: Membership[]): string[] {
  return ms.filter((m) => fake.membersOf(m.acsAccessGroupId).includes(m.acsUserId)).map((m) => m.name).sort();
}

async function inState(p: PulumiProject): Promise<string[]> {
  return (await p.memberships()).map((r) => r.urn.split("::").at(-1)!).sort();
}

test("503s, a 429 with Retry-After, a reset and a slow answer: every add lands once the fault passes", async () => {
  const ms = memberships("transient", 4);
  const p = project("transient", { SEAM_REQUEST_TIMEOUT_SECONDS: "1" });
  await p.init();
  await p.setMemberships(ms);
  fake.injectFaults(add, [
    { kind: "status", status: 503 },
    { kind: "status", status: 503 },
    { kind: "status", status: 503 },
    { kind: "status", status: 429, retryAfter: "2" },
    { kind: "reset" },
    { kind: "delay", ms: 2_500 },
  ]);
  const before = fake.requests.length;
  // One resource at a time: the first add meets all six faults in a row, within its 8 attempts.
  await p.up({ parallel: 1 });
  expect(inSeam(ms)).toEqual(ms.map((m) => m.name).sort());
  const log = fake.requests.slice(before).filter((r) => r.path === add);
  expect(log.map((r) => r.fault ?? r.status)).toEqual(["status", "status", "status", "status", "reset", "delay", 200, 200, 200, 200]);
  expect((log[0]!.body as { acs_user_id: string }).acs_user_id).toBe((log[6]!.body as { acs_user_id: string }).acs_user_id);
  const waitAfter429 = log[4]!.at - log[3]!.at;
  expect(waitAfter429).toBeGreaterThanOrEqual(2_000);
  const waitAfterSlow = log[6]!.at - log[5]!.at;
  expect(waitAfterSlow).toBeGreaterThanOrEqual(1_000);
  console.log(`transient faults: ${log.length} add requests; waited ${waitAfter429} ms after the 429, ${waitAfterSlow} ms after the slow answer`);
});

test("an outage during up fails it clearly, state holds exactly what was added, the next up converges", async () => {
  const ms = memberships("outage-up", 12);
  const p = project("outage-up", { SEAM_MAX_ATTEMPTS: "2", SEAM_REQUEST_TIMEOUT_SECONDS: "2", SEAM_OPERATION_TIMEOUT_SECONDS: "20" });
  await p.init();
  await p.setMemberships(ms);
  const failed = await fake.duringOutage(add, { kind: "status", status: 503 }, { after: 5 }, () => p.up({ allowFailure: true }));
  expect(failed.code).not.toBe(0);
  expect(failed.stdout).toMatch(/Adding the user to the access group failed \(acs_user_id=\S+ acs_access_group_id=\S+\): HTTP 503 with no Seam error body; gave up after 2 attempts/);
  expect(failed.stdout + failed.stderr).not.toContain(fake.apiKey);
  const added = inSeam(ms);
  expect(added).toHaveLength(5);
  expect(await inState(p)).toEqual(added);

  await p.up();
  expect(inSeam(ms)).toEqual(ms.map((m) => m.name).sort());
  expect(await inState(p)).toEqual(ms.map((m) => m.name).sort());
  // Nothing added twice: the fake would store a repeated add twice.
  const stored = fake.storedMembersOf(ms[0]!.acsAccessGroupId);
  expect(stored).toHaveLength(new Set(stored).size);
});

test("an outage during destroy keeps what failed in state, and the next destroy finishes", async () => {
  const ms = memberships("outage-destroy", 12);
  const p = project("outage-destroy", { SEAM_MAX_ATTEMPTS: "2", SEAM_REQUEST_TIMEOUT_SECONDS: "2", SEAM_OPERATION_TIMEOUT_SECONDS: "20" });
  await p.init();
  await p.setMemberships(ms);
  await p.up();
  const failed = await fake.duringOutage(remove, { kind: "status", status: 503 }, { after: 4 }, () => p.destroy({ allowFailure: true }));
  expect(failed.code).not.toBe(0);
  expect(failed.stdout).toMatch(/Removing the user from the access group failed .*HTTP 503/);
  expect(failed.stdout + failed.stderr).not.toContain(fake.apiKey);
  const left = inSeam(ms);
  expect(left).toHaveLength(8);
  expect(await inState(p)).toEqual(left);

  await p.destroy();
  expect(inSeam(ms)).toEqual([]);
  expect(await inState(p)).toEqual([]);
});
