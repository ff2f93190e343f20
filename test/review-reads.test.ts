/**
 * The review's reads, counted per route (issue 25): names, the door's truth and the doors share
 * one reader, so the workspace's group list is read once, each group's members once and each
 * group's entrances once, and people's groups are read per person or per group, whichever adds
 * fewer requests once what the review reads anyway is counted. At 2 and at 100 groups, in both
 * modes; the 1,000-group figure is `npm run bench` (docs/benchmark.md).
 */
import { SeamClient } from "../src/seam/client";
import { namesFromSeam } from "../src/review/names";
import { personChanges } from "../src/review/doors";
import { SeamFake, startSeamFake } from "./support/seam-fake";

interface Shape {
  /** Groups in the workspace besides the ones the review touches. */
  readonly otherGroups: number;
  /** Groups the review removes people from. */
  readonly groups: number;
  /** People in every one of those groups, each removed from all of them. */
  readonly people: number;
}

/** A fresh workspace of the shape, the review of removing every pair of it, and its requests by route. */
async function review(shape: Shape) {
  const fake: SeamFake = await startSeamFake();
  try {
    const seeded = await workspaceGroups(fake);
    for (let i = 0; i < shape.otherGroups; i++) fake.addGroup(`other ${i}`);
    const groups = Array.from({ length: shape.groups }, (_, i) => fake.addGroup(`door ${i}`));
    const people = Array.from({ length: shape.people }, (_, i) => fake.addUser(`person ${i}`));
    for (const u of people) for (const g of groups) fake.grantOutOfBand(u, g);
    const removals = people.flatMap((acsUserId) => groups.map((acsAccessGroupId) => ({ acsUserId, acsAccessGroupId })));
    const before = fake.requests.length;
    const read = await namesFromSeam(
      { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url },
      removals.map((r) => r.acsUserId),
      removals.map((r) => r.acsAccessGroupId),
      removals.map((r) => r.acsAccessGroupId),
      undefined,
      personChanges(removals, []),
    );
    const sent = fake.requests.slice(before);
    const byRoute: Record<string, number> = {};
    for (const r of sent) {
      const key = r.path === "/acs/access_groups/list" && "acs_user_id" in (r.body as object) ? "list by person" : r.path.replace("/acs/", "");
      byRoute[key] = (byRoute[key] ?? 0) + 1;
    }
    // Each group's members and entrances once: no body asked twice.
    const bodies = sent.map((r) => `${r.path} ${JSON.stringify(r.body)}`);
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(read.warning).toBeUndefined();
    expect(read.doors!.people).toHaveLength(shape.people);
    expect(read.doors!.people.every((p) => p.undetermined.length === 0)).toBe(true);
    return { byRoute, by: read.doors!.membershipBy, workspace: seeded + shape.otherGroups + shape.groups };
  } finally {
    await fake.stop();
  }
}

async function workspaceGroups(fake: SeamFake): Promise<number> {
  const client = new SeamClient({
    endpoint: fake.url,
    auth: { mode: "apiKey", token: fake.apiKey, source: "environment" },
    retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 5_000, operationTimeoutMs: 10_000 },
    maxConcurrentRequests: 8,
    sync: { waitForSync: false, timeoutMs: 1_000 },
  });
  try {
    return (await client.listAccessGroups()).length;
  } finally {
    await client.close();
  }
}

test("2 groups, 3 people: per group, since the door's truth lists both groups anyway; one workspace list, each group's members and entrances once", async () => {
  const r = await review({ otherGroups: 0, groups: 2, people: 3 });
  // The local Seam's own seed may hold a group or so more: still fewer unlisted groups than people.
  expect(r.workspace - 2).toBeLessThan(3);
  expect(r.by).toBe("group");
  expect(r.byRoute).toEqual({ "access_groups/list": 1, "access_groups/list_users": r.workspace, "access_groups/list_accessible_entrances": 2 });
});

test("2 groups of a workspace of 100, 3 people: per person, one list each, besides one workspace list and each group's members and entrances once", async () => {
  const r = await review({ otherGroups: 98, groups: 2, people: 3 });
  expect(r.by).toBe("person");
  expect(r.byRoute).toEqual({ "access_groups/list": 1, "list by person": 3, "access_groups/list_users": 2, "access_groups/list_accessible_entrances": 2 });
});

test("100 groups, 100 people each in all of them (the bench's roster shape): per group: one workspace list, one member list per group of it, one entrance list per group, none per person", async () => {
  const r = await review({ otherGroups: 0, groups: 100, people: 100 });
  expect(r.by).toBe("group");
  expect(r.byRoute).toEqual({ "access_groups/list": 1, "access_groups/list_users": r.workspace, "access_groups/list_accessible_entrances": 100 });
}, 120_000);

test("100 groups, 20 people removed from 10 of them: per person (90 more member lists would cost more than 20 person lists)", async () => {
  const r = await review({ otherGroups: 90, groups: 10, people: 20 });
  expect(r.by).toBe("person");
  expect(r.byRoute).toEqual({ "access_groups/list": 1, "list by person": 20, "access_groups/list_users": 10, "access_groups/list_accessible_entrances": 10 });
}, 120_000);
