/**
 * The test double: the package's local Seam (src/dev-seam/seam-double.ts: Seam's fake plus the
 * routes it lacks, as `pulumi-seam-acs dev-server` runs it) with what only tests need on top:
 *  - every record the double makes up is checked against Seam's published schema (`@seamapi/types`);
 *  - records every request, so tests can count and inspect what the provider sent;
 *  - injects faults on demand (status codes with Retry-After, resets, slow answers), latency on
 *    every request, and a rate limit that answers 429 with Retry-After beyond R requests a second;
 *  - counts requests in flight, so tests can see the most the provider ever sent at once.
 */
import { schemas } from "@seamapi/types/connect";
import { Exchange, SeamDouble, startSeamDouble } from "../../src/dev-seam/seam-double";

export type { PendingMutation, UserDetails } from "../../src/dev-seam/seam-double";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: import("node:http").IncomingHttpHeaders;
  readonly body: unknown;
  readonly at: number;
  status?: number;
  /** Set when the answer was a fault injected by the test. */
  fault?: Fault["kind"];
}

export const addRoute = "/acs/users/add_to_access_group";
export const removeRoute = "/acs/users/remove_from_access_group";

export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | { readonly kind: "reset" }
  /** The request reaches the fake and takes effect, then the connection drops before the answer. */
  | { readonly kind: "lostAnswer" }
  | { readonly kind: "delay"; readonly ms: number };

export interface OutageOptions {
  readonly fraction?: number;
  readonly after?: number;
}

/** The local Seam (seam-double.ts) plus the hooks only tests need. */
export interface SeamFake extends SeamDouble {
  readonly requests: RecordedRequest[];
  /** Requests to one route, e.g. `/acs/users/remove_from_access_group`. */
  requestsTo(path: string): RecordedRequest[];
  /**
   * The next requests to `path` get these faults, one each, in order; with `where`, only requests
   * whose body it accepts (so a test does not depend on the order the engine sends requests in).
   */
  injectFaults(path: string, faults: Fault[], where?: (body: unknown) => boolean): void;
  /** Drops the faults injected and not yet used (every path). */
  clearFaults(): void;
  /**
   * Runs `f` while requests to `path` fail with `fault` (one picked at random from a list): a
   * `fraction` (0–1) of them, once `after` requests have passed. The outage ends however `f` ends.
   */
  duringOutage<T>(path: string, fault: Fault | Fault[], options: OutageOptions, f: () => Promise<T>): Promise<T>;
  /** Every request waits this long before it is answered (0 to stop). */
  setLatency(ms: number): void;
  /**
   * Admits `perSecond` requests in each one-second window and answers the rest 429 with a
   * Retry-After of the seconds until the next window, as a rate-limited API does (undefined to stop).
   */
  setRateLimit(perSecond: number | undefined): void;
  /** The most requests ever in flight at once since the last reset, and a reset. */
  peakInFlight(): number;
  resetPeakInFlight(): void;
}

export async function startSeamFake(): Promise<SeamFake> {
  const requests: RecordedRequest[] = [];
  const queued = new Map<string, { fault: Fault; where?: (body: unknown) => boolean }[]>();
  const takeQueued = (exchange: Exchange): Fault | undefined => {
    const queue = queued.get(exchange.path) ?? [];
    const i = queue.findIndex((q) => !q.where || q.where(exchange.body));
    return i < 0 ? undefined : queue.splice(i, 1)[0]!.fault;
  };
  const outages = new Map<string, Outage>();
  let latencyMs = 0;
  let rateLimit: { perSecond: number; windowStart: number; admitted: number } | undefined;
  let inFlight = 0;
  let peak = 0;

  const double: SeamDouble = await startSeamDouble({
    hooks: {
      conform: (kind, value) => {
        schemas[kind].parse(withUuidIds(value));
      },
      intercept: async (exchange: Exchange, { req, res, send, forward }) => {
        const record = exchange as unknown as RecordedRequest;
        requests.push(record);
        inFlight++;
        peak = Math.max(peak, inFlight);
        res.on("close", () => inFlight--);
        if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
        if (rateLimit) {
          const now = Date.now();
          if (now - rateLimit.windowStart >= 1_000) rateLimit = { ...rateLimit, windowStart: now, admitted: 0 };
          if (rateLimit.admitted >= rateLimit.perSecond) {
            const retryAfter = String(Math.max(1, Math.ceil((rateLimit.windowStart + 1_000 - now) / 1_000)));
            send(429, JSON.stringify({ error: { type: "rate_limited", message: "Too many requests" } }), { "content-type": "application/json", "retry-after": retryAfter });
            return true;
          }
          rateLimit.admitted++;
        }
        const fault = takeQueued(exchange) ?? pickOutage(outages.get(exchange.path));
        if (!fault) return false;
        record.fault = fault.kind;
        if (fault.kind === "reset") {
          req.socket.destroy();
          return true;
        }
        if (fault.kind === "lostAnswer") {
          await forward();
          req.socket.destroy();
          return true;
        }
        if (fault.kind === "status") {
          send(fault.status, fault.body ?? "", fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return req.socket.destroyed;
      },
    },
  });

  return {
    ...double,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    injectFaults: (path, faults, where) => queued.set(path, [...(queued.get(path) ?? []), ...faults.map((fault) => ({ fault, where }))]),
    clearFaults: () => queued.clear(),
    duringOutage: async (path, fault, options, f) => {
      outages.set(path, { faults: [fault].flat(), fraction: options.fraction ?? 1, passesLeft: options.after ?? 0 });
      try {
        return await f();
      } finally {
        outages.delete(path);
      }
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setRateLimit: (perSecond) => {
      rateLimit = perSecond === undefined ? undefined : { perSecond, windowStart: 0, admitted: 0 };
    },
    peakInFlight: () => peak,
    resetPeakInFlight: () => {
      peak = inFlight;
    },
  };
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The one liberty in checking against the published schema: the fake names things `acs_user1`,
 * not by UUID, so `*_id` fields that are not UUIDs (at any depth, e.g. the groups of a pending
 * mutation) are checked as if they were one. Every other field, type and required key is checked
 * as published.
 */
function withUuidIds(value: unknown, key = ""): unknown {
  if (key.endsWith("_id") && typeof value === "string" && !uuidShape.test(value)) return "00000000-0000-4000-8000-000000000000";
  // Lists of ids (`acs_user_ids`, `space_ids`) hold ids too.
  if (Array.isArray(value)) return value.map((v) => withUuidIds(v, key.endsWith("_ids") ? "item_id" : ""));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUuidIds(v, k)]));
  return value;
}

interface Outage {
  /** One is picked at random for each request that fails. */
  readonly faults: Fault[];
  readonly fraction: number;
  passesLeft: number;
}

function pickOutage(outage: Outage | undefined): Fault | undefined {
  if (!outage) return undefined;
  if (outage.passesLeft > 0) {
    outage.passesLeft--;
    return undefined;
  }
  if (Math.random() >= outage.fraction) return undefined;
  return outage.faults[Math.floor(Math.random() * outage.faults.length)];
}

/** The adds and removes `fake` received since request `count`, as `add <acs_user_id>` / `remove <acs_user_id>`, in order. */
export function mutationsSince(fake: SeamFake, count: number): string[] {
  return fake.requests
    .slice(count)
    .filter((r) => r.path === addRoute || r.path === removeRoute)
    .map((r) => `${r.path === addRoute ? "add" : "remove"} ${(r.body as { acs_user_id: string }).acs_user_id}`);
}
