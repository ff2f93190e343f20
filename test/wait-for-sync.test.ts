/**
 * seam:waitForSync in the provider, against Seam's fake with pending mutations set by the test:
 * off it sends nothing extra; on, create and delete return once the change has cleared, and fail
 * within the bound when it does not, with the create's membership still handed to the state.
 */
import { MembershipProvider } from "../src/provider/membership-provider";
import { nextPollGapMs, syncPollPolicy } from "../src/provider/sync-poll-policy";
import { Clock, CreatedButFailedError, SyncTimeoutError, waitForSync } from "../src/provider/sync-wait";
import { SeamClient } from "../src/seam/client";
import { fakeSettings } from "./support/settings";
import { addRoute as add, PendingMutation, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
const providers: MembershipProvider[] = [];
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await fake.stop();
});

function provider(sync: NodeJS.ProcessEnv = {}) {
  const p = new MembershipProvider({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, ...sync });
  providers.push(p);
  return p;
}

function pair(name: string) {
  return { acsUserId: fake.addUser(name), acsAccessGroupId: fake.addGroup(`${name}'s group`) };
}

const at = new Date().toISOString();
const pushing = (to: string | null, from: string | null = null): PendingMutation => ({
  mutation_code: "updating_group_membership",
  created_at: at,
  message: "Updating group membership",
  from: { acs_access_group_id: from },
  to: { acs_access_group_id: to },
});
const scheduled = (group: string, variant: "adding" | "removing"): PendingMutation => ({
  mutation_code: "deferring_group_membership_update",
  created_at: at,
  message: "Deferred until the access starts",
  acs_access_group_id: group,
  variant,
});

function pollsOf(acsUserId: string, since: number) {
  return fake.requests.slice(since).filter((r) => r.path === "/acs/users/get" && (r.body as { acs_user_id?: string }).acs_user_id === acsUserId);
}
function pathsSince(since: number) {
  return fake.requests.slice(since).map((r) => r.path);
}

test("off (the default): create, update and delete send only the add and the remove, even with a change pending", async () => {
  const ids = pair("ada");
  fake.setPendingMutations(ids.acsUserId, [pushing(ids.acsAccessGroupId)]);
  const p = provider();
  const before = fake.requests.length;
  const created = await p.create({ ...ids, __provider: "code" });
  await p.update(created.id, created.outs!, { ...ids, __provider: "newer code" });
  // A later run (another provider process) deletes it: within one run a create holds its pair.
  await provider().delete(created.id, created.outs!);
  expect(pathsSince(before).filter((path) => path !== "/workspaces/get")).toEqual([add, remove]);
});

test("on: create returns once the pending add has cleared, after a few looks", async () => {
  const ids = pair("grace");
  fake.setPendingMutations(ids.acsUserId, [pushing(ids.acsAccessGroupId)], { clearAfterPolls: 3 });
  const before = fake.requests.length;
  const created = await provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "30" }).create({ ...ids, __provider: "code" });
  expect(created.id).toBe(`${ids.acsAccessGroupId}/${ids.acsUserId}`);
  expect(pollsOf(ids.acsUserId, before)).toHaveLength(4);
  // Every look comes after the add.
  expect(pathsSince(before).indexOf(add)).toBeLessThan(fake.requests.indexOf(pollsOf(ids.acsUserId, before)[0]!) - before);
});

test("on: a change pending for another group, or another kind of change, does not hold the create", async () => {
  const ids = pair("alan");
  const elsewhere = fake.addGroup("elsewhere");
  fake.setPendingMutations(ids.acsUserId, [pushing(elsewhere), scheduled(elsewhere, "adding"), { mutation_code: "creating", created_at: at, message: "Creating" }]);
  const before = fake.requests.length;
  await provider({ SEAM_WAIT_FOR_SYNC: "true" }).create({ ...ids, __provider: "code" });
  expect(pollsOf(ids.acsUserId, before)).toHaveLength(1);
});

test("on: an add that never clears fails within the bound, and the failure still carries the membership for the state", async () => {
  const ids = pair("katherine");
  fake.setPendingMutations(ids.acsUserId, [scheduled(ids.acsAccessGroupId, "adding")]);
  const before = fake.requests.length;
  const error = await provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "2" })
    .create({ ...ids, __provider: "stored provider code" })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CreatedButFailedError);
  const failed = error as CreatedButFailedError;
  expect(failed.message).toMatch(
    new RegExp(
      `AccessGroupMembership create \\(acs_user_id=${ids.acsUserId} acs_access_group_id=${ids.acsAccessGroupId}\\): Seam added the user to the group, ` +
        `but after 2 s \\(seam:syncTimeoutSeconds\\) the access system has not applied it yet: an addition to the group is scheduled for later`,
    ),
  );
  expect(failed.message).toMatch(/The membership is recorded in the state/);
  expect(failed.id).toBe(`${ids.acsAccessGroupId}/${ids.acsUserId}`);
  expect(failed.properties).toEqual({ ...ids, workspaceId: fake.seed.seed_workspace_1, __provider: "stored provider code" });
  expect(failed.reasons).toEqual([failed.message]);
  expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  // Bounded: gaps of at least 50 ms (half the first 100 ms gap) within 2 s.
  const polls = pollsOf(ids.acsUserId, before);
  expect(polls.length).toBeGreaterThan(2);
  expect(polls.length).toBeLessThanOrEqual(2_000 / 50 + 1);
  expect(polls.at(-1)!.at - polls[0]!.at).toBeLessThan(2_000 + 1_000);
});

