/**
 * The questions asked of the intervals: which of them concern these people and groups and
 * overlap a period, and who held access at one instant. An update's changes land somewhere
 * between its start and its end, so an interval counts as covering [its opening update's start,
 * its closing update's end): an instant during an update that grants or revokes counts as held
 * (an access review asks who *could* have opened a door).
 */
import { canonical } from "../provider/inputs";
import type { MembershipIds } from "../seam/client";
import type { Interval } from "./intervals";
import { doneAt, startedAt, type Update } from "./update";

export interface IntervalFilter {
  /** acs_user ids (canonical); absent: everyone. */
  readonly users?: ReadonlySet<string>;
  /** acs_access_group ids (canonical); absent: every group. */
  readonly groups?: ReadonlySet<string>;
  /** ms since the epoch: only intervals still covering this instant or later. */
  readonly since?: number;
  /** ms since the epoch: only intervals that began at or before this instant. */
  readonly until?: number;
}

/** The intervals that match the filter, in their order. */
export function selectIntervals(intervals: readonly Interval[], filter: IntervalFilter): Interval[] {
  return intervals.filter(
    (i) =>
      (!filter.users || filter.users.has(canonical(i.acsUserId))) &&
      (!filter.groups || filter.groups.has(canonical(i.acsAccessGroupId))) &&
      (filter.until === undefined || startedAt(i.from) <= filter.until) &&
      (filter.since === undefined || i.to === null || doneAt(i.to) > filter.since),
  );
}

/** Who held a pair at an instant, and the update that granted it. */
export interface Holder extends MembershipIds {
  readonly stack: string;
  readonly grantedBy: Update;
}

/** The holders at `at` (ms since the epoch) among `intervals`, sorted by group then user then stack. */
export function holdersAt(intervals: readonly Interval[], at: number): Holder[] {
  return intervals
    .filter((i) => startedAt(i.from) <= at && (i.to === null || doneAt(i.to) > at))
    .map((i) => ({ acsUserId: i.acsUserId, acsAccessGroupId: i.acsAccessGroupId, stack: i.stack, grantedBy: i.from }));
}
