import { RetryNotice, SeamClient } from "../src/seam/client";
import net from "node:net";
import { SeamApiError, SeamUnreachableError } from "../src/seam/errors";
import { RequestBudget } from "../src/seam/request-budget";
import { addRoute as route, SeamFake, startSeamFake } from "./support/seam-fake";
import { fakeSettings } from "./support/settings";

let fake: SeamFake;
beforeAll(async () => {
  fake = await startSeamFake();
});
afterAll(() => fake.stop());



async function withClient<T>(retry: Parameters<typeof fakeSettings>[1], f: (c: SeamClient, notices: RetryNotice[]) => Promise<T>) {
  const notices: RetryNotice[] = [];
  const client = new SeamClient(fakeSettings(fake, retry), { onRetry: (n) => notices.push(n) });
  try {
    return await f(client, notices);
  } finally {
    await client.close();
  }
}

function pair() {
  return { acsUserId: fake.addUser("Ada"), acsAccessGroupId: fake.addGroup("Lobby") };
}

test("three 503s with empty bodies, then success: the add lands once the fault passes", async () => {
  const ids = pair();
  fake.injectFaults(route, [{ kind: "status", status: 503 }, { kind: "status", status: 503 }, { kind: "status", status: 503 }]);
  const before = fake.requestsTo(route).length;
  await withClient({}, async (client, notices) => {
    await client.addUserToAccessGroup(ids);
    expect(notices.map((n) => n.attempt)).toEqual([1, 2, 3]);
  });
  expect(fake.requestsTo(route).slice(before).map((r) => r.status ?? r.fault)).toEqual([503, 503, 503, 200]);
  expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
});

test("429 with Retry-After waits at least that long", async () => {
  const ids = pair();
  fake.injectFaults(route, [{ kind: "status", status: 429, retryAfter: "1" }]);
  const before = fake.requestsTo(route).length;
  await withClient({}, (client) => client.addUserToAccessGroup(ids));
  const [limited, retried] = fake.requestsTo(route).slice(before);
  expect(limited!.status).toBe(429);
  expect(retried!.status).toBe(200);
  expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(1_000);
});

test("a connection reset mid-request is retried", async () => {
  const ids = pair();
  fake.injectFaults(route, [{ kind: "reset" }]);
  await withClient({}, async (client, notices) => {
    await client.addUserToAccessGroup(ids);
    expect(notices[0]!.outcome.kind).toBe("network");
  });
  expect(fake.membersOf(ids.acsAccessGroupId)).toEqual([ids.acsUserId]);
});

test("an answer slower than the request timeout is abandoned and retried", async () => {
  const ids = pair();
  fake.injectFaults(route, [{ kind: "delay", ms: 1_500 }]);
  await withClient({ requestTimeoutMs: 300 }, async (client, notices) => {
    await client.addUserToAccessGroup(ids);
    expect(notices[0]!.outcome).toEqual({ kind: "timeout" });
  });
  expect(fake.membersOf(ids.acsAccessGroupId)).toContain(ids.acsUserId);
});

test("a lasting outage ends within the deadline with a clear error", async () => {
  const ids = pair();
  const started = Date.now();
  const error = await fake.duringOutage(route, { kind: "status", status: 503 }, {}, () =>
    withClient({ maxAttempts: 50, operationTimeoutMs: 4_000, requestTimeoutMs: 500 }, (client) => client.addUserToAccessGroup(ids).catch((e) => e)),
  );
  // Ends at the deadline, not after 50 attempts: a bound on behaviour, with room for a slow machine.
  expect(Date.now() - started).toBeLessThan(4_000 + 1_500);
  expect(error.message).toMatch(/Adding the user to the access group failed .*HTTP 503 with no Seam error body/);
  expect(error.attempts).toBeGreaterThan(2);
  expect(error.attempts).toBeLessThan(50);
  expect(error.message).toContain(`${error.attempts} attempts`);
  expect(error.message).toContain("gave up: the next attempt would pass the 4 s operation deadline");
  expect(error.message).not.toContain(fake.apiKey);
});

