/**
 * One budget for every request a process sends to Seam, whatever the engine's `--parallel`:
 *  - at most `maxInFlight` requests at once (the engine runs 4 × CPU cores steps at once, 128 on
 *    a 32-core runner, all through one provider process);
 *  - a 429 pauses every request of the process until its Retry-After, not just the one resource's
 *    retry, so a rate-limited burst is not followed by another;
 *  - after a 429, requests start no closer together than the rate Seam was seen to admit (a little
 *    under it), and that spacing shrinks again with every success, so the process finds the limit
 *    without leaning on it. The spacing has a ceiling: 429s that do not come from a rate (a busy
 *    device, a proxy) would otherwise slow every request down without end.
 * Like @octokit/plugin-throttling's global limiter, shared by every request of the client. The
 * clock and the timers are injected so the policy is tested without waiting.
 */
export interface RequestBudgetOptions {
  readonly maxInFlight: number;
  readonly now?: () => number;
  readonly setTimer?: (f: () => void, ms: number) => unknown;
}

/** How a request that held a place ended, as the budget needs to know it. */
export type BudgetOutcome = { readonly kind: "done" } | { readonly kind: "throttled"; readonly retryAfterMs?: number };

/** Hands back a place in the budget; call it exactly once. */
export type Release = (outcome: BudgetOutcome) => void;

/** Without a Retry-After, a 429 still pauses everyone this long. */
export const defaultThrottlePauseMs = 1_000;
/** Requests start at this fraction of the rate Seam admitted before it said 429. */
const backOffFactor = 0.8;
/** Each success shortens the spacing by this factor: about halved after 140 successes. */
const speedUpFactor = 0.995;
/** The most the spacing grows to: ten requests a second still go out. */
export const maxSpacingMs = 100;
/** The window in which the admitted rate is counted. */
const rateWindowMs = 1_000;

interface Waiter {
  readonly grant: (release: Release | undefined) => void;
  readonly deadline: number;
}

export class RequestBudget {
  private readonly now: () => number;
  private readonly setTimer: NonNullable<RequestBudgetOptions["setTimer"]>;
  private readonly waiters: Waiter[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private spacingMs = 0;
  private nextStartAt = 0;
  private timerAt: number | undefined;
  /** When recent requests ended without a 429, newest last, for the admitted rate. */
  private readonly recentDone: number[] = [];
  private peak = 0;
  private throttles = 0;

  constructor(private readonly options: RequestBudgetOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) throw new Error("maxInFlight must be a whole number of at least 1");
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((f, ms) => setTimeout(f, ms));
  }

  /**
   * Waits for a place and returns its release, or undefined when no place came free before
   * `deadline` (a request must not outlive its operation waiting in line).
   */
  acquire(deadline = Infinity): Promise<Release | undefined> {
    return new Promise((grant) => {
      this.waiters.push({ grant, deadline });
      this.pump();
    });
  }

  /** Figures for logs, tests and the benchmark. */
  get stats() {
    return { inFlight: this.inFlight, peakInFlight: this.peak, throttled: this.throttles, spacingMs: this.spacingMs, pausedUntil: this.pausedUntil };
  }

  private release(outcome: BudgetOutcome): void {
    const now = this.now();
    this.inFlight--;
    if (outcome.kind === "throttled") {
      this.throttles++;
      this.pausedUntil = Math.max(this.pausedUntil, now + (outcome.retryAfterMs ?? defaultThrottlePauseMs));
      const admitted = this.recentDone.filter((t) => t > now - rateWindowMs).length;
      const spacing = rateWindowMs / Math.max(1, admitted * backOffFactor);
      // Never faster on a 429; never slower than the ceiling.
      this.spacingMs = Math.min(maxSpacingMs, Math.max(spacing, this.spacingMs));
    } else {
      this.recentDone.push(now);
      while (this.recentDone.length > 0 && this.recentDone[0]! <= now - rateWindowMs) this.recentDone.shift();
      this.spacingMs = this.spacingMs * speedUpFactor < 1 ? 0 : this.spacingMs * speedUpFactor;
    }
    this.pump();
  }

  private pump(): void {
    const now = this.now();
    // Those whose deadline passed in line leave it.
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.deadline <= now) this.waiters.splice(i, 1)[0]!.grant(undefined);
    }
    while (this.waiters.length > 0 && this.inFlight < this.options.maxInFlight) {
      const startAt = Math.max(this.pausedUntil, this.nextStartAt);
      if (startAt > now) {
        this.wakeAt(Math.min(startAt, this.earliestDeadline()));
        return;
      }
      const waiter = this.waiters.shift()!;
      this.inFlight++;
      this.peak = Math.max(this.peak, this.inFlight);
      this.nextStartAt = now + this.spacingMs;
      let released = false;
      waiter.grant((outcome) => {
        if (released) return;
        released = true;
        this.release(outcome);
      });
    }
    if (this.waiters.length > 0) this.wakeAt(this.earliestDeadline());
  }

  private earliestDeadline(): number {
    return Math.min(...this.waiters.map((w) => w.deadline));
  }

  /**
   * One timer at a time, for the earliest moment anything can change without a release. Not
   * unref'd: a command waiting only on the budget must not exit with its requests unsent.
   */
  private wakeAt(at: number): void {
    if (!Number.isFinite(at) || (this.timerAt !== undefined && this.timerAt <= at)) return;
    this.timerAt = at;
    this.setTimer(() => {
      if (this.timerAt === at) this.timerAt = undefined;
      this.pump();
    }, Math.max(0, at - this.now()));
  }
}
