import { defaultSyncTimeoutMs, SeamSettings, SyncSettings } from "../../src/seam/settings";
import { defaultRetryPolicy, RetryPolicy } from "../../src/seam/retry-policy";
import { SeamClient } from "../../src/seam/client";
import { SeamFake, startSeamFake } from "./seam-fake";

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

/**
 * For a suite that talks to the local Seam through the one client: starts both before the suite
 * and stops them after it; the getters hold them while it runs.
 */
export function useFakeClient(retry: Partial<RetryPolicy> = {}): { readonly fake: SeamFake; readonly client: SeamClient } {
  const held = {} as { fake: SeamFake; client: SeamClient };
  beforeAll(async () => {
    held.fake = await startSeamFake();
    held.client = new SeamClient(fakeSettings(held.fake, retry));
  });
  afterAll(async () => {
    await held.client.close();
    await held.fake.stop();
  });
  return held;
}
