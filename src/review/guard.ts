/**
 * The pipeline's guard: how many revocations a change may carry without stopping the job.
 * Counts distinct memberships (user and group pairs) that lose access, including removals that
 * may turn out to be moves: a guard must not pass on a hope.
 */
export interface GuardResult {
  readonly tripped: boolean;
  /** One line saying why, when tripped. */
  readonly reason?: string;
}

export function guard(removals: number, maxRemovals: number | undefined): GuardResult {
  if (maxRemovals === undefined || removals <= maxRemovals) return { tripped: false };
  const what = `${removals} membership${removals === 1 ? "" : "s"} would lose access`;
  const limit = maxRemovals === 0 ? "no removals are allowed (--fail-on-removal or --max-removals 0)" : `at most ${maxRemovals} allowed by --max-removals`;
  return {
    tripped: true,
    reason: `pulumi-seam-acs review: guard tripped: ${what}, ${limit}. Check the removals above; if they are intended, raise the limit for this change.`,
  };
}
