import { ConfigSource, endpointSetting, resolveSettings, SeamSettings } from "../src/seam/settings";
import { SeamConfigError } from "../src/seam/errors";

const config = (values: Record<string, string> = {}): ConfigSource => ({ get: (key) => values[key] });
const apiKey = "seam_live_abc123";
const pat = "seam_at1_secretvalue";
const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln";

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeamConfigError);
    return e as Error;
  }
  throw new Error("expected a SeamConfigError");
}

describe("auth modes", () => {
  test("API key from the stack config, default endpoint", () => {
    const s = resolveSettings(config({ "seam:apiKey": apiKey }), {});
    expect(s.auth).toEqual({ mode: "apiKey", token: apiKey, source: "stack config" });
    expect(s.endpoint).toBe("https://connect.getseam.com");
  });

  test("personal access token with a workspace, from the environment", () => {
    const s = resolveSettings(config(), { SEAM_PERSONAL_ACCESS_TOKEN: pat, SEAM_WORKSPACE_ID: "ws1" });
    expect(s.auth).toEqual({ mode: "personalAccessToken", token: pat, workspaceId: "ws1", source: "environment" });
  });

  test("console session token with a workspace from config", () => {
    const s = resolveSettings(config({ "seam:consoleSessionToken": jwt, "seam:workspaceId": "ws2" }), {});
    expect(s.auth).toEqual({ mode: "consoleSessionToken", token: jwt, workspaceId: "ws2", source: "stack config" });
  });

  test("the stack config wins over the environment, as a whole", () => {
    const s = resolveSettings(config({ "seam:apiKey": apiKey, "seam:endpoint": "https://seam.example", "seam:workspaceId": "ws-config" }), {
      SEAM_PERSONAL_ACCESS_TOKEN: pat,
      SEAM_WORKSPACE_ID: "ws1",
      SEAM_ENDPOINT: "https://other.example",
    });
    expect(s.auth.mode).toBe("apiKey");
    expect(s.auth.source).toBe("stack config");
    expect(s.endpoint).toBe("https://seam.example");
  });

  test.each([
    ["an endpoint", { "seam:apiKey": apiKey }, { SEAM_ENDPOINT: "https://elsewhere.example" }, "SEAM_ENDPOINT", "seam:endpoint"],
    ["a workspace", { "seam:personalAccessToken": pat }, { SEAM_WORKSPACE_ID: "ws-shell" }, "SEAM_WORKSPACE_ID", "seam:workspaceId"],
    ["a workspace beside a complete config", { "seam:personalAccessToken": pat, "seam:endpoint": "https://seam.example" }, { SEAM_WORKSPACE_ID: "ws-shell" }, "SEAM_WORKSPACE_ID", "seam:workspaceId"],
  ])("a token from the stack config with %s only in the shell is an error naming both ways out", (_name, values, env, variable, key) => {
    const message = errorOf(() => resolveSettings(config(values), env)).message;
    expect(message).toContain(`The Seam token comes from the stack config, but ${variable} is set only in the environment`);
    expect(message).toContain(`set ${key} in the stack config`);
    expect(message).toContain(`or unset ${variable}`);
    expect(message).not.toContain(pat);
    expect(message).not.toContain(apiKey);
  });

  test("a token from the stack config goes where the stack config says, whatever the shell says beside it", () => {
    const s = resolveSettings(config({ "seam:personalAccessToken": pat, "seam:workspaceId": "ws-config", "seam:endpoint": "https://seam.example" }), {
      SEAM_WORKSPACE_ID: "ws-shell",
      SEAM_ENDPOINT: "https://elsewhere.example",
    });
    expect(s.auth.workspaceId).toBe("ws-config");
    expect(s.endpoint).toBe("https://seam.example");
  });

  test("a token from the environment may go where the stack config says", () => {
    const s = resolveSettings(config({ "seam:endpoint": "http://127.0.0.1:9", "seam:workspaceId": "ws-config" }), {
      SEAM_PERSONAL_ACCESS_TOKEN: pat,
      SEAM_WORKSPACE_ID: "ws-shell",
    });
    expect(s.endpoint).toBe("http://127.0.0.1:9");
    expect(s.auth.workspaceId).toBe("ws-config");
  });

  test("an empty variable counts as unset", () => {
    const s = resolveSettings(config(), { SEAM_API_KEY: "", SEAM_PERSONAL_ACCESS_TOKEN: pat, SEAM_WORKSPACE_ID: "w" });
    expect(s.auth.mode).toBe("personalAccessToken");
  });
});

