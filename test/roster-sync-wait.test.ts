/**
 * seam:waitForSync for a roster, against Seam's fake with pending mutations set by the test: all
 * of a roster's changes are waited for together, one read of the group's members per look (each
 * member carries its `pending_mutations`), plus one read per removed member; a timeout still
 * hands the members in place to the state.
 */
import { MembershipProvider } from "../src/provider/membership-provider";
import { CreatedButFailedError, SyncTimeoutError } from "../src/provider/sync-wait";
import { PendingMutation, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
const providers: MembershipProvider[] = [];
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await fake.stop();
});

function provider(env: NodeJS.ProcessEnv = {}) {
  const p = new MembershipProvider({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url, ...env });
  providers.push(p);
  return p;
}

const pushing = (to: string): PendingMutation => ({
  mutation_code: "updating_group_membership",
  created_at: new Date().toISOString(),
  message: "Updating group membership",
  from: { acs_access_group_id: null },
  to: { acs_access_group_id: to },
});

function pathsSince(since: number) {
  return fake.requests.slice(since).map((r) => r.path);
}

test("create waits for every added member together: one group read per look, no read per member", async () => {
  const users = Array.from({ length: 5 }, (_, i) => fake.addUser(`sync ${i}`));
  const group = fake.addGroup("sync");
  // Two members are still pending on the first look, and clear after it.
  for (const u of users.slice(0, 2)) fake.setPendingMutations(u, [pushing(group)]);
  const p = provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "30" });
  const before = fake.requests.length;
  const created = p.create({ acsAccessGroupId: group, members: users, __provider: "code" });
  // Clear the pending changes once the first look has seen them.
  const answeredLooks = () => fake.requests.slice(before).filter((r) => r.path === "/acs/access_groups/list_users" && r.status !== undefined).length;
  for (let i = 0; i < 400 && answeredLooks() < 2; i++) await new Promise((r) => setTimeout(r, 10));
  for (const u of users.slice(0, 2)) fake.setPendingMutations(u, []);
  const result = await created;
  expect((result.outs as Record<string, unknown>).members).toEqual([...users].sort());
  const paths = pathsSince(before);
  expect(paths.filter((r) => r === "/acs/users/add_to_access_group")).toHaveLength(5);
  expect(paths.filter((r) => r === "/acs/users/get")).toEqual([]);
  // One read before the adds, then at least two looks at the group.
  expect(paths.filter((r) => r === "/acs/access_groups/list_users").length).toBeGreaterThanOrEqual(3);
});

test("a timeout fails the create but hands exactly the members in place to the state", async () => {
  const users = Array.from({ length: 3 }, (_, i) => fake.addUser(`stuck ${i}`));
  const group = fake.addGroup("stuck");
  fake.setPendingMutations(users[1]!, [pushing(group)]);
  const p = provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "1" });
  const error = await p.create({ acsAccessGroupId: group, members: users, __provider: "code" }).catch((e) => e);
  expect(error).toBeInstanceOf(CreatedButFailedError);
  expect(error.message).toMatch(/has not applied 1 of them yet: acs_user_id=.*Seam is still pushing a group membership change/);
  expect(error.properties).toEqual({ acsAccessGroupId: group, members: [...users].sort(), workspaceId: expect.any(String), __provider: "code" });
});

test("delete waits for removed members, who are no longer in the group's list, with one user read each", async () => {
  const users = Array.from({ length: 2 }, (_, i) => fake.addUser(`leaving ${i}`));
  const group = fake.addGroup("leaving");
  const { id, outs } = await provider().create({ acsAccessGroupId: group, members: users, __provider: "code" });
  fake.setPendingMutations(users[0]!, [pushing(group)]);
  // The delete comes from a later run's provider, as the engine runs it: within one run, a roster
  // created there holds its members, and its delete would be the old half of a replacement.
  const p = provider({ SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "1" });
  const before = fake.requests.length;
  const error = await p.delete(id, outs as Record<string, unknown>).catch((e) => e);
  expect(error).toBeInstanceOf(SyncTimeoutError);
  expect(fake.membersOf(group)).toEqual([]);
  expect(pathsSince(before).filter((r) => r === "/acs/users/get").length).toBeGreaterThanOrEqual(2);
});
