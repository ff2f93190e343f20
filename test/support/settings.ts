import { defaultSyncTimeoutMs, SeamSettings, SyncSettings } from "../../src/seam/settings";
import { defaultRetryPolicy, RetryPolicy } from "../../src/seam/retry-policy";
import type { SeamFake } from "./seam-fake";

/** Settings for the fake, with waits short enough for tests. */
export function fakeSettings(fake: SeamFake, retry: Partial<RetryPolicy> = {}, sync: Partial<SyncSettings> = {}): SeamSettings {
  return {
    endpoint: fake.url,
    auth: { mode: "apiKey", token: fake.apiKey, source: "environment" },
    retry: { ...defaultRetryPolicy, baseDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 2_000, operationTimeoutMs: 10_000, ...retry },
    maxConcurrentRequests: 8,
    sync: { waitForSync: false, timeoutMs: defaultSyncTimeoutMs, ...sync },
  };
}
