import { SeamClient } from "../src/seam/client";
import { SeamApiError } from "../src/seam/errors";
import { addRoute, SeamFake, startSeamFake } from "./support/seam-fake";
import { fakeSettings } from "./support/settings";

let fake: SeamFake;
let client: SeamClient;
beforeAll(async () => {
  fake = await startSeamFake();
  client = new SeamClient(fakeSettings(fake));
});
afterAll(async () => {
  await client.close();
  await fake.stop();
});

test("add and remove change the group's members, one request each, with the auth header", async () => {
  const acsUserId = fake.addUser("Ada Lovelace");
  const acsAccessGroupId = fake.addGroup("Lobby");
  const before = fake.requests.length;

  await client.addUserToAccessGroup({ acsUserId, acsAccessGroupId });
  expect(fake.membersOf(acsAccessGroupId)).toEqual([acsUserId]);
  await client.removeUserFromAccessGroup({ acsUserId, acsAccessGroupId });
  expect(fake.membersOf(acsAccessGroupId)).toEqual([]);

  const sent = fake.requests.slice(before);
  expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
    "POST /acs/users/add_to_access_group",
    "POST /acs/users/remove_from_access_group",
  ]);
  for (const r of sent) {
    expect(r.body).toEqual({ acs_user_id: acsUserId, acs_access_group_id: acsAccessGroupId });
    expect(r.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(r.headers["seam-workspace"]).toBeUndefined();
    expect(r.status).toBe(200);
  }
});

test("isMember follows the group's members, and a missing user or group is not a member", async () => {
  const acsUserId = fake.addUser("Grace Hopper");
  const acsAccessGroupId = fake.addGroup("Roof");
  const otherGroup = fake.addGroup("Cellar");
  expect(await client.isMember({ acsUserId, acsAccessGroupId })).toBe(false);
  await client.addUserToAccessGroup({ acsUserId, acsAccessGroupId });
  expect(await client.isMember({ acsUserId, acsAccessGroupId })).toBe(true);
  expect(await client.isMember({ acsUserId, acsAccessGroupId: otherGroup })).toBe(false);
  fake.deleteGroup(acsAccessGroupId);
  expect(await client.isMember({ acsUserId, acsAccessGroupId })).toBe(false);
  fake.deleteUser(acsUserId);
  expect(await client.isMember({ acsUserId, acsAccessGroupId: otherGroup })).toBe(false);
});

test("a Seam error names the operation, both ids, status, type, message and request id, and no token", async () => {
  const acsAccessGroupId = fake.addGroup("Garage");
  const error = await client.addUserToAccessGroup({ acsUserId: "no_such_user", acsAccessGroupId }).catch((e) => e);
  expect(error).toBeInstanceOf(SeamApiError);
  expect(error.status).toBe(404);
  expect(error.type).toBe("acs_user_not_found");
  expect(error.isNotFound).toBe(true);
  const requestId = fake.requestsTo("/acs/users/add_to_access_group").at(-1)!;
  expect(error.message).toContain("Adding the user to the access group failed");
  expect(error.message).toContain("acs_user_id=no_such_user");
  expect(error.message).toContain(`acs_access_group_id=${acsAccessGroupId}`);
  expect(error.message).toContain("HTTP 404 acs_user_not_found: Access control user not found");
  expect(error.message).toContain("there is no ACS user with acs_user_id=no_such_user in this workspace");
  expect(error.message).toMatch(/seam-request-id: request\d+/);
  expect(error.message).toContain("1 attempt");
  expect(requestId.status).toBe(404);
  expect(error.message).not.toContain(fake.apiKey);
  expect(String(error.stack)).not.toContain(fake.apiKey);
});

