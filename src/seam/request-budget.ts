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
  readonly clearTimer?: (timer: unknown) => void;
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
  private readonly clearTimer: NonNullable<RequestBudgetOptions["clearTimer"]>;
  private readonly waiters: Waiter[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private spacingMs = 0;
  private nextStartAt = 0;
  private timer: { readonly at: number; readonly handle: unknown } | undefined;
  /** When recent requests ended without a 429, newest last, for the admitted rate. */
  private readonly recentDone: number[] = [];
  private peak = 0;
  private throttles = 0;

  constructor(private readonly options: RequestBudgetOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) throw new Error("maxInFlight must be a whole number of at least 1");
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((f, ms) => setTimeout(f, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  }

  /**
   * Waits for a place and returns its release, or undefined when no place came free before
   * `deadline` (a request must not outlive its operation waiting in line).
   */
  acquire(deadline = Infinity, options: { first?: boolean } = {}): Promise<Release | undefined> {
    return new Promise((grant) => {
      // `first`: a request that settles what another left unknown goes ahead of the line.
      if (options.first) this.waiters.unshift({ grant, deadline });
      else this.waiters.push({ grant, deadline });
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
    while (this.waiters.length > 0 && this.inFlight < this.options.maxInFlight && this.startAt() <= now) {
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
    this.schedule(now);
  }

  /** The earliest a request may start: after the pause, and after the spacing since the last start. */
  private startAt(): number {
    return Math.max(this.pausedUntil, this.nextStartAt);
  }

  /**
   * One timer, for the earliest moment something changes without a release: the next start once
   * a place is free, or a waiter's deadline. None while nobody waits, so a command that is done
   * with Seam exits at once instead of holding on to a timer for a deadline minutes away.
   */
  private schedule(now: number): void {
    let at = Infinity;
    if (this.waiters.length > 0) {
      at = Math.min(...this.waiters.map((w) => w.deadline));
      if (this.inFlight < this.options.maxInFlight) at = Math.min(at, this.startAt());
    }
    if (this.timer?.at === at) return;
    if (this.timer) this.clearTimer(this.timer.handle);
    this.timer = undefined;
    if (!Number.isFinite(at)) return;
    const handle = this.setTimer(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(0, at - now));
    this.timer = { at, handle };
  }
}
