import { entranceMatches, PersonDoors } from "./doors";
/**
 * The pipeline's guard: how many revocations a change may carry without stopping the job.
 * Counts distinct memberships (user and group pairs) that lose access, including removals that
 * may turn out to be moves: a guard must not pass on a hope. Whenever a limit is set, a pair a
 * targeted run splits (`splitMoves`) trips it whatever the limit (the run would lock someone out
 * or leave a pair in state without access), and so does a change the provider would refuse at
 * `pulumi up`. Released memberships whose access stays (`retained`) are not counted: nothing is revoked.
 */
export interface GuardResult {
  readonly tripped: boolean;
  /** One line saying why, when tripped. */
  readonly reason?: string;
}

/** What the guard weighs besides removals; all counts of distinct pairs. */
export interface GuardExtras {
  /** Distinct pairs a targeted run splits (see access-changes.ts); any trips a set limit. */
  readonly splitMoves?: number;
  /** Delete-first replacements the provider would refuse at up. */
  readonly refusals?: number;
}

export function guard(removals: number, maxRemovals: number | undefined, extras: GuardExtras = {}): GuardResult {
  if (maxRemovals === undefined) return { tripped: false };
  const split = extras.splitMoves ?? 0;
  if ((extras.refusals ?? 0) > 0) {
    return {
      tripped: true,
      reason: `pulumi-seam-acs review: guard tripped: the provider would refuse this change at pulumi up (${extras.refusals} delete-first replacement${extras.refusals === 1 ? "" : "s"}). See the note above for what to change.`,
    };
  }
  if (split > 0) {
    return {
      tripped: true,
      reason: `pulumi-seam-acs review: guard tripped: this targeted run splits ${split} membership${split === 1 ? "" : "s"} (see "Split by --target" above). Run without --target, or target every resource of the move.`,
    };
  }
  if (removals <= maxRemovals) return { tripped: false };
  const what = `${removals} membership${removals === 1 ? "" : "s"} would lose access`;
  const limit = maxRemovals === 0 ? "no removals are allowed (--fail-on-removal or --max-removals 0)" : `at most ${maxRemovals} allowed by --max-removals`;
  return {
    tripped: true,
    reason: `pulumi-seam-acs review: guard tripped: ${what}, ${limit}. Check the removals above; if they are intended, raise the limit for this change.`,
  };
}

/** The door guards: entrances nobody may lose, and how many people may lose any entrance. */
export interface DoorLimits {
  /** Entrance names or ids (`--protect-entrance`); a person losing one trips the guard. */
  readonly protect: readonly string[];
  /** `--max-people-losing-entrances`: more people than this losing any entrance trips the guard. */
  readonly maxPeopleLosing?: number;
}

export const noDoorLimits: DoorLimits = { protect: [] };

/** Whether any door guard is set (then the review must read doors). */
export const hasDoorLimits = (limits: DoorLimits) => limits.protect.length > 0 || limits.maxPeopleLosing !== undefined;

/**
 * The door guards over the review's people (src/review/doors.ts). A guard does not pass on a hope:
 * a person whose loss Seam cannot say (a group left whose doors are unreadable or changing, or
 * whose own groups could not be read) counts as losing, and so does every person when the doors
 * could not be read at all (`people` undefined).
 */
export function doorGuard(people: readonly PersonDoors[] | undefined, limits: DoorLimits, names: (acsUserId: string) => string = (id) => id): GuardResult {
  if (!hasDoorLimits(limits)) return { tripped: false };
  const prefix = "pulumi-seam-acs review: guard tripped:";
  if (people === undefined) {
    return { tripped: true, reason: `${prefix} the door guards need Seam's entrance lists, which could not be read (see the warning above).` };
  }
  const unsure = (p: PersonDoors) => p.undetermined.length > 0;
  const losing = people.filter((p) => p.loses.length > 0 || unsure(p));
  for (const pattern of limits.protect) {
    for (const p of people) {
      const lost = p.loses.find((l) => entranceMatches(pattern, l.entrance));
      if (lost) return { tripped: true, reason: `${prefix} ${names(p.acsUserId)} would lose ${lost.entrance.name}, protected by --protect-entrance ${pattern}.` };
    }
  }
  if (limits.protect.length > 0) {
    const p = people.find(unsure);
    if (p) return { tripped: true, reason: `${prefix} Seam cannot say which doors ${names(p.acsUserId)} would lose, so the protected entrances (--protect-entrance) cannot be checked.` };
  }
  if (limits.maxPeopleLosing !== undefined && losing.length > limits.maxPeopleLosing) {
    return {
      tripped: true,
      reason: `${prefix} ${losing.length} ${losing.length === 1 ? "person" : "people"} would lose an entrance (or Seam cannot say), at most ${limits.maxPeopleLosing} allowed by --max-people-losing-entrances.`,
    };
  }
  return { tripped: false };
}

/**
 * `--fail-on-shared-removal`: trips when any removal's pair is still declared by a stack given
 * with `--also-stack` (`stacksOfShared`: for each such removal, the stacks that declare it).
 * `up` would revoke that stack's access; the stack's state would still say it has it.
 */
export function sharedRemovalGuard(failOnShared: boolean, stacksOfShared: readonly (readonly string[])[]): GuardResult {
  if (!failOnShared || stacksOfShared.length === 0) return { tripped: false };
  const stacks = [...new Set(stacksOfShared.flat())];
  const n = stacksOfShared.length;
  return {
    tripped: true,
    reason:
      `pulumi-seam-acs review: guard tripped: ${n} removal${n === 1 ? " is" : "s are"} still declared by ${stacks.length === 1 ? "stack" : "stacks"} ${stacks.join(", ")}: ` +
      `removing ${n === 1 ? "it" : "them"} revokes that access (--fail-on-shared-removal). Keep each pair in one stack (see the note above).`,
  };
}
