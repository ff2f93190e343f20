/**
 * When to look again whether the access system has applied a membership change. Pure functions
 * of the poll count, the time spent and a random source, so the policy is tested without a clock.
 *
 * The first look is immediate: most access systems apply a change at once, and then waiting
 * costs one read. After that the gaps grow (a change that is still queued after a few seconds
 * tends to take minutes) with jitter, so the memberships of one large `pulumi up` do not poll in
 * step; the gaps derive from the timeout, so a short timeout polls often and a long one rarely.
 */
import { equalJitter } from "../seam/retry-policy";

export interface SyncPollPolicy {
  readonly timeoutMs: number;
  readonly firstGapMs: number;
  readonly maxGapMs: number;
}

export function syncPollPolicy(timeoutMs: number): SyncPollPolicy {
  return {
    timeoutMs,
    firstGapMs: clamp(timeoutMs / 100, 100, 2_000),
    maxGapMs: clamp(timeoutMs / 10, 500, 15_000),
  };
}

/**
 * How long to wait before the next look, after `polls` looks (1 or more) and `elapsedMs` since the
 * wait began; undefined when the timeout has passed. The last gap is cut so that one look falls
 * on the deadline itself: a change that lands just in time is still seen.
 */
export function nextPollGapMs(polls: number, elapsedMs: number, policy: SyncPollPolicy, random: () => number = Math.random): number | undefined {
  const left = policy.timeoutMs - elapsedMs;
  if (left <= 0) return undefined;
  const backoff = Math.min(policy.maxGapMs, policy.firstGapMs * 2 ** (polls - 1));
  // As for retries: spread out, but never a look right after the last one.
  return Math.round(Math.min(equalJitter(backoff, random), left));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
