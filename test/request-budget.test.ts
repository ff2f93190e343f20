import { maxSpacingMs, Release, RequestBudget } from "../src/seam/request-budget";

/** A budget on a hand-driven clock: `advance` moves time and fires the timers that fall due. */
function harness(maxInFlight: number) {
  let now = 0;
  let timers: { at: number; f: () => void }[] = [];
  const budget = new RequestBudget({
    maxInFlight,
    now: () => now,
    setTimer: (f, ms) => {
      const timer = { at: now + ms, f };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => (timers = timers.filter((t) => t !== timer)),
  });
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return {
    budget,
    /** Timers still set: none once nobody waits, or a command would not exit until they fire. */
    pendingTimers: () => timers.length,
    get now() {
      return now;
    },
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.f();
        await flush();
      }
      now = until;
      await flush();
    },
    flush,
  };
}

/** Starts `count` acquisitions and records when each was granted. */
function queue(h: ReturnType<typeof harness>, count: number, deadline?: number) {
  const granted: (Release | undefined)[] = [];
  const at: number[] = [];
  for (let i = 0; i < count; i++) {
    void h.budget.acquire(deadline).then((r) => {
      granted[i] = r;
      at[i] = h.now;
    });
  }
  return { granted, at };
}

test("never more than maxInFlight at once; a release lets the next one in, in order", async () => {
  const h = harness(3);
  const q = queue(h, 5);
  await h.flush();
  expect(q.granted.filter(Boolean)).toHaveLength(3);
  expect(h.budget.stats.inFlight).toBe(3);
  q.granted[1]!({ kind: "done" });
  await h.flush();
  expect(q.granted[3]).toBeDefined();
  expect(q.granted[4]).toBeUndefined();
  q.granted[1]!({ kind: "done" }); // a second release of the same place changes nothing
  await h.flush();
  expect(q.granted[4]).toBeUndefined();
  expect(h.budget.stats.peakInFlight).toBe(3);
});

test("a 429 pauses every waiting request until its Retry-After, then they start spaced below the admitted rate", async () => {
  const h = harness(8);
  // Twenty requests succeed within the last second, then one is throttled with Retry-After 2 s.
  for (let i = 0; i < 20; i++) {
    const r = (await h.budget.acquire())!;
    await h.advance(25);
    r({ kind: "done" });
  }
  const throttled = (await h.budget.acquire())!;
  throttled({ kind: "throttled", retryAfterMs: 2_000 });
  const pausedAt = h.now;
  const q = queue(h, 4);
  await h.advance(1_999);
  expect(q.granted.filter(Boolean)).toHaveLength(0);
  await h.advance(1);
  expect(q.at[0]).toBe(pausedAt + 2_000);
  // 20 admitted in the last second → 16 per second → 62.5 ms apart.
  expect(h.budget.stats.spacingMs).toBe(62.5);
  await h.advance(500);
  expect(q.at.map((t) => t - pausedAt)).toEqual([2_000, 2_062.5, 2_125, 2_187.5]);
});

test("a 429 without Retry-After still pauses everyone for a second", async () => {
  const h = harness(2);
  (await h.budget.acquire())!({ kind: "throttled" });
  const q = queue(h, 1);
  await h.advance(999);
  expect(q.granted[0]).toBeUndefined();
  await h.advance(1);
  expect(q.granted[0]).toBeDefined();
});

test("spacing shrinks with successes, and never passes its ceiling however many 429s come", async () => {
  const h = harness(1);
  for (let i = 0; i < 40; i++) {
    const r = (await h.budget.acquire())!;
    await h.advance(20);
    r({ kind: "done" });
  }
  (await h.budget.acquire())!({ kind: "throttled", retryAfterMs: 0 });
  expect(h.budget.stats.spacingMs).toBeCloseTo(1_000 / (0.8 * 40)); // all 40 were admitted in the last second
  const first = h.budget.stats.spacingMs;
  for (let i = 0; i < 20; i++) {
    const p = h.budget.acquire();
    await h.advance(first);
    (await p)!({ kind: "done" });
  }
  expect(h.budget.stats.spacingMs).toBeCloseTo(first * 0.995 ** 20);
  // 429s that do not come from a rate (one every second, whatever the pace) cannot slow the process without end.
  for (let i = 0; i < 50; i++) {
    const p = h.budget.acquire();
    await h.advance(1_000);
    (await p)!({ kind: "throttled", retryAfterMs: 0 });
  }
  expect(h.budget.stats.spacingMs).toBe(maxSpacingMs);
});

test("a request that cannot start before its deadline leaves the line with no place", async () => {
  const h = harness(1);
  const held = (await h.budget.acquire())!;
  const q = queue(h, 2, 300);
  await h.advance(299);
  expect(q.granted).toEqual([]);
  await h.advance(1);
  expect(q.at).toEqual([300, 300]);
  expect(q.granted).toEqual([undefined, undefined]);
  held({ kind: "done" });
  expect(h.budget.stats.inFlight).toBe(0);
});

test("no timer is left once nobody waits, however long the deadlines of those who waited", async () => {
  const h = harness(1);
  const held = (await h.budget.acquire())!;
  const q = queue(h, 3, 300_000);
  await h.flush();
  expect(h.pendingTimers()).toBe(1); // the waiters' deadline
  held({ kind: "done" });
  await h.flush();
  q.granted[0]!({ kind: "done" });
  await h.flush();
  q.granted[1]!({ kind: "done" });
  await h.flush();
  q.granted[2]!({ kind: "done" });
  await h.flush();
  expect(q.granted.filter(Boolean)).toHaveLength(3);
  expect(h.pendingTimers()).toBe(0);
});

test("a request that settles a lost answer goes ahead of the line", async () => {
  const h = harness(1);
  const held = (await h.budget.acquire())!;
  const order: string[] = [];
  void h.budget.acquire().then((r) => (order.push("queued"), r!({ kind: "done" })));
  void h.budget.acquire(Infinity, { first: true }).then((r) => (order.push("settling"), r!({ kind: "done" })));
  held({ kind: "done" });
  await h.flush();
  await h.flush();
  expect(order).toEqual(["settling", "queued"]);
});

test("rejects a cap that is not a whole number of at least 1", () => {
  expect(() => new RequestBudget({ maxInFlight: 0 })).toThrow(/at least 1/);
  expect(() => new RequestBudget({ maxInFlight: 2.5 })).toThrow(/whole number/);
});
