/**
 * The history's answer, one model for every format: the stacks read, the question asked, the
 * intervals that match it, and with an instant (--at) who held access then, by group and by door.
 */
import type { Entrance } from "../seam/client";
import type { DoorHolders, GroupEntrances } from "./doors";
import type { Interval } from "./intervals";
import type { Holder } from "./query";

export interface StackSummary {
  readonly stack: string;
  /** The history files' directory, or "pulumi stack export --version". */
  readonly source: string;
  readonly updates: number;
  /** The first and last update's start (ISO 8601); null for a stack with no history. */
  readonly first: string | null;
  readonly last: string | null;
}

export interface HistoryQuestion {
  /** --person as given, and the acs_user ids they name (an email through Seam). */
  readonly people?: readonly { readonly query: string; readonly acsUserIds: readonly string[] }[];
  readonly groups?: readonly string[];
  readonly entrances?: readonly { readonly query: string; readonly entrances: readonly Entrance[]; readonly groups: readonly string[] }[];
  readonly since?: string;
  readonly until?: string;
  readonly at?: string;
}

export interface HistoryReport {
  readonly stacks: readonly StackSummary[];
  readonly question: HistoryQuestion;
  readonly intervals: readonly Interval[];
  /** With --at: who held access at that instant. */
  readonly holders?: readonly Holder[];
  /** With --at and doors read: the holders by the entrances their group opens now. */
  readonly doors?: readonly DoorHolders<Holder>[];
  /** Groups whose doors Seam could not give (with the reason), when doors were read. */
  readonly unsureGroups?: readonly { readonly acsAccessGroupId: string; readonly reason: Exclude<GroupEntrances, readonly Entrance[]> }[];
}

/** The sentence every door answer carries: Seam knows only today's door sets. */
export const doorsAsOfNow = "Doors are the entrances each group opens at Seam now: Seam keeps no history of a group's doors.";

/** The sentence that says how an interval's ends are counted. */
export const coverageRule = "An interval counts from the start of the update that granted the pair to the end of the update that ended it.";
