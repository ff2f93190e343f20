import { defaultRetryPolicy, isRetryable, isUnreachable, parseRetryAfterMs, retriesUnreachable, retryDelayMs, unreachableRetryWindowMs } from "../src/seam/retry-policy";

const policy = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1_000 };

test("retries 429, 5xx, network errors and timeouts; not other 4xx", () => {
  expect(isRetryable({ kind: "response", status: 429 })).toBe(true);
  expect(isRetryable({ kind: "response", status: 503 })).toBe(true);
  expect(isRetryable({ kind: "network", code: "ECONNRESET" })).toBe(true);
  expect(isRetryable({ kind: "timeout" })).toBe(true);
  for (const status of [200, 400, 401, 403, 404, 409, 422]) expect(isRetryable({ kind: "response", status })).toBe(false);
  expect(isRetryable({ kind: "error" })).toBe(false);
});

test("backoff doubles from the base, is capped, and jitters within its upper half", () => {
  const outcome = { kind: "response", status: 503 } as const;
  expect(retryDelayMs(1, outcome, policy, 0, () => 0)).toBe(50);
  expect(retryDelayMs(1, outcome, policy, 0, () => 1)).toBe(100);
  expect(retryDelayMs(3, outcome, policy, 0, () => 1)).toBe(400);
  expect(retryDelayMs(10, outcome, policy, 0, () => 1)).toBe(1_000);
  expect(retryDelayMs(10, outcome, policy, 0, () => 0)).toBe(500);
});

test("Retry-After in seconds or as an HTTP date is a lower bound", () => {
  const now = Date.parse("2026-11-27T10:00:00Z");
  expect(retryDelayMs(1, { kind: "response", status: 429, retryAfter: "3" }, policy, now, () => 0)).toBe(3_000);
  expect(retryDelayMs(1, { kind: "response", status: 429, retryAfter: "Fri, 27 Nov 2026 10:00:02 GMT" }, policy, now, () => 0)).toBe(2_000);
  expect(retryDelayMs(4, { kind: "response", status: 429, retryAfter: "0" }, policy, now, () => 1)).toBe(800);
  expect(parseRetryAfterMs("1.5", now)).toBe(1_500);
  expect(parseRetryAfterMs("soon", now)).toBeUndefined();
  expect(parseRetryAfterMs("-3", now)).toBeUndefined();
  expect(parseRetryAfterMs("Fri, 27 Nov 2026 09:00:00 GMT", now)).toBe(0);
});

test("an endpoint that refuses connections or cannot be reached is retried only within a few seconds, in every command; everything else keeps the full budget", () => {
  for (const code of ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]) {
    expect(isRetryable({ kind: "network", code })).toBe(true);
    expect(isUnreachable({ kind: "network", code })).toBe(true);
  }
  for (const outcome of [{ kind: "network", code: "ECONNRESET" }, { kind: "timeout" }, { kind: "response", status: 503 }, { kind: "response", status: 429 }] as const) {
    expect(isUnreachable(outcome)).toBe(false);
    expect(isRetryable(outcome)).toBe(true);
  }
  expect(isRetryable({ kind: "response", status: 404 })).toBe(false);
  // The window is a bound on the whole operation: the 15 s a newcomer waits at most includes the CLI's own start.
  expect(unreachableRetryWindowMs).toBeLessThanOrEqual(5_000);
  expect(retriesUnreachable(0, 500)).toBe(true);
  expect(retriesUnreachable(unreachableRetryWindowMs - 100, 200)).toBe(false);
  // The backoff's own delays: attempts 1..3 wait 0.25–0.5, 0.5–1 and 1–2 s, so at most three tries fit.
  let elapsed = 0;
  let attempts = 1;
  for (let a = 1; ; a++) {
    const delay = retryDelayMs(a, { kind: "network", code: "ECONNREFUSED" }, defaultRetryPolicy, 0, () => 1);
    if (!retriesUnreachable(elapsed, delay)) break;
    elapsed += delay;
    attempts++;
  }
  expect(attempts).toBeLessThanOrEqual(3);
});
