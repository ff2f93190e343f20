import { namesSettings, namesTimeoutMs, readFromSeam } from "../src/review/names";

const key = { SEAM_API_KEY: "seam_live_abc123" };

test("names give up after 30 s by default, not after a provider operation's 300 s", () => {
  expect(namesSettings(key).retry.operationTimeoutMs).toBe(namesTimeoutMs);
  expect(namesTimeoutMs).toBe(30_000);
});

test("an operation timeout the user sets is kept, longer or shorter", () => {
  expect(namesSettings({ ...key, SEAM_OPERATION_TIMEOUT_SECONDS: "120" }).retry.operationTimeoutMs).toBe(120_000);
  expect(namesSettings({ ...key, SEAM_OPERATION_TIMEOUT_SECONDS: "5" }).retry.operationTimeoutMs).toBe(5_000);
});

test("everything else is the provider's settings, errors included", () => {
  const s = namesSettings({ ...key, SEAM_MAX_CONCURRENT_REQUESTS: "3", SEAM_ENDPOINT: "http://127.0.0.1:9" });
  expect(s).toMatchObject({ endpoint: "http://127.0.0.1:9", maxConcurrentRequests: 3, auth: { mode: "apiKey", source: "environment" } });
  expect(() => namesSettings({})).toThrow(/No Seam credentials/);
});

describe("names from the member lists of the affected groups", () => {
  const user = (id: string) => ({ acsUserId: id, fullName: `name of ${id}`, email: `${id}@example.com`, pendingMutations: [] });
  function reader(groups: Record<string, string[]>, failing: string[] = []) {
    const calls: string[] = [];
    return {
      calls,
      getAcsUser: async (id: string) => (calls.push(`user ${id}`), id === "gone" ? undefined : user(id)),
      getAccessGroup: async (id: string) => (calls.push(`group ${id}`), { acsAccessGroupId: id, name: `door ${id}` }),
      listAccessGroupMembers: async (id: string) => {
        calls.push(`list ${id}`);
        if (failing.includes(id)) throw new Error("list failed");
        return groups[id]?.map(user);
      },
    };
  }

  test("one list per affected group names its members; one read per person in no list, one read per group name", async () => {
    const r = reader({ g1: ["u1", "u2", "u3", "other"], g2: ["u4"] });
    const { names, warning, door } = await readFromSeam(r, ["u1", "u2", "u3", "u4", "u5", "gone"], ["g1", "g2"], ["g1", "g2", "g1"]);
    expect(warning).toBeUndefined();
    expect(r.calls.sort()).toEqual(["group g1", "group g2", "list g1", "list g2", "user gone", "user u5"].sort());
    expect(names.user("u2")).toEqual({ fullName: "name of u2", email: "u2@example.com" });
    expect(names.user("u5")).toEqual({ fullName: "name of u5", email: "u5@example.com" });
    expect(names.user("gone")).toBe("missing");
    expect(names.group("g1")).toEqual({ name: "door g1" });
    expect(door?.isMember({ acsUserId: "u4", acsAccessGroupId: "g2" })).toBe(true);
    expect(door?.isMember({ acsUserId: "u5", acsAccessGroupId: "g1" })).toBe(false);
  });

  test("several groups are named from one list of the workspace's access groups; a group it lacks is read on its own", async () => {
    const lobby = "0b9c4f4e-5c43-4b7e-9f0a-1c2d3e4f5a6b";
    const r = {
      ...reader({ [lobby]: ["u1"], g2: ["u2"] }),
      listAccessGroups: async () => (r.calls.push("groups"), [{ acsAccessGroupId: lobby.toUpperCase(), name: "lobby" }, { acsAccessGroupId: "g2", name: "lab" }, { acsAccessGroupId: "g9", name: "other" }]),
    };
    const { names, warning } = await readFromSeam(r, ["u1", "u2"], [lobby, "g2", "g3"], [lobby, "g2"]);
    expect(warning).toBeUndefined();
    // Seam lists the lobby's UUID in capitals: ids compare as the provider compares them.
    expect(r.calls.sort()).toEqual(["group g3", "groups", `list ${lobby}`, "list g2"]);
    expect([names.group(lobby), names.group("g2"), names.group("g3"), names.group("g9")]).toEqual([{ name: "lobby" }, { name: "lab" }, { name: "door g3" }, undefined]);
  });

  test("when the list of groups fails, each group is read on its own", async () => {
    const r = { ...reader({}), listAccessGroups: async () => (r.calls.push("groups"), Promise.reject(new Error("down"))) };
    const { names, warning } = await readFromSeam(r, [], ["g1", "g2"], []);
    expect(warning).toBeUndefined();
    expect(r.calls.sort()).toEqual(["group g1", "group g2", "groups"]);
    expect(names.group("g2")).toEqual({ name: "door g2" });
  });

  test("one group is read on its own, not by listing the workspace", async () => {
    const r = { ...reader({}), listAccessGroups: async () => (r.calls.push("groups"), []) };
    await readFromSeam(r, [], ["g1"], []);
    expect(r.calls).toEqual(["group g1"]);
  });

  test("a list that fails is no failure of the names: its people are read one by one, and the door is not known", async () => {
    const r = reader({ g1: ["u1", "u2"] }, ["g1"]);
    const { names, warning, door } = await readFromSeam(r, ["u1", "u2"], ["g1"], ["g1"]);
    expect(warning).toMatch(/members of 1 of 1 access groups could not be read/);
    expect(r.calls.sort()).toEqual(["group g1", "list g1", "user u1", "user u2"]);
    expect(names.user("u1")).toEqual({ fullName: "name of u1", email: "u1@example.com" });
    expect(door?.isMember({ acsUserId: "u1", acsAccessGroupId: "g1" })).toBeNull();
  });
});
