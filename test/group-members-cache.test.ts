import { GroupMembersCache } from "../src/provider/group-members-cache";

const lower = (id: string) => id.toLowerCase();

function harness(answers: Record<string, string[] | undefined | Error>, maxAgeMs = 1_000) {
  let now = 0;
  const loads: string[] = [];
  const pending: (() => void)[] = [];
  let hold = false;
  const cache = new GroupMembersCache(
    (group) => {
      loads.push(group);
      const answer = answers[group];
      const settle = () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer));
      if (!hold) return settle();
      return new Promise((resolve, reject) => pending.push(() => settle().then(resolve, reject)));
    },
    lower,
    maxAgeMs,
    () => now,
  );
  return {
    cache,
    loads,
    tick: (ms: number) => (now += ms),
    hold: (on = true) => (hold = on),
    releaseAll: () => pending.splice(0).forEach((f) => f()),
  };
}

test("one load answers every read of a group while it is fresh, and concurrent reads share it", async () => {
  const h = harness({ g1: ["u1", "U2"], g2: ["u3"] });
  h.hold();
  const reads = [h.cache.isMember("g1", "u1"), h.cache.isMember("g1", "u2"), h.cache.isMember("g1", "u3"), h.cache.isMember("g2", "u3")];
  h.releaseAll();
  h.hold(false);
  expect(await Promise.all(reads)).toEqual([true, true, false, true]);
  expect(h.loads).toEqual(["g1", "g2"]);
  h.tick(999);
  expect(await h.cache.isMember("g1", "u1")).toBe(true);
  expect(h.loads).toEqual(["g1", "g2"]);
  h.tick(1);
  await h.cache.isMember("g1", "u1");
  expect(h.loads).toEqual(["g1", "g2", "g1"]);
});

test("a list still on the way is shared however long it takes; its age counts from its answer", async () => {
  const h = harness({ g: ["u1"] });
  h.hold();
  const first = h.cache.isMember("g", "u1");
  h.tick(60_000); // a slow, rate-limited Seam
  const second = h.cache.isMember("g", "u1");
  h.releaseAll();
  h.hold(false);
  expect(await Promise.all([first, second])).toEqual([true, true]);
  expect(h.loads).toEqual(["g"]);
  h.tick(999);
  await h.cache.isMember("g", "u1");
  expect(h.loads).toEqual(["g"]);
  h.tick(1);
  await h.cache.isMember("g", "u1");
  expect(h.loads).toEqual(["g", "g"]);
});

test("a group that is gone has no members", async () => {
  const h = harness({ gone: undefined });
  expect(await h.cache.isMember("gone", "u1")).toBe(false);
  expect(await h.cache.members("gone")).toBeUndefined();
});

test("forget drops the answer, and a list still on the way is not kept", async () => {
  const answers: Record<string, string[]> = { g: ["u1"] };
  const h = harness(answers);
  expect(await h.cache.isMember("g", "u2")).toBe(false);
  answers.g = ["u1", "u2"];
  h.cache.forget("G"); // ids compare canonically
  expect(await h.cache.isMember("g", "u2")).toBe(true);
  expect(h.loads).toHaveLength(2);

  h.tick(1_000);
  h.hold();
  const before = h.cache.isMember("g", "u3");
  answers.g = ["u3"];
  h.cache.forget("g");
  h.releaseAll();
  await before;
  h.releaseAll();
  const after = h.cache.isMember("g", "u3");
  h.releaseAll();
  expect(await after).toBe(true);
  expect(h.loads).toHaveLength(4);
});

test("a failed load is not kept: the next read asks again", async () => {
  const answers: Record<string, string[] | Error> = { g: new Error("Seam is down") };
  const h = harness(answers);
  await expect(h.cache.isMember("g", "u1")).rejects.toThrow("Seam is down");
  answers.g = ["u1"];
  expect(await h.cache.isMember("g", "u1")).toBe(true);
  expect(h.loads).toEqual(["g", "g"]);
});
