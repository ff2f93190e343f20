/**
 * `pulumi-seam-acs audit` per door and per person (the packed package's bin against the local
 * Seam): who can open an entrance and through which group, which of those pairs a stack
 * declares; everything one person can open across two access systems through their user
 * identity, by email and by acs_user id; `--doors` on the findings; a group whose door set is
 * changing; only reads, and the requests counted.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runReview as runBin } from "./support/review";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
let dir: string;
type Key = "server" | "lobbyDoor" | "gate" | "ops" | "it" | "lobby" | "garage" | "ada" | "adaGarage" | "grace";
const ids = {} as Record<Key, string>;
const membership = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";
const urn = (name: string) => `urn:pulumi:prod::doors::${membership}::${name}`;
const env = () => ({ SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url });
const audit = (args: string[]) => runBin(["audit", ...args], { env: env() });

beforeAll(async () => {
  fake = await startSeamFake();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-doors-"));
  const garageSite = fake.addAcsSystem("Garage site");
  ids.server = fake.addEntrance("Server room");
  ids.lobbyDoor = fake.addEntrance("Lobby door");
  ids.gate = fake.addEntrance("Garage gate", garageSite);
  ids.ops = fake.addGroup("Ops");
  ids.it = fake.addGroup("IT");
  ids.lobby = fake.addGroup("Lobby");
  ids.garage = fake.addGroup("Garage", undefined, garageSite);
  fake.setGroupEntrances(ids.ops, [ids.server, ids.lobbyDoor]);
  fake.setGroupEntrances(ids.it, [ids.server]);
  fake.setGroupEntrances(ids.lobby, [ids.lobbyDoor]);
  fake.setGroupEntrances(ids.garage, [ids.gate]);
  ids.ada = fake.addUser("Ada Lovelace", undefined, { email: "ada@example.com" });
  ids.adaGarage = fake.addUser("Ada L.", undefined, { acsSystemId: garageSite });
  ids.grace = fake.addUser("Grace Hopper", undefined, { email: "grace@example.com" });
  fake.addUserIdentity({ email: "ada@example.com", fullName: "Ada Lovelace" }, [ids.ada, ids.adaGarage]);
  fake.grantOutOfBand(ids.ada, ids.ops);
  fake.grantOutOfBand(ids.ada, ids.it);
  fake.grantOutOfBand(ids.adaGarage, ids.garage);
  fake.grantOutOfBand(ids.grace, ids.it);
  fake.grantOutOfBand(ids.grace, ids.lobby);
  // The stack declares Ada's Ops membership and Grace's Lobby one.
  const resources = [
    { urn: "urn:pulumi:prod::doors::pulumi:pulumi:Stack::doors-prod", type: "pulumi:pulumi:Stack" },
    { urn: urn("ada-ops"), type: membership, id: `${ids.ops}/${ids.ada}`, outputs: { acsUserId: ids.ada, acsAccessGroupId: ids.ops } },
    { urn: urn("grace-lobby"), type: membership, id: `${ids.lobby}/${ids.grace}`, outputs: { acsUserId: ids.grace, acsAccessGroupId: ids.lobby } },
  ];
  fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify({ version: 3, deployment: { resources } }));
});

afterAll(async () => {
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const reads = (from: number) => fake.requests.slice(from);

test("who can open the server room: each person with the groups that let them, and which of those the stack declares", async () => {
  const before = fake.requests.length;
  const r = await audit(["--entrance", "server ROOM", "--state", path.join(dir, "prod.json"), "--format", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const [server] = JSON.parse(r.stdout).entrances;
  expect(server.acsEntranceId).toBe(ids.server);
  expect(server.holders).toEqual([
    {
      acsUserId: ids.ada,
      user: { fullName: "Ada Lovelace", email: "ada@example.com" },
      groups: [
        { acsAccessGroupId: ids.it, name: "IT", declaredBy: [] },
        { acsAccessGroupId: ids.ops, name: "Ops", declaredBy: [urn("ada-ops")] },
      ],
    },
    { acsUserId: ids.grace, user: { fullName: "Grace Hopper", email: "grace@example.com" }, groups: [{ acsAccessGroupId: ids.it, name: "IT", declaredBy: [] }] },
  ]);
  expect(server.unsure).toEqual([]);
  const sent = reads(before);
  expect(sent.every((x) => !/add|remove|create|update|delete/.test(x.path))).toBe(true);
  // Bounded: the entrance (by name: the list), one group list, one entrance list per group of its
  // system (workspace 1 has this file's groups and no others in it), one member list per opening group.
  const count = (route: string) => sent.filter((x) => x.path === route).length;
  expect(count("/acs/access_groups/list")).toBe(1);
  expect(count("/acs/access_groups/list_users")).toBe(2);
  const groupsOfSystem = fake.snapshot().groups.length - 1; // every group but Garage is in the server room's system
  expect(count("/acs/access_groups/list_accessible_entrances")).toBe(groupsOfSystem);
  // Text: the group that grants it, and the declaration.
  const text = await audit(["--entrance", ids.server, "--state", path.join(dir, "prod.json")]);
  expect(text.stdout).toContain("Who can open Server room");
  expect(text.stdout).toContain("  Ada Lovelace (ada@example.com) — through IT, declared by no given stack; Ops, declared by doors/prod: ada-ops");
});

test("everything Ada can open, across two access systems through her user identity, by email and by acs_user id", async () => {
  const before = fake.requests.length;
  const r = await audit(["--person", "ada@example.com", "--format", "json"]);
  expect(r.code).toBe(0);
  const [ada] = JSON.parse(r.stdout).people;
  expect(ada.acsUsers.map((u: { acsUserId: string }) => u.acsUserId).sort()).toEqual([ids.ada, ids.adaGarage].sort());
  const grants = ada.grants.map((g: { name: string; acsUserId: string; groups: { name: string; declaredBy: null }[] }) => [g.name, g.acsUserId, g.groups.map((x) => x.name)]);
  expect(grants).toEqual([
    ["Garage gate", ids.adaGarage, ["Garage"]],
    ["Lobby door", ids.ada, ["Ops"]],
    ["Server room", ids.ada, ["IT", "Ops"]],
  ]);
  expect(ada.grants[0].groups[0].declaredBy).toBeNull();
  const sent = reads(before);
  expect(sent.every((x) => !/add|remove|create|update|delete|add_user/.test(x.path))).toBe(true);
  expect(sent.filter((x) => x.path === "/acs/access_groups/list").length).toBe(2); // one per ACS user
  expect(sent.filter((x) => x.path === "/acs/access_groups/list_accessible_entrances").length).toBe(3); // Ops, IT, Garage once each
  const byId = await audit(["--person", ids.adaGarage, "--format", "json"]);
  expect(JSON.parse(byId.stdout).people[0].grants.map((g: { name: string }) => g.name)).toEqual(["Garage gate", "Lobby door", "Server room"]);
  const missing = await audit(["--person", "nobody@example.com"]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('No ACS user or user identity at Seam matches "nobody@example.com"');
});

test("findings with --doors name the doors they concern; a group whose door set is changing is said so", async () => {
  fake.setGroupPendingMutations(ids.lobby, [{ mutation_code: "updating_entrance_membership", created_at: new Date().toISOString(), message: "m", from: { acs_entrance_id: null }, to: { acs_entrance_id: null } }]);
  fake.grantOutOfBand(ids.grace, ids.ops);
  fake.removeOutOfBand(ids.grace, ids.lobby);
  try {
    const r = await audit(["--state", path.join(dir, "prod.json"), "--doors", "--format", "json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.unmanaged).toEqual([
      expect.objectContaining({ acsUserId: ids.grace, acsAccessGroupId: ids.ops, entrances: [{ acsEntranceId: ids.server, name: "Server room" }, { acsEntranceId: ids.lobbyDoor, name: "Lobby door" }] }),
    ]);
    expect(json.missing).toEqual([expect.objectContaining({ acsUserId: ids.grace, acsAccessGroupId: ids.lobby, entrances: null, doorsUnknown: "changing" })]);
    const text = await audit(["--state", path.join(dir, "prod.json"), "--doors"]);
    expect(text.stdout).toContain("Grace Hopper (grace@example.com) — Ops — doors: Server room, Lobby door");
    expect(text.stdout).toContain("doors: Seam cannot say (its door set is changing: updating_entrance_membership)");
    const who = await audit(["--entrance", "Lobby door"]);
    expect(who.stdout).toContain("Seam cannot say whether Lobby opens it (its door set is changing: updating_entrance_membership)");
  } finally {
    fake.setGroupPendingMutations(ids.lobby, []);
    fake.removeOutOfBand(ids.grace, ids.ops);
    fake.grantOutOfBand(ids.grace, ids.lobby);
  }
});

test("usage: --entrance with --fail-on is refused (exit 2)", async () => {
  expect((await audit(["--entrance", "x", "--fail-on", "all"])).code).toBe(2);
});
