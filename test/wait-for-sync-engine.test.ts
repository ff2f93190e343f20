/**
 * seam:waitForSync under the real engine, against Seam's fake with pending mutations set by the
 * test: a create that times out fails the run but its membership is in the state (so a destroy
 * can revoke it); a change that clears after a few looks passes; a delete that times out keeps
 * its resource, and the next run removes and waits again.
 */
import { PulumiProject } from "./support/pulumi";
import { addRoute as add, PendingMutation, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

const at = new Date().toISOString();
const scheduled = (group: string, variant: "adding" | "removing"): PendingMutation => ({
  mutation_code: "deferring_group_membership_update",
  created_at: at,
  message: "Deferred",
  acs_access_group_id: group,
  variant,
});
const pushing = (to: string | null, from: string | null = null): PendingMutation => ({
  mutation_code: "updating_group_membership",
  created_at: at,
  message: "Updating group membership",
  from: { acs_access_group_id: from },
  to: { acs_access_group_id: to },
});

function since(count: number, route?: string) {
  return fake.requests.slice(count).filter((r) => route === undefined || r.path === route);
}

test("timeouts leave the state as Seam is; changes that clear pass; the next run finishes the job", async () => {
  const ada = fake.addUser("ada");
  const grace = fake.addUser("grace");
  const lobby = fake.addGroup("lobby");
  const p = new PulumiProject("wait-for-sync", {
    env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "2" },
  });
  await p.init();
  const adaLobby = { name: "ada-lobby", acsUserId: ada, acsAccessGroupId: lobby };
  const graceLobby = { name: "grace-lobby", acsUserId: grace, acsAccessGroupId: lobby };

  // 1. The add never reaches the door: the run fails, saying what is pending, and the state has the membership.
  fake.setPendingMutations(ada, [scheduled(lobby, "adding")]);
  await p.setMemberships([adaLobby]);
  const failed = await p.up({ allowFailure: true });
  expect(failed.code).not.toBe(0);
  expect(failed.stdout + failed.stderr).toMatch(
    /Seam added the user to the group, but after 2 s \(seam:syncTimeoutSeconds\) the access system has not applied it yet: an addition to the group is scheduled for later/,
  );
  expect(fake.membersOf(lobby)).toEqual([ada]);
  const recorded = await p.memberships();
  expect(recorded.map((r) => r.id)).toEqual([`${lobby}/${ada}`]);
  expect(recorded[0]!.outputs).toMatchObject({ acsUserId: ada, acsAccessGroupId: lobby, workspaceId: fake.seed.seed_workspace_1 });
  expect(recorded[0]!.outputs.__provider).toEqual(expect.stringContaining("pulumi-seam-acs/serialized-provider"));

  // 2. Rerun: the engine updates Ada's recorded membership, which waits until her change clears
  // (two more looks); Grace's clears after three. The run passes, nothing is added twice.
  fake.setPendingMutations(ada, [scheduled(lobby, "adding")], { clearAfterPolls: 2 });
  fake.setPendingMutations(grace, [pushing(lobby)], { clearAfterPolls: 3 });
  await p.setMemberships([adaLobby, graceLobby]);
  let before = fake.requests.length;
  const rerun = await p.up();
  expect(rerun.stdout).toMatch(/ada-lobby updated/);
  expect(since(before, add).map((r) => (r.body as { acs_user_id: string }).acs_user_id)).toEqual([grace]);
  const polls = (user: string) => since(before, "/acs/users/get").filter((r) => (r.body as { acs_user_id: string }).acs_user_id === user);
  expect(polls(ada)).toHaveLength(3);
  expect(polls(grace)).toHaveLength(4);
  expect((await p.memberships()).map((r) => r.id).sort()).toEqual([`${lobby}/${ada}`, `${lobby}/${grace}`].sort());

  // 3. Ada's removal never reaches the door: the delete fails and keeps her resource; Grace's goes.
  fake.setPendingMutations(ada, [pushing(null, lobby)]);
  await p.setMemberships([]);
  before = fake.requests.length;
  const stuck = await p.up({ allowFailure: true });
  expect(stuck.code).not.toBe(0);
  expect(stuck.stdout + stuck.stderr).toMatch(/Seam removed the user from the group, but after 2 s .*Until the access system applies it the user may still get in/);
  expect(since(before, remove).map((r) => (r.body as { acs_user_id: string }).acs_user_id).sort()).toEqual([ada, grace].sort());
  expect((await p.memberships()).map((r) => r.id)).toEqual([`${lobby}/${ada}`]);

  // 4. Once it clears, destroy sends the (idempotent) remove again, waits, and lets go.
  fake.setPendingMutations(ada, []);
  before = fake.requests.length;
  await p.destroy();
  expect(since(before, remove).map((r) => (r.body as { acs_user_id: string }).acs_user_id)).toEqual([ada]);
  expect(await p.memberships()).toEqual([]);
  expect(fake.membersOf(lobby)).toEqual([]);
});

test("a create that timed out is revoked by a destroy that follows it directly", async () => {
  const alan = fake.addUser("alan");
  const lab = fake.addGroup("lab");
  const p = new PulumiProject("wait-then-destroy", {
    env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "1" },
  });
  await p.init();
  fake.setPendingMutations(alan, [pushing(lab)]);
  await p.setMemberships([{ name: "alan-lab", acsUserId: alan, acsAccessGroupId: lab }]);
  expect((await p.up({ allowFailure: true })).code).not.toBe(0);
  expect(fake.membersOf(lab)).toEqual([alan]);
  fake.setPendingMutations(alan, []);
  const before = fake.requests.length;
  await p.destroy();
  expect(since(before, remove).map((r) => (r.body as { acs_user_id: string }).acs_user_id)).toEqual([alan]);
  expect(fake.membersOf(lab)).toEqual([]);
  expect(await p.memberships()).toEqual([]);
});
