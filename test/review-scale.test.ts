/**
 * A 500-membership preview from the real engine, reviewed with names and doors: one member list and one
 * list of the workspace's groups for their names, at most one request per distinct user, however many memberships
 * share them, and for the doors one entrance list per group and people's groups from the member lists.
 */
import { Membership, PulumiProject } from "./support/pulumi";
import { runReview } from "./support/review";
import { SeamFake, startSeamFake } from "./support/seam-fake";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());

test("500 memberships (10 per person) are named and read at the door with one request per distinct user, one per group and one for the groups' names, and the doors with one entrance list per group and no list per person", async () => {
  // 500, not 1,000: the request counts do not depend on N, and a preview of N creates costs the
  // engine and the Node SDK 40–70 ms each (measured); the 10,000-change review is timed by npm run bench.
  const users = Array.from({ length: 50 }, (_, i) => fake.addUser(`user ${i}`, undefined, { email: `user${i}@example.com` }));
  const groups = Array.from({ length: 10 }, (_, i) => fake.addGroup(`door ${i}`));
  const declared: Membership[] = users.flatMap((u, i) => groups.map((g, j) => ({ name: `m-${i}-${j}`, acsUserId: u, acsAccessGroupId: g })));
  const p = new PulumiProject("review-scale", { env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  await p.init();
  await p.setMemberships(declared);
  let started = Date.now();
  const preview = await p.previewJson(["--show-sames"]);
  const previewMs = Date.now() - started;
  expect(preview.code).toBe(0);

  const before = fake.requests.length;
  started = Date.now();
  const r = await runReview(["review", "--format", "json"], { stdin: preview.stdout, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  const reviewMs = Date.now() - started;
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json.additions).toHaveLength(500);
  expect(json.removals).toEqual([]);
  expect(json.additions.every((a: { user: unknown; group: unknown }) => a.user !== null && a.group !== null)).toBe(true);
  expect(json.additions.find((a: { acsUserId: string }) => a.acsUserId === users[42]).user).toEqual({ fullName: "user 42", email: "user42@example.com" });

  const sent = fake.requests.slice(before);
  // Issue 15's bound: G member lists + the people not in them (+ one list naming the groups);
  // issue 20's doors add one entrance list per group, and people's groups per group of the
  // workspace, since the door's truth lists every group here anyway (issue 25): no list per person.
  // Nobody is in the groups yet: every gain is a real one.
  expect(json.additions.every((a: { atSeam: unknown }) => a.atSeam === false)).toBe(true);
  const asked = (route: string, key: string) => sent.filter((s) => s.path === route).map((s) => (s.body as Record<string, string>)[key]);
  expect(asked("/acs/users/get", "acs_user_id").sort()).toEqual([...users].sort());
  expect(asked("/acs/access_groups/get", "acs_access_group_id")).toEqual([]);
  // One list of the workspace's groups (names and doors share it), none per person.
  const groupLists = sent.filter((s) => s.path === "/acs/access_groups/list");
  expect(groupLists.map((s) => s.body)).toEqual([{}]);
  // Each group's entrances once; they open no entrance here, so everyone keeps the doors they had.
  expect(asked("/acs/access_groups/list_accessible_entrances", "acs_access_group_id").sort()).toEqual([...groups].sort());
  expect(json.doors.people).toHaveLength(users.length);
  expect(json.doors.people.every((d: { unchanged: boolean }) => d.unchanged)).toBe(true);
  // Each group's members once: the door's truth, the names and the doors share them; per group of
  // the workspace, also the groups the review does not touch (the fake's own seed).
  const memberLists = asked("/acs/access_groups/list_users", "acs_access_group_id");
  expect(new Set(memberLists).size).toBe(memberLists.length);
  expect(memberLists).toEqual(expect.arrayContaining(groups));
  expect(sent.length).toBe(users.length + 1 + memberLists.length + groups.length);
  console.log(`review-scale: preview of 500 creates in ${(previewMs / 1000).toFixed(1)} s; review with names in ${(reviewMs / 1000).toFixed(1)} s, ${sent.length} requests`);
}, 300_000);
