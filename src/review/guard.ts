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
