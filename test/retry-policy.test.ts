import { defaultRetryPolicy, isRetryable, isRetryableInPreview, parseRetryAfterMs, retryDelayMs } from "../src/seam/retry-policy";

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

test("in a preview, an endpoint that refuses connections or cannot be reached is not retried; everything else is as in up", () => {
  for (const code of ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]) {
    expect(isRetryable({ kind: "network", code })).toBe(true);
    expect(isRetryableInPreview({ kind: "network", code })).toBe(false);
  }
  for (const outcome of [{ kind: "network", code: "ECONNRESET" }, { kind: "timeout" }, { kind: "response", status: 503 }, { kind: "response", status: 429 }] as const) {
    expect(isRetryableInPreview(outcome)).toBe(true);
  }
  expect(isRetryableInPreview({ kind: "response", status: 404 })).toBe(false);
});
