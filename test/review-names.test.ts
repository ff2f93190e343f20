import { namesSettings, namesTimeoutMs } from "../src/review/names";

const key = { SEAM_API_KEY: "seam_live_abc123" };

test("names give up after 30 s by default, not after a provider operation's 300 s", () => {
  expect(namesSettings(key).retry.operationTimeoutMs).toBe(namesTimeoutMs);
  expect(namesTimeoutMs).toBe(30_000);
});

test("an operation timeout the user sets is kept, longer or shorter", () => {
  expect(namesSettings({ ...key, SEAM_OPERATION_TIMEOUT_SECONDS: "120" }).retry.operationTimeoutMs).toBe(120_000);
  expect(namesSettings({ ...key, SEAM_OPERATION_TIMEOUT_SECONDS: "5" }).retry.operationTimeoutMs).toBe(5_000);
});

test("everything else is the provider's settings, errors included", () => {
  const s = namesSettings({ ...key, SEAM_MAX_CONCURRENT_REQUESTS: "3", SEAM_ENDPOINT: "http://127.0.0.1:9" });
  expect(s).toMatchObject({ endpoint: "http://127.0.0.1:9", maxConcurrentRequests: 3, auth: { mode: "apiKey", source: "environment" } });
  expect(() => namesSettings({})).toThrow(/No Seam credentials/);
});
