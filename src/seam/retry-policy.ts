/**
 * When to try a Seam request again, and how long to wait first. Pure functions of the outcome,
 * the attempt number and the clock, so the policy is tested without a network.
 *
 * Add and remove are idempotent on Seam's side, so every route may be retried, POST included.
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** One attempt, from sending to the end of the body. */
  readonly requestTimeoutMs: number;
  /** Everything one operation may take, waits included; a lasting outage ends here. */
  readonly operationTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  requestTimeoutMs: 30_000,
  operationTimeoutMs: 300_000,
};

/** What one attempt ended with. */
export type AttemptOutcome =
  | { readonly kind: "response"; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: "network"; readonly code?: string }
  | { readonly kind: "timeout" }
  /** Anything else that went wrong before an answer: a bug or a bad argument, not the network. */
  | { readonly kind: "error" };

/** Error codes of a connection that failed or broke (Node's and undici's), worth another try (an unreachable endpoint only briefly: `unreachableRetryWindowMs`). */
export const transientNetworkCodes: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EAI_FAIL",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

export function isRetryable(outcome: AttemptOutcome): boolean {
  switch (outcome.kind) {
    case "response":
      return outcome.status === 429 || outcome.status >= 500;
    case "network":
    case "timeout":
      return true;
    case "error":
      return false;
  }
}

/**
 * Connection failures that say Seam cannot be reached at the endpoint at all: nothing listens
 * there, no route leads there, or its host name does not resolve. The request never left this
 * machine, so it cannot have taken effect (unlike a connection reset or a timeout).
 */
export const unreachableCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
]);

/** Whether an attempt found the endpoint unreachable (see `unreachableCodes`). */
export function isUnreachable(outcome: AttemptOutcome): boolean {
  return outcome.kind === "network" && outcome.code !== undefined && unreachableCodes.has(outcome.code);
}

/**
 * How long an endpoint that cannot be reached is tried again, from an operation's first attempt,
 * in every command and both providers: long enough for a server that is restarting, short enough
 * that a wrong or stopped endpoint fails within seconds rather than after every attempt (8
 * attempts took 55 s). Past it the operation fails, naming the endpoint and where it was set.
 * Answers (429, 5xx), resets and timeouts keep the full retry budget.
 */
export const unreachableRetryWindowMs = 3_000;

/** Whether to try an unreachable endpoint again after `delayMs`, `elapsedMs` after the operation's first attempt. */
export function retriesUnreachable(elapsedMs: number, delayMs: number): boolean {
  return elapsedMs + delayMs <= unreachableRetryWindowMs;
}

/**
 * Delay before the attempt after `attempt` (1-based): exponential backoff with jitter, and never
 * less than the server's Retry-After.
 */
export function retryDelayMs(
  attempt: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  now: number = Date.now(),
  random: () => number = Math.random,
): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = equalJitter(backoff, random);
  const retryAfter = outcome.kind === "response" ? parseRetryAfterMs(outcome.retryAfter, now) : undefined;
  return Math.round(Math.max(jittered, retryAfter ?? 0));
}

/**
 * "Equal jitter": between half and all of `backoff`, so many resources waiting at once spread
 * out without any of them going again immediately.
 */
export function equalJitter(backoff: number, random: () => number = Math.random): number {
  return backoff / 2 + random() * (backoff / 2);
}

/** Retry-After as delta-seconds or as an HTTP date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // Only a date from here on; Date.parse reads bare numbers such as "1.5" as years.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
