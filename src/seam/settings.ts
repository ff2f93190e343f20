import { SeamConfigError } from "./errors";
import { defaultRetryPolicy, RetryPolicy } from "./retry-policy";

/** Where settings are read from: the stack config (keys `seam:…`), as Pulumi's provider host hands it over. */
export interface ConfigSource {
  get(key: string): string | undefined;
  /**
   * Who sets these `seam:` keys when it is not the stack config: an explicit provider's arguments,
   * named as errors name it (e.g. `provider "site-b"`, native/provider-config.ts).
   */
  readonly provider?: string;
}

export type AuthMode = "apiKey" | "personalAccessToken" | "consoleSessionToken";

export interface SeamAuth {
  readonly mode: AuthMode;
  readonly token: string;
  /** Sent as `seam-workspace`; only for the modes that are not tied to one workspace. */
  readonly workspaceId?: string;
  readonly source: "stack config" | "environment";
}

export interface SeamSettings {
  /** Base URL without a trailing slash. */
  readonly endpoint: string;
  /**
   * Where `endpoint` came from, for errors that name it (a Seam that cannot be reached): the stack
   * config (`seam:endpoint`), the environment (`SEAM_ENDPOINT`) or the default. Absent in settings
   * made by hand (tests), which errors then describe as "seam:endpoint (or SEAM_ENDPOINT)".
   */
  readonly endpointFrom?: EndpointSource;
  /** With `endpointFrom` "provider arguments": the explicit provider, e.g. `provider "site-b"`. */
  readonly endpointProvider?: string;
  readonly auth: SeamAuth;
  readonly retry: RetryPolicy;
  /** Requests in flight to Seam at once from this process, whatever the engine's `--parallel`. */
  readonly maxConcurrentRequests: number;
  readonly sync: SyncSettings;
}

/** Whether create and delete wait until the access system has applied the change, and for how long. */
export interface SyncSettings {
  readonly waitForSync: boolean;
  readonly timeoutMs: number;
}

export type EndpointSource = "stack config" | "provider arguments" | "environment" | "default";

export const defaultSyncTimeoutMs = 300_000;
export const defaultMaxConcurrentRequests = 8;

export const defaultEndpoint = "https://connect.getseam.com";

/** One setting, as the stack config key and the environment variable that stand for it. */
interface Key {
  readonly config: string;
  readonly env: string;
}

const keys = {
  apiKey: { config: "seam:apiKey", env: "SEAM_API_KEY" },
  personalAccessToken: { config: "seam:personalAccessToken", env: "SEAM_PERSONAL_ACCESS_TOKEN" },
  consoleSessionToken: { config: "seam:consoleSessionToken", env: "SEAM_CONSOLE_SESSION_TOKEN" },
  workspaceId: { config: "seam:workspaceId", env: "SEAM_WORKSPACE_ID" },
  endpoint: { config: "seam:endpoint", env: "SEAM_ENDPOINT" },
  allowInsecureHttp: { config: "seam:allowInsecureHttp", env: "SEAM_ALLOW_INSECURE_HTTP" },
  maxAttempts: { config: "seam:maxAttempts", env: "SEAM_MAX_ATTEMPTS" },
  requestTimeoutSeconds: { config: "seam:requestTimeoutSeconds", env: "SEAM_REQUEST_TIMEOUT_SECONDS" },
  operationTimeoutSeconds: { config: "seam:operationTimeoutSeconds", env: "SEAM_OPERATION_TIMEOUT_SECONDS" },
  maxConcurrentRequests: { config: "seam:maxConcurrentRequests", env: "SEAM_MAX_CONCURRENT_REQUESTS" },
  waitForSync: { config: "seam:waitForSync", env: "SEAM_WAIT_FOR_SYNC" },
  syncTimeoutSeconds: { config: "seam:syncTimeoutSeconds", env: "SEAM_SYNC_TIMEOUT_SECONDS" },
} satisfies Record<string, Key>;

const tokenModes: readonly AuthMode[] = ["apiKey", "personalAccessToken", "consoleSessionToken"];

/**
 * Resolves endpoint, credentials and retry limits. When the stack config sets any token, the
 * token, workspace and endpoint all come from the stack config and the environment's are
 * ignored; otherwise the token comes from the environment, and workspace and endpoint from the
 * stack config or, failing that, the environment. Every error names the keys to set and never
 * repeats a token or the value that failed to parse.
 */
