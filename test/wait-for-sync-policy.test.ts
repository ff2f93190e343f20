/** The pure parts of seam:waitForSync: its settings, which pending mutations count, and when to look again. */
import { describePendingChanges, pendingChangesFor } from "../src/provider/pending-membership-changes";
import { nextPollGapMs, syncPollPolicy } from "../src/provider/sync-poll-policy";
import { ConfigSource, resolveSettings } from "../src/seam/settings";

const config = (values: Record<string, string> = {}): ConfigSource => ({ get: (key) => values[key] });
const apiKey = "seam_live_abc123";

describe("settings", () => {
  test("off by default, 300 s timeout", () => {
    expect(resolveSettings(config({ "seam:apiKey": apiKey }), {}).sync).toEqual({ waitForSync: false, timeoutMs: 300_000 });
  });

  test("from the stack config or the environment", () => {
    expect(resolveSettings(config({ "seam:apiKey": apiKey, "seam:waitForSync": "true", "seam:syncTimeoutSeconds": "45" }), {}).sync).toEqual({
      waitForSync: true,
      timeoutMs: 45_000,
    });
    expect(resolveSettings(config(), { SEAM_API_KEY: apiKey, SEAM_WAIT_FOR_SYNC: "true", SEAM_SYNC_TIMEOUT_SECONDS: "2" }).sync).toEqual({
      waitForSync: true,
      timeoutMs: 2_000,
    });
  });

  test.each([
    [{ "seam:waitForSync": "yes" }, /seam:waitForSync \(or SEAM_WAIT_FOR_SYNC\) must be true or false/],
    [{ "seam:syncTimeoutSeconds": "0" }, /seam:syncTimeoutSeconds \(or SEAM_SYNC_TIMEOUT_SECONDS\) must be a number from 1 to 3600/],
    [{ "seam:syncTimeoutSeconds": "forever" }, /seam:syncTimeoutSeconds .* must be a number from 1 to 3600/],
  ])("rejects %j", (values, message) => {
    expect(() => resolveSettings(config({ "seam:apiKey": apiKey, ...values }), {})).toThrow(message);
  });
});

describe("which pending mutations concern a membership", () => {
  const lobby = "123e4567-e89b-12d3-a456-426614174000";
  const lab = "00000000-0000-4000-8000-00000000000b";
  const at = "2026-11-28T06:00:00.000Z";
  const pushing = (from: string | null, to: string | null) => ({
    mutation_code: "updating_group_membership",
    created_at: at,
    message: "Pushing",
    from: { acs_access_group_id: from },
    to: { acs_access_group_id: to },
  });
  const deferred = (group: string, variant: "adding" | "removing") => ({
    mutation_code: "deferring_group_membership_update",
    created_at: at,
    message: "Scheduled",
    acs_access_group_id: group,
    variant,
  });
  const other = [
    { mutation_code: "updating_user_information", created_at: at, message: "", from: {}, to: {} },
    { mutation_code: "creating", created_at: at, message: "" },
  ];

  test("an update into or out of the group, or a deferred change of it; not other groups or other kinds", () => {
    const into = pushing(null, lobby);
    const outOf = pushing(lobby, lab);
    const scheduled = deferred(lobby, "adding");
    const mutations = [into, outOf, scheduled, pushing(null, lab), deferred(lab, "removing"), ...other];
    expect(pendingChangesFor(mutations, lobby)).toEqual([into, outOf, scheduled]);
    expect(pendingChangesFor(other, lobby)).toEqual([]);
  });

  test("group ids compare without regard to case", () => {
    expect(pendingChangesFor([pushing(null, lobby.toUpperCase())], lobby)).toHaveLength(1);
  });

  test("the description says what is pushed and what is only scheduled, with Seam's words", () => {
    const text = describePendingChanges([pushing(null, lobby), deferred(lobby, "removing")]);
    expect(text).toBe(
      `Seam is still pushing a group membership change (from none to ${lobby}) to the access system since ${at} (Seam: "Pushing"); ` +
        `a removal from the group is scheduled for later and not yet pushed to the access system since ${at} (Seam: "Scheduled")`,
    );
  });
});

describe("when to look again", () => {
  const policy = syncPollPolicy(300_000);

  test("gaps derive from the timeout, within fixed bounds", () => {
    expect(policy).toEqual({ timeoutMs: 300_000, firstGapMs: 2_000, maxGapMs: 15_000 });
    expect(syncPollPolicy(3_000)).toEqual({ timeoutMs: 3_000, firstGapMs: 100, maxGapMs: 500 });
  });

  test("gaps double up to the cap, jittered between half and all of it", () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => nextPollGapMs(n, 0, policy, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => nextPollGapMs(n, 0, policy, () => 1));
    expect(high).toEqual([2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(low).toEqual([1_000, 2_000, 4_000, 7_500, 7_500, 7_500]);
  });

  test("the last gap ends on the deadline, and after it there is none", () => {
    expect(nextPollGapMs(9, 299_000, policy, () => 1)).toBe(1_000);
    expect(nextPollGapMs(10, 300_000, policy, () => 1)).toBeUndefined();
    expect(nextPollGapMs(10, 301_000, policy, () => 0)).toBeUndefined();
  });

  test("bounded: a change that never clears is looked at a limited number of times", () => {
    for (const timeoutMs of [1_000, 60_000, 300_000, 3_600_000]) {
      const p = syncPollPolicy(timeoutMs);
      let elapsed = 0;
      let polls = 1;
      for (let gap = nextPollGapMs(polls, elapsed, p, () => 0); gap !== undefined; gap = nextPollGapMs(++polls, elapsed, p, () => 0)) {
        elapsed += gap;
      }
      expect(elapsed).toBe(timeoutMs);
      // At the shortest gaps throughout, never more than the cap's share of the timeout, plus the doubling steps.
      expect(polls).toBeLessThanOrEqual(Math.ceil(timeoutMs / (p.maxGapMs / 2)) + 8);
    }
  });
});