describe("errors name the keys to set and never a token", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["none", () => resolveSettings(config(), {}), /No Seam credentials: set exactly one of seam:apiKey \(or SEAM_API_KEY\), seam:personalAccessToken .*seam:workspaceId/],
    ["two in config", () => resolveSettings(config({ "seam:apiKey": apiKey, "seam:personalAccessToken": pat }), {}), /Two Seam auth modes at once in the stack config: seam:apiKey and seam:personalAccessToken/],
    ["two in env", () => resolveSettings(config(), { SEAM_API_KEY: apiKey, SEAM_CONSOLE_SESSION_TOKEN: jwt }), /Two Seam auth modes at once in the environment: SEAM_API_KEY and SEAM_CONSOLE_SESSION_TOKEN/],
    ["PAT without workspace", () => resolveSettings(config({ "seam:personalAccessToken": pat }), {}), /seam:personalAccessToken is set but no workspace is.*needs seam:workspaceId in the stack config/],
    ["CST without workspace", () => resolveSettings(config(), { SEAM_CONSOLE_SESSION_TOKEN: jwt }), /SEAM_CONSOLE_SESSION_TOKEN is set but no workspace is/],
    ["PAT given as API key", () => resolveSettings(config({ "seam:apiKey": pat }), {}), /seam:apiKey should hold an API key.*looks like a personal access token; set it as seam:personalAccessToken instead/],
    ["API key given as PAT", () => resolveSettings(config({ "seam:personalAccessToken": apiKey, "seam:workspaceId": "w" }), {}), /should start with seam_at, but it looks like an API key/],
    ["publishable key", () => resolveSettings(config({ "seam:apiKey": "seam_pk1_abc" }), {}), /publishable key, which cannot manage access groups/],
    ["garbage token", () => resolveSettings(config({ "seam:consoleSessionToken": "hunter2", "seam:workspaceId": "w" }), {}), /does not look like any Seam token/],
    ["padded token", () => resolveSettings(config({ "seam:apiKey": `${apiKey}\n` }), {}), /seam:apiKey contains spaces, line breaks/],
    ["endpoint not a URL", () => resolveSettings(config({ "seam:apiKey": apiKey, "seam:endpoint": "connect dot seam" }), {}), /seam:endpoint \(or SEAM_ENDPOINT\) is not a URL/],
    ["endpoint not http", () => resolveSettings(config({ "seam:apiKey": apiKey, "seam:endpoint": "ftp://seam.example" }), {}), /must be an http\(s\) URL/],
    ["http to a remote host", () => resolveSettings(config({ "seam:apiKey": apiKey, "seam:endpoint": "http://seam.example" }), {}), /plain http to seam.example.*seam:allowInsecureHttp/],
    ["bad retry number", () => resolveSettings(config({ "seam:apiKey": apiKey, "seam:maxAttempts": "lots" }), {}), /seam:maxAttempts \(or SEAM_MAX_ATTEMPTS\) must be a number from 1 to 20/],
  ];
  test.each(cases)("%s", (_name, f, message) => {
    const error = errorOf(f);
    expect(error.message).toMatch(message);
    for (const token of [apiKey, pat, jwt, "hunter2", "seam_pk1_abc", "connect dot seam", "lots"]) expect(error.message).not.toContain(token);
  });
});

describe("endpoint and limits", () => {
  test("plain http is fine on loopback and allowed elsewhere only on request", () => {
    expect(resolveSettings(config({ "seam:apiKey": apiKey, "seam:endpoint": "http://127.0.0.1:3020/" }), {}).endpoint).toBe("http://127.0.0.1:3020");
    expect(resolveSettings(config({ "seam:apiKey": apiKey, "seam:endpoint": "http://localhost:3020" }), {}).endpoint).toBe("http://localhost:3020");
    expect(
      resolveSettings(config({ "seam:apiKey": apiKey, "seam:endpoint": "http://seam.internal", "seam:allowInsecureHttp": "true" }), {}).endpoint,
    ).toBe("http://seam.internal");
  });

  test("retry limits come from config or environment", () => {
    const s = resolveSettings(config({ "seam:apiKey": apiKey, "seam:maxAttempts": "3" }), { SEAM_OPERATION_TIMEOUT_SECONDS: "60", SEAM_REQUEST_TIMEOUT_SECONDS: "5" });
    expect(s.retry).toMatchObject({ maxAttempts: 3, operationTimeoutMs: 60_000, requestTimeoutMs: 5_000 });
  });

  test("the request budget: 8 by default, from config or environment, a whole number from 1 to 64", () => {
    expect(resolveSettings(config({ "seam:apiKey": apiKey }), {}).maxConcurrentRequests).toBe(8);
    expect(resolveSettings(config({ "seam:apiKey": apiKey, "seam:maxConcurrentRequests": "2" }), {}).maxConcurrentRequests).toBe(2);
    expect(resolveSettings(config(), { SEAM_API_KEY: apiKey, SEAM_MAX_CONCURRENT_REQUESTS: "64" }).maxConcurrentRequests).toBe(64);
    for (const bad of ["0", "65", "2.5", "many"]) {
      expect(errorOf(() => resolveSettings(config(), { SEAM_API_KEY: apiKey, SEAM_MAX_CONCURRENT_REQUESTS: bad })).message).toBe(
        "seam:maxConcurrentRequests (or SEAM_MAX_CONCURRENT_REQUESTS) must be a whole number from 1 to 64.",
      );
    }
  });
});

test("where the endpoint was set, as an unreachable Seam's error names it: the stack config, an explicit provider's argument, the environment, the default", () => {
  const key = { "seam:apiKey": apiKey };
  const site = (values: Record<string, string>) => ({ ...config(values), provider: 'provider "site-b"' });
  const cases: [SeamSettings, string][] = [
    [resolveSettings(config({ ...key, "seam:endpoint": "http://127.0.0.1:1" }), {}), "seam:endpoint in the stack config"],
    [resolveSettings(site({ ...key, "seam:endpoint": "http://127.0.0.1:1" }), {}), 'the endpoint argument of provider "site-b"'],
    [resolveSettings(config({}), { SEAM_API_KEY: apiKey, SEAM_ENDPOINT: "http://127.0.0.1:1" }), "SEAM_ENDPOINT in the environment"],
    [resolveSettings(site(key), {}), "the default endpoint: neither seam:endpoint nor SEAM_ENDPOINT is set"],
  ];
  expect(cases.map(([s]) => endpointSetting(s.endpointFrom, s.endpointProvider))).toEqual(cases.map(([, words]) => words));
});