test("attempts are bounded", async () => {
  const ids = pair();
  const before = fake.requestsTo(route).length;
  const error = await fake.duringOutage(route, { kind: "status", status: 502 }, {}, () =>
    withClient({ maxAttempts: 3 }, (client) => client.addUserToAccessGroup(ids).catch((e) => e)),
  );
  expect(error.attempts).toBe(3);
  expect(error.message).toContain("gave up after 3 attempts");
  expect(fake.requestsTo(route).length - before).toBe(3);
});

test("a request that finds no place in the budget in time is not sent, and its outcome is not unknown", async () => {
  const ids = pair();
  const budget = new RequestBudget({ maxInFlight: 1 });
  const client = new SeamClient(fakeSettings(fake, { operationTimeoutMs: 2_000, requestTimeoutMs: 1_000 }), { budget });
  const held = (await budget.acquire())!; // every place taken, e.g. by other resources' requests
  const before = fake.requestsTo(route).length;
  const started = Date.now();
  try {
    const error = await client.addUserToAccessGroup(ids).catch((e) => e);
    // It gave up once no fair window (1 s) was left before the 2 s deadline, not at the deadline.
    expect(Date.now() - started).toBeLessThan(1_800);
    expect(error).toBeInstanceOf(SeamApiError);
    expect(error.message).toMatch(/not sent: no place in the request budget \(seam:maxConcurrentRequests, 8 at once\) before the operation deadline \(seam:operationTimeoutSeconds, 2 s\)/);
    expect(error.outcomeUnknown).toBe(false);
    expect(fake.requestsTo(route).length).toBe(before);
  } finally {
    held({ kind: "done" });
    await client.close();
  }
});

describe("a Seam that cannot be reached", () => {
  /** A loopback port nothing listens on. */
  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  test.each([
    ["refuses connections", async (): Promise<string> => `http://127.0.0.1:${await closedPort()}`, "environment", /the connection to 127\.0\.0\.1:\d+ was refused \(ECONNREFUSED\): nothing listens there; check that Seam runs there .* and that SEAM_ENDPOINT names it/],
    ["has a name that does not resolve", async (): Promise<string> => "https://seam.invalid", "stack config", /the host name seam\.invalid does not resolve \(ENOTFOUND\); check the spelling of seam:endpoint/],
  ] as const)("an endpoint that %s: one error naming it and where it was set, within seconds, with the full retry budget; later requests are not sent", async (_what, endpoint, from, why) => {
    const url = await endpoint();
    const client = new SeamClient({ ...fakeSettings(fake, { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000, operationTimeoutMs: 300_000 }), endpoint: url, endpointFrom: from });
    try {
      const started = Date.now();
      const error = await client.removeUserFromAccessGroup({ acsUserId: "u", acsAccessGroupId: "g" }).catch((e) => e);
      const seconds = (Date.now() - started) / 1000;
      expect(error).toBeInstanceOf(SeamUnreachableError);
      const where = from === "environment" ? "SEAM_ENDPOINT in the environment" : "seam:endpoint in the stack config";
      expect(error.message).toContain(`Removing the user from the access group failed: Seam could not be reached at ${url} (${where}): `);
      expect(error.message).toMatch(why);
      expect(error.message).toMatch(/Nothing was changed at Seam \[\/acs\/users\/remove_from_access_group; [1-5] attempts?\]$/);
      expect(error.message).not.toContain("\n");
      // Nothing reached Seam: a delete need not check whether the remove took effect.
      expect(error.outcomeUnknown).toBe(false);
      // No message and no frame in what the dynamic-provider host prints beside it.
      expect(`${error}: ${error.stack}`).not.toContain(url);
      expect(`${error}: ${error.stack}`).not.toMatch(/\.ts:\d+|\.js:\d+/);
      // A few seconds of tries, not eight attempts over most of a minute (bound with room for a loaded machine).
      expect(seconds).toBeLessThan(8);
      expect(client.unreachable).toBe(error);

      // The next request of the same run is not sent, and does not name the endpoint again.
      const again = Date.now();
      const next = await client.listAccessGroups().catch((e) => e);
      expect(Date.now() - again).toBeLessThan(1_000);
      expect(next).toBeInstanceOf(SeamUnreachableError);
      expect(next.message).not.toContain(url);
      expect(next.message).toMatch(/^Listing the workspace's access groups was not sent: Seam could not be reached \(an earlier error of this run names the endpoint and what to check\)/);
    } finally {
      await client.close();
    }
  }, 30_000);
});