test("a 2xx that is not Seam's JSON is a failure, not a success, and is not retried", async () => {
  const acsUserId = fake.addUser("Joan");
  const acsAccessGroupId = fake.addGroup("Vault");
  fake.injectFaults(addRoute, [{ kind: "status", status: 200, body: "<html>Sign in to the proxy</html>" }]);
  const error = await client.addUserToAccessGroup({ acsUserId, acsAccessGroupId }).catch((e) => e);
  expect(error).toBeInstanceOf(SeamApiError);
  expect(error.message).toMatch(/HTTP 200: the answer is not Seam's JSON/);
  expect(error.attempts).toBe(1);
  expect(fake.membersOf(acsAccessGroupId)).toEqual([]);
});

test("a Seam error message that quotes the token is redacted", async () => {
  const body = JSON.stringify({ error: { type: "invalid_input", message: `key ${fake.apiKey} is not allowed here` } });
  fake.injectFaults(addRoute, [{ kind: "status", status: 400, body }]);
  const error = await client.addUserToAccessGroup({ acsUserId: "u", acsAccessGroupId: "g" }).catch((e) => e);
  expect(error.message).toContain("HTTP 400 invalid_input: key [redacted] is not allowed here");
  expect(error.message).not.toContain(fake.apiKey);
});

test("a bad key is a 401 that is not retried and whose message holds no token", async () => {
  const bad = new SeamClient({ ...fakeSettings(fake), auth: { mode: "apiKey", token: "seam_wrongkey_123", source: "environment" } });
  const before = fake.requestsTo("/acs/users/add_to_access_group").length;
  const error = await bad.addUserToAccessGroup({ acsUserId: "u", acsAccessGroupId: "g" }).catch((e) => e);
  await bad.close();
  expect(error).toBeInstanceOf(SeamApiError);
  expect(error.status).toBe(401);
  expect(fake.requestsTo("/acs/users/add_to_access_group").length - before).toBe(1);
  expect(error.message).not.toContain("seam_wrongkey_123");
});

test("reads: a user's name and email, a group's name and members; a missing one is undefined, not an error", async () => {
  const acsUserId = fake.addUser("Katherine Johnson");
  const acsAccessGroupId = fake.addGroup("Observatory");
  await client.addUserToAccessGroup({ acsUserId, acsAccessGroupId });

  const user = await client.getAcsUser(acsUserId);
  expect(user).toMatchObject({ acsUserId, fullName: "Katherine Johnson", pendingMutations: [] });
  expect(user!.email).toMatch(/@/);
  expect(await client.getAccessGroup(acsAccessGroupId)).toEqual({ acsAccessGroupId, name: "Observatory", acsSystemId: fake.seed.visionline_acs_system_1 });
  expect(await client.listAccessGroupUsers(acsAccessGroupId)).toEqual([acsUserId]);
  // Unfiltered, /acs/access_groups/list gives every group of the workspace, names included.
  expect(await client.listAccessGroups()).toContainEqual({ acsAccessGroupId, name: "Observatory", acsSystemId: fake.seed.visionline_acs_system_1 });
  // The member list carries each acs_user whole: names and pending_mutations, as /acs/users/get does.
  const stuck = { mutation_code: "deferring_group_membership_update", acs_access_group_id: acsAccessGroupId, variant: "adding", created_at: "2026-11-30T10:00:00.000Z", message: "Waiting" };
  fake.setPendingMutations(acsUserId, [stuck]);
  expect(await client.listAccessGroupMembers(acsAccessGroupId)).toEqual([{ ...user, pendingMutations: [stuck] }]);
  expect(await client.listAccessGroupMembers("no_such_group")).toBeUndefined();
  expect((await client.listAcsUsers({ search: "Katherine" })).map((u) => u.acsUserId)).toContain(acsUserId);

  expect(await client.getAcsUser("no_such_user")).toBeUndefined();
  expect(await client.getAccessGroup("no_such_group")).toBeUndefined();
  expect(await client.listAccessGroupUsers("no_such_group")).toBeUndefined();
  fake.deleteGroup(acsAccessGroupId);
  expect(await client.listAccessGroupUsers(acsAccessGroupId)).toBeUndefined();
});

test("a list of a group's members that says it has more pages is refused, never read as complete", async () => {
  const group = fake.addGroup("Paged");
  const route = "/acs/access_groups/list_users";
  fake.injectFaults(route, [{ kind: "status", status: 200, body: JSON.stringify({ acs_users: [], pagination: { has_next_page: true, next_page_cursor: "c2" }, ok: true }) }]);
  await expect(client.listAccessGroupUsers(group)).rejects.toThrow(/one page of several.*will not conclude that anyone left the group/);
});

test.each([1, 3, 5])("seam:operationTimeoutSeconds of %i s (the low end of its range) still sends and lands a request", async (seconds) => {
  // Measured before: at 5 s or less, no place in the request budget was ever taken (the 5 s
  // attempt window reached back past the start), so nothing was sent at all.
  const short = new SeamClient(fakeSettings(fake, { operationTimeoutMs: seconds * 1_000, requestTimeoutMs: 30_000 }));
  try {
    const ids = { acsUserId: fake.addUser(`Short ${seconds}`), acsAccessGroupId: fake.addGroup(`Short ${seconds}`) };
    await short.addUserToAccessGroup(ids);
    expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
  } finally {
    await short.close();
  }
});