export function resolveSettings(config: ConfigSource, env: NodeJS.ProcessEnv): SeamSettings {
  const fromConfig = (key: Key) => nonEmpty(config.get(key.config));
  const fromEnv = (key: Key) => nonEmpty(env[key.env]);
  const either = (key: Key) => fromConfig(key) ?? fromEnv(key);
  // A token from the stack config goes only where the stack config says: an endpoint or workspace
  // exported in the shell must not receive it, nor redirect it to another workspace.
  const tokenInConfig = tokenModes.some((m) => fromConfig(keys[m]) !== undefined);
  const where = tokenInConfig ? fromConfig : either;
  if (tokenInConfig) refuseShellOnlyTarget(fromConfig, fromEnv);

  const endpoint = resolveEndpoint(where(keys.endpoint), parseBoolean(keys.allowInsecureHttp, where(keys.allowInsecureHttp)));
  const endpointFrom: EndpointSource =
    fromConfig(keys.endpoint) !== undefined
      ? config.provider
        ? "provider arguments"
        : "stack config"
      : !tokenInConfig && fromEnv(keys.endpoint) !== undefined
        ? "environment"
        : "default";
  const auth = tokenInConfig
    ? resolveAuth("stack config", (m) => fromConfig(keys[m]), fromConfig(keys.workspaceId))
    : resolveAuth("environment", (m) => fromEnv(keys[m]), either(keys.workspaceId));
  if (!auth) {
    throw new SeamConfigError(
      "No Seam credentials: set exactly one of " +
        tokenModes.map((m) => `${keys[m].config} (or ${keys[m].env})`).join(", ") +
        `; a personal access token or console session token also needs ${keys.workspaceId.config} (or ${keys.workspaceId.env}). ` +
        "Use `pulumi config set --secret` for tokens.",
    );
  }
  const maxConcurrentRequests = parseNumber(keys.maxConcurrentRequests, either(keys.maxConcurrentRequests), 1, 64, { whole: true });
  return {
    endpoint,
    endpointFrom,
    ...(endpointFrom === "provider arguments" ? { endpointProvider: config.provider } : {}),
    auth,
    retry: resolveRetry(either),
    maxConcurrentRequests: maxConcurrentRequests ?? defaultMaxConcurrentRequests,
    sync: resolveSync(either),
  };
}

/**
 * A token from the stack config with an endpoint or workspace only in the shell is ambiguous: the
 * shell's value is not used with a stack's token (it must not receive it, nor redirect it), and
 * silently ignoring it would send the token where the user did not expect. Nothing is sent.
 */
function refuseShellOnlyTarget(fromConfig: (key: Key) => string | undefined, fromEnv: (key: Key) => string | undefined): void {
  for (const key of [keys.endpoint, keys.workspaceId]) {
    if (fromEnv(key) === undefined || fromConfig(key) !== undefined) continue;
    throw new SeamConfigError(
      `The Seam token comes from the stack config, but ${key.env} is set only in the environment, and a stack's token is ` +
        `never sent where only the shell points. Either set ${key.config} in the stack config (\`pulumi config set ${key.config} …\`), ` +
        `or unset ${key.env}. Nothing was sent to Seam.`,
    );
  }
}

/**
 * Where the token of `auth` was set, as the user would write it: the stack config key (e.g.
 * `seam:apiKey`) when it came from the stack config, else the environment variable
 * (`SEAM_API_KEY`). For messages that say which credential to replace; never the token itself.
 */
export function tokenSetting(auth: Pick<SeamAuth, "mode" | "source">): string {
  return auth.source === "stack config" ? keys[auth.mode].config : keys[auth.mode].env;
}

/**
 * Where the endpoint was set, as a user would look for it: `seam:endpoint in the stack config`,
 * `SEAM_ENDPOINT in the environment`, or that neither is set (the default, Seam's own API).
 */
export function endpointSetting(from: EndpointSource | undefined, provider?: string): string {
  switch (from) {
    case "stack config":
      return `${keys.endpoint.config} in the stack config`;
    case "provider arguments":
      return `the endpoint argument of ${provider ?? "the explicit provider"}`;
    case "environment":
      return `${keys.endpoint.env} in the environment`;
    case "default":
      return `the default endpoint: neither ${keys.endpoint.config} nor ${keys.endpoint.env} is set`;
    default:
      return `${keys.endpoint.config} (or ${keys.endpoint.env})`;
  }
}

function resolveAuth(
  source: SeamAuth["source"],
  tokenFor: (mode: AuthMode) => string | undefined,
  workspaceId: string | undefined,
): SeamAuth | undefined {
  const present = tokenModes.filter((m) => tokenFor(m) !== undefined);
  if (present.length === 0) return undefined;
  const name = (mode: AuthMode) => tokenSetting({ mode, source });
  if (present.length > 1) {
    throw new SeamConfigError(
      `Two Seam auth modes at once in the ${source}: ${present.map(name).join(" and ")}. Keep exactly one.`,
    );
  }
  const mode = present[0]!;
  const token = tokenFor(mode)!;
  checkTokenShape(mode, token, name(mode));
  if (mode === "apiKey") return { mode, token, source };
  if (workspaceId === undefined) {
    throw new SeamConfigError(
      `${name(mode)} is set but no workspace is: a ${describeMode(mode)} works across workspaces, so Seam needs ` +
        (source === "stack config"
          ? `${keys.workspaceId.config} in the stack config (${keys.workspaceId.env} is not used with a token from the stack config) to know which one to change.`
          : `${keys.workspaceId.config} (or ${keys.workspaceId.env}) to know which one to change.`),
    );
  }
  checkPrintable(workspaceId, keys.workspaceId.config);
  return { mode, token, workspaceId, source };
}

