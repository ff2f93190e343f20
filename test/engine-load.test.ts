/**
 * Load: 200 memberships in one `pulumi up` at the engine's default parallelism (25 times its 8
 * steps at once; the figures at campus scale are in `npm run bench`), with random
 * 429s and 503s injected (15% of requests), must converge to exactly the declared set. Prints time and request
 * counts (figures to watch, not asserted limits).
 */
import { Membership, PulumiProject } from "./support/pulumi";
import { addRoute as add, removeRoute as remove, SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

test("200 memberships with random 429s and 503s converge to exactly the declared set", async () => {
  const users = Array.from({ length: 20 }, (_, i) => fake.addUser(`user ${i}`));
  const groups = Array.from({ length: 10 }, (_, i) => fake.addGroup(`group ${i}`));
  const declared: Membership[] = users.flatMap((u, i) => groups.map((g, j) => ({ name: `m-${i}-${j}`, acsUserId: u, acsAccessGroupId: g })));
  expect(declared).toHaveLength(200);

  const p = new PulumiProject("load", { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  await p.init();
  await p.setMemberships(declared);
  // A third of the faults are 429s: each pauses the whole deployment for its Retry-After by design
  // (see engine-scale.test.ts for a real rate limit), so random ones cost wall time, not coverage.
  const faults = [
    { kind: "status", status: 429, retryAfter: "1" },
    { kind: "status", status: 503 },
    { kind: "status", status: 503 },
  ] as const;
  const before = fake.requests.length;
  let started = Date.now();
  await fake.duringOutage(add, [...faults], { fraction: 0.15 }, () => p.up());
  const upMs = Date.now() - started;
  const upLog = fake.requests.slice(before).filter((r) => r.path === add);

  for (const g of groups) {
    const expected = declared.filter((m) => m.acsAccessGroupId === g).map((m) => m.acsUserId).sort();
    expect(fake.membersOf(g).sort()).toEqual(expected);
    // Exactly once each: the fake would store a repeated add twice.
    expect(fake.storedMembersOf(g)).toHaveLength(expected.length);
  }
  expect((await p.memberships())).toHaveLength(200);

  const mid = fake.requests.length;
  started = Date.now();
  await fake.duringOutage(remove, [...faults], { fraction: 0.15 }, () => p.destroy());
  const destroyMs = Date.now() - started;
  const destroyLog = fake.requests.slice(mid).filter((r) => r.path === remove);
  for (const g of groups) expect(fake.membersOf(g)).toEqual([]);

  const faulted = (log: typeof upLog) => log.filter((r) => r.fault).length;
  console.log(
    [
      `load: up of 200 memberships in ${(upMs / 1000).toFixed(1)} s: ${upLog.length} add requests, ${faulted(upLog)} answered 429/503`,
      `load: destroy in ${(destroyMs / 1000).toFixed(1)} s: ${destroyLog.length} remove requests, ${faulted(destroyLog)} answered 429/503`,
    ].join("\n"),
  );
  expect(upLog.length - faulted(upLog)).toBe(200);
  expect(destroyLog.length - faulted(destroyLog)).toBe(200);
}, 900_000);