test("on: an update (the engine's next step for a create that timed out) waits as well, and fails as a plain error", async () => {
  const ids = pair("mary");
  const p = provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "1" });
  const created = await p.create({ ...ids, __provider: "code" });
  fake.setPendingMutations(ids.acsUserId, [scheduled(ids.acsAccessGroupId, "adding")], { clearAfterPolls: 2 });
  let before = fake.requests.length;
  await p.update(created.id, created.outs!, { ...ids, __provider: "code" });
  expect(pollsOf(ids.acsUserId, before)).toHaveLength(3);
  fake.setPendingMutations(ids.acsUserId, [scheduled(ids.acsAccessGroupId, "adding")]);
  before = fake.requests.length;
  const error = await p.update(created.id, created.outs!, { ...ids, __provider: "code" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SyncTimeoutError);
  expect((error as Error).message).toMatch(/^AccessGroupMembership update \(.*\): Seam has the user in the group, but after 1 s .*an addition to the group is scheduled/);
  expect(pathsSince(before).filter((path) => path !== "/acs/users/get")).toEqual([]);
});

test("on: a remove that never clears fails the delete, says the user may still get in, and was sent", async () => {
  const ids = pair("hedy");
  const p = provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "1" });
  const created = await p.create({ ...ids, __provider: "code" });
  fake.setPendingMutations(ids.acsUserId, [pushing(null, ids.acsAccessGroupId)]);
  const before = fake.requests.length;
  const error = await provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "1" }).delete(created.id, created.outs!).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SyncTimeoutError);
  expect((error as Error).message).toMatch(
    new RegExp(`AccessGroupMembership delete \\(.*\\): Seam removed the user from the group, but after 1 s .*pushing a group membership change \\(from ${ids.acsAccessGroupId} to none\\)`),
  );
  expect((error as Error).message).toMatch(/the user may still get in\. The membership stays in the state/);
  expect(pathsSince(before)).toContain(remove);
  expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([]);
});

test("on: a user deleted while the change is pending has nothing left to wait for", async () => {
  const ids = pair("barbara");
  const p = provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "30" });
  const created = await p.create({ ...ids, __provider: "code" });
  fake.setPendingMutations(ids.acsUserId, [pushing(null, ids.acsAccessGroupId)]);
  fake.deleteUser(ids.acsUserId);
  const before = fake.requests.length;
  await provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "30" }).delete(created.id, created.outs!);
  expect(pollsOf(ids.acsUserId, before).length).toBeLessThanOrEqual(1);
});

test("at the default timeout, a change that never clears ends after a bounded number of looks, the last on the deadline", async () => {
  const ids = pair("lise");
  fake.setPendingMutations(ids.acsUserId, [scheduled(ids.acsAccessGroupId, "adding")]);
  // A virtual clock: the 300 s pass without waiting, the looks are real requests.
  let now = 0;
  const slept: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    random: () => 0,
  };
  const client = new SeamClient(fakeSettings(fake));
  const before = fake.requests.length;
  const sync = { waitForSync: true, timeoutMs: 300_000 };
  await expect(waitForSync(() => client, ids, sync, "create", clock)).rejects.toThrow(/after 300 s \(seam:syncTimeoutSeconds\)/);
  await client.close();
  expect(now).toBe(300_000);
  expect(pollsOf(ids.acsUserId, before)).toHaveLength(slept.length + 1);
  const policy = syncPollPolicy(300_000);
  expect(slept).toEqual(slept.map((_, i) => nextPollGapMs(i + 1, slept.slice(0, i).reduce((a, b) => a + b, 0), policy, () => 0)));
  expect(slept.length).toBeLessThan(50);
});

test("the test double refuses a pending mutation Seam's schema does not allow", () => {
  const ids = pair("ida");
  expect(() => fake.setPendingMutations(ids.acsUserId, [{ mutation_code: "deferring_group_membership_update", created_at: at, message: "x" }])).toThrow();
});

test("the timeout bounds the whole wait: a look that Seam does not answer stops with it, not with the operation timeout", async () => {
  const ids = pair("chien-shiung");
  fake.setPendingMutations(ids.acsUserId, [scheduled(ids.acsAccessGroupId, "adding")]);
  // Each look could retry for a minute on its own; the wait allows 2 s.
  const client = new SeamClient(fakeSettings(fake, { maxAttempts: 20, baseDelayMs: 400, maxDelayMs: 2_000, requestTimeoutMs: 500, operationTimeoutMs: 60_000 }));
  const started = Date.now();
  const error = await fake.duringOutage("/acs/users/get", { kind: "status", status: 503 }, {}, () =>
    waitForSync(() => client, ids, { waitForSync: true, timeoutMs: 2_000 }, "create").catch((e) => e),
  );
  await client.close();
  expect(error).toBeInstanceOf(Error);
  expect(error.message).toMatch(/Reading the ACS user failed .*HTTP 503/);
  // 2 s, plus at most one fair attempt (2 × 0.5 s) and slack for a slow machine.
  expect(Date.now() - started).toBeLessThan(2_000 + 1_000 + 1_500);
});
