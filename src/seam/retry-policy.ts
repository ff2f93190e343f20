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

/** Error codes of a connection that failed or broke (Node's and undici's), worth another try. */
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

/** Connection failures that say nothing listens at the endpoint (or no route leads there), as opposed to a dropped connection. */
const unreachableCodes: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EAI_AGAIN"]);

/**
 * Whether an outcome is worth retrying in a preview. A preview only reads (email lookups) and a
 * person or a pull request is waiting for it: an endpoint that refuses connections is far more
 * often a wrong `seam:endpoint` than a blip, so it fails at once and names the endpoint, where
 * `up` keeps retrying patiently (an outage during a deployment is worth waiting out).
 */
export function isRetryableInPreview(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "network" && outcome.code !== undefined && unreachableCodes.has(outcome.code)) return false;
  return isRetryable(outcome);
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