function describeMode(mode: AuthMode): string {
  return { apiKey: "API key", personalAccessToken: "personal access token", consoleSessionToken: "console session token" }[mode];
}

function withArticle(noun: string): string {
  return `${/^[AEIOU]/i.test(noun) ? "an" : "a"} ${noun}`;
}

/** The kind a token's prefix says it is (the prefixes Seam's official client checks). */
function kindOfToken(token: string): AuthMode | "clientSessionToken" | "publishableKey" | "unknown" {
  if (token.startsWith("seam_at")) return "personalAccessToken";
  if (token.startsWith("seam_cst")) return "clientSessionToken";
  if (token.startsWith("seam_pk")) return "publishableKey";
  if (token.startsWith("ey")) return "consoleSessionToken";
  if (token.startsWith("seam_")) return "apiKey";
  return "unknown";
}

function checkTokenShape(mode: AuthMode, token: string, keyName: string): void {
  checkPrintable(token, keyName);
  const kind = kindOfToken(token);
  if (kind === mode) return;
  const expected = { apiKey: "start with seam_", personalAccessToken: "start with seam_at", consoleSessionToken: "be a JWT (starting with ey)" }[mode];
  const looksLike =
    kind === "unknown"
      ? "it does not look like any Seam token"
      : kind === "clientSessionToken" || kind === "publishableKey"
        ? `it looks like a ${kind === "clientSessionToken" ? "client session token" : "publishable key"}, which cannot manage access groups`
        : `it looks like ${withArticle(describeMode(kind))}; set it as ${keys[kind].config} instead`;
  throw new SeamConfigError(`${keyName} should hold ${withArticle(describeMode(mode))}, which should ${expected}, but ${looksLike}.`);
}

/** Tokens and ids travel in headers: a pasted space or newline would corrupt the request or the log line. */
function checkPrintable(value: string, keyName: string): void {
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new SeamConfigError(`${keyName} contains spaces, line breaks or other characters that cannot be sent in a header; check for stray whitespace.`);
  }
}

function resolveEndpoint(value: string | undefined, allowInsecureHttp: boolean): string {
  const text = value ?? defaultEndpoint;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The value is not repeated: a token pasted into the wrong key must not be printed.
    throw new SeamConfigError(`${keys.endpoint.config} (or ${keys.endpoint.env}) is not a URL (expected e.g. ${defaultEndpoint}).`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new SeamConfigError(`${keys.endpoint.config} must be an http(s) URL, not ${url.protocol}.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new SeamConfigError(`${keys.endpoint.config} must be a plain base URL, without credentials, query or fragment.`);
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
    throw new SeamConfigError(
      `${keys.endpoint.config} uses plain http to ${url.hostname}, which would send the Seam token unencrypted. ` +
        `Use https, or set ${keys.allowInsecureHttp.config} to true if you really mean it.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function resolveRetry(either: (key: Key) => string | undefined): RetryPolicy {
  const seconds = (key: Key, fallbackMs: number, max: number) => {
    const v = parseNumber(key, either(key), 1, max);
    return v === undefined ? fallbackMs : v * 1000;
  };
  const maxAttempts = parseNumber(keys.maxAttempts, either(keys.maxAttempts), 1, 20);
  return {
    ...defaultRetryPolicy,
    maxAttempts: maxAttempts === undefined ? defaultRetryPolicy.maxAttempts : Math.floor(maxAttempts),
    requestTimeoutMs: seconds(keys.requestTimeoutSeconds, defaultRetryPolicy.requestTimeoutMs, 600),
    operationTimeoutMs: seconds(keys.operationTimeoutSeconds, defaultRetryPolicy.operationTimeoutMs, 3600),
  };
}

function resolveSync(either: (key: Key) => string | undefined): SyncSettings {
  const seconds = parseNumber(keys.syncTimeoutSeconds, either(keys.syncTimeoutSeconds), 1, 3600);
  return {
    waitForSync: parseBoolean(keys.waitForSync, either(keys.waitForSync)),
    timeoutMs: seconds === undefined ? defaultSyncTimeoutMs : seconds * 1000,
  };
}

function parseNumber(key: Key, value: string | undefined, min: number, max: number, options: { whole?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (options.whole && !Number.isInteger(n))) {
    throw new SeamConfigError(`${key.config} (or ${key.env}) must be a ${options.whole ? "whole " : ""}number from ${min} to ${max}.`);
  }
  return n;
}

function parseBoolean(key: Key, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new SeamConfigError(`${key.config} (or ${key.env}) must be true or false.`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
