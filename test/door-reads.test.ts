/**
 * The read routes of the review and the audit in doors, through the one client against the local
 * Seam (src/dev-seam), whose records are checked against Seam's published schema (test/support/seam-seam.fake.ts):
 * a group's entrances, entrances, user identities and their ACS users in two access systems, a
 * group's `updating_entrance_membership`. Every request is a read.
 */
import { useFakeClient } from "./support/settings";

const seam = useFakeClient();

test("a group's entrances, an entrance, the entrances of the workspace; a gone group is undefined", async () => {
  const lobby = seam.fake.addEntrance("Lobby door");
  const garage = seam.fake.addEntrance("Garage gate");
  const staff = seam.fake.addGroup("Staff");
  const empty = seam.fake.addGroup("Empty");
  seam.fake.setGroupEntrances(staff, [lobby, garage]);
  const system = seam.fake.seed.visionline_acs_system_1;
  expect(await seam.client.listAccessibleEntrances(staff)).toEqual([
    { acsEntranceId: lobby, name: "Lobby door", acsSystemId: system },
    { acsEntranceId: garage, name: "Garage gate", acsSystemId: system },
  ]);
  expect(await seam.client.listAccessibleEntrances(empty)).toEqual([]);
  expect(await seam.client.getEntrance(garage)).toEqual({ acsEntranceId: garage, name: "Garage gate", acsSystemId: system });
  expect(await seam.client.getEntrance("no_such_entrance")).toBeUndefined();
  expect((await seam.client.listEntrances()).map((e) => e.acsEntranceId)).toEqual(expect.arrayContaining([lobby, garage]));
  seam.fake.deleteGroup(empty);
  expect(await seam.client.listAccessibleEntrances(empty)).toBeUndefined();
  expect(seam.fake.requests.every((r) => r.method === "POST" && !/add|remove|create|update|delete/.test(r.path))).toBe(true);
});

test("a group whose door set is changing says so in its pending_mutations", async () => {
  const g = seam.fake.addGroup("Vault");
  const door = seam.fake.addEntrance("Vault door");
  seam.fake.setGroupPendingMutations(g, [
    { mutation_code: "updating_entrance_membership", created_at: new Date().toISOString(), message: "moving", from: { acs_entrance_id: null }, to: { acs_entrance_id: door } },
  ]);
  const listed = (await seam.client.listAccessGroups()).find((x) => x.acsAccessGroupId === g);
  expect(listed?.pendingMutations?.map((m) => m.mutation_code)).toEqual(["updating_entrance_membership"]);
});

test("a user identity with ACS users in two access systems: get, search by email, its ACS users, its groups", async () => {
  const other = seam.fake.addAcsSystem("Garage site");
  const a1 = seam.fake.addUser("Ada Lovelace", undefined, { email: "ada@example.com" });
  const a2 = seam.fake.addUser("Ada L.", undefined, { acsSystemId: other });
  const g1 = seam.fake.addGroup("Office");
  const g2 = seam.fake.addGroup("Garage", undefined, other);
  seam.fake.grantOutOfBand(a1, g1);
  seam.fake.grantOutOfBand(a2, g2);
  const id = seam.fake.addUserIdentity({ email: "ada@example.com", fullName: "Ada Lovelace" }, [a1, a2]);
  expect(await seam.client.getUserIdentity(id)).toEqual({ userIdentityId: id, email: "ada@example.com", fullName: "Ada Lovelace", acsUserIds: [a1, a2] });
  expect((await seam.client.listUserIdentities("ada@example.com")).map((u) => u.userIdentityId)).toEqual([id]);
  const users = await seam.client.listUserIdentityAcsUsers(id);
  expect(users?.map((u) => [u.acsUserId, u.acsSystemId, u.userIdentityId])).toEqual([
    [a1, seam.fake.seed.visionline_acs_system_1, id],
    [a2, other, id],
  ]);
  expect((await seam.client.listAccessGroups({ userIdentityId: id })).map((g) => g.acsAccessGroupId).sort()).toEqual([g1, g2].sort());
  expect((await seam.client.listAccessGroups({ acsUserId: a2 })).map((g) => g.name)).toEqual(["Garage"]);
  expect(await seam.client.getUserIdentity("no_such_identity")).toBeUndefined();
});
