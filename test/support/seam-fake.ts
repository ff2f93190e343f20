/**
 * The test double: Seam's own fake (`@seamapi/fake-seam-connect`) behind a small front server that
 *  - records every request, so tests can count and inspect what the provider sent;
 *  - adds the access-group read routes the fake lacks (`/acs/access_groups/list|list_users|get`),
 *    answering from the fake's database in the shape of Seam's OpenAPI (`@seamapi/types`), each
 *    response checked against the published schema, and with the fake's own auth and 404s;
 *  - answers `/acs/users/get` and `/acs/users/list` itself from the fake's answer, adding what
 *    the fake lacks: `search`, the user-identity email filter and pagination on the list (as
 *    Seam's OpenAPI describes them), and `pending_mutations` a test sets (the fake has none; also
 *    in the acs_users of `/acs/access_groups/list_users`, as Seam lists them);
 *  - injects faults on demand (status codes with Retry-After, resets, slow answers), latency on
 *    every request, and a rate limit that answers 429 with Retry-After beyond R requests a second;
 *  - counts requests in flight, so tests can see the most the provider ever sent at once.
 * Everything else passes through to the fake untouched.
 */
import { createFake } from "@seamapi/fake-seam-connect";
import { schemas } from "@seamapi/types/connect";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
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

type Seed = Awaited<ReturnType<Awaited<ReturnType<typeof createFake>>["seed"]>>;

export interface SeamFake {
  /** Base URL of the front server: what the provider's endpoint points at. */
  readonly url: string;
  readonly seed: Seed;
  /** The workspace-1 API key of the fake's seed. */
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  /** Requests to one route, e.g. `/acs/users/remove_from_access_group`. */
  requestsTo(path: string): RecordedRequest[];
  /** Registers another API key for workspace 1: a canary whose every appearance is a leak. */
  addApiKey(token: string): void;
  addUser(fullName: string, workspaceId?: string, details?: UserDetails): string;
  addGroup(name: string, workspaceId?: string): string;
  membersOf(acsAccessGroupId: string): string[];
  /** Takes a user out of a group behind the provider's back. */
  removeOutOfBand(acsUserId: string, acsAccessGroupId: string): void;
  /** Puts a user in a group behind the provider's back (a grant made in the Seam console). */
  grantOutOfBand(acsUserId: string, acsAccessGroupId: string): void;
  deleteUser(acsUserId: string): void;
  deleteGroup(acsAccessGroupId: string): void;
  /** The next requests to `path` get these faults, one each, in order. */
  injectFaults(path: string, faults: Fault[]): void;
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
  /** The group's stored member list, duplicates included (a repeated add shows up twice). */
  storedMembersOf(acsAccessGroupId: string): string[];
  /**
   * From now on the user's `pending_mutations` (in `/acs/users/get`, `/acs/users/list` and
   * `/acs/access_groups/list_users`) are
   * `mutations`, each checked against Seam's schema; with `clearAfterPolls: n`, the first n
   * answers of `/acs/users/get` for the user show them and later ones show none.
   */
  setPendingMutations(acsUserId: string, mutations: PendingMutation[], options?: { clearAfterPolls?: number }): void;
  stop(): Promise<void>;
}

export interface UserDetails {
  /** `email_address`; the fake makes one up when it is not given. */
  readonly email?: string;
  /** `user_identity_email_address`: the email of the user identity the ACS user belongs to. */
  readonly userIdentityEmail?: string;
}

/** One of Seam's `acs_user.pending_mutations`, as the OpenAPI has them. */
export type PendingMutation = { readonly mutation_code: string; readonly created_at: string; readonly message: string } & Record<string, unknown>;

const userRoutes = new Set(["/acs/users/get", "/acs/users/list"]);

const shimRoutes = new Set(["/acs/access_groups/list", "/acs/access_groups/list_users", "/acs/access_groups/get"]);

export async function startSeamFake(): Promise<SeamFake> {
  const fake = await createFake();
  const seed = await fake.seed();
  await fake.startServer();
  const upstream = new URL(fake.serverUrl!);
  const db = () => (fake.database as unknown as { getState(): FakeState }).getState();
  const requests: RecordedRequest[] = [];
  const queued = new Map<string, Fault[]>();
  const outages = new Map<string, Outage>();
  const sockets = new Set<import("node:net").Socket>();
  let latencyMs = 0;
  let rateLimit: { perSecond: number; windowStart: number; admitted: number } | undefined;
  let inFlight = 0;
  let peak = 0;
  const pending = new Map<string, { mutations: PendingMutation[]; pollsLeft?: number }>();

  const server = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://front");
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      headers: req.headers,
      body: parseJson(raw) ?? Object.fromEntries(url.searchParams),
      at: Date.now(),
    };
    requests.push(record);
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.on("close", () => inFlight--);
    const send = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) => {
      record.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    try {
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (rateLimit) {
        const now = Date.now();
        if (now - rateLimit.windowStart >= 1_000) rateLimit = { ...rateLimit, windowStart: now, admitted: 0 };
        if (rateLimit.admitted >= rateLimit.perSecond) {
          const retryAfter = String(Math.max(1, Math.ceil((rateLimit.windowStart + 1_000 - now) / 1_000)));
          send(429, JSON.stringify({ error: { type: "rate_limited", message: "Too many requests" } }), { "content-type": "application/json", "retry-after": retryAfter });
          return;
        }
        rateLimit.admitted++;
      }
      const fault = queued.get(url.pathname)?.shift() ?? pickOutage(outages.get(url.pathname));
      if (fault) {
        record.fault = fault.kind;
        if (fault.kind === "reset") {
          req.socket.destroy();
          return;
        }
        if (fault.kind === "lostAnswer") {
          await forward(req.method ?? "GET", url.pathname + url.search, req.headers, raw);
          req.socket.destroy();
          return;
        }
        if (fault.kind === "status") {
          send(fault.status, fault.body ?? "", fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        if (req.socket.destroyed) return;
      }
      if (userRoutes.has(url.pathname)) {
        const answer = await answerUserRoute(url.pathname, record.body as Record<string, unknown>, req.headers);
        send(answer.status, JSON.stringify(answer.body), { "content-type": "application/json", "seam-request-id": answer.requestId });
        return;
      }
      if (shimRoutes.has(url.pathname)) {
        const answer = await answerAccessGroupRoute(url.pathname, record.body as Record<string, unknown>, req.headers);
        send(answer.status, JSON.stringify(answer.body), { "content-type": "application/json", "seam-request-id": answer.requestId });
        return;
      }
      const answer = await forward(req.method ?? "GET", url.pathname + url.search, req.headers, raw);
      send(answer.status, answer.text, answer.headers);
    } catch (e) {
      send(500, JSON.stringify({ error: { type: "test_double_error", message: String(e) } }), { "content-type": "application/json" });
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function forward(method: string, path: string, headers: http.IncomingHttpHeaders, body: string) {
    const passed: Record<string, string> = {};
    for (const name of ["authorization", "seam-workspace", "content-type"]) {
      const v = headers[name];
      if (typeof v === "string") passed[name] = v;
    }
    const res = await fetch(new URL(path, upstream), {
      method,
      headers: passed,
      body: method === "GET" || method === "HEAD" ? undefined : body,
    });
    const out: http.OutgoingHttpHeaders = {};
    for (const name of ["content-type", "seam-request-id", "retry-after"]) {
      const v = res.headers.get(name);
      if (v !== null) out[name] = v;
    }
    return { status: res.status, text: await res.text(), headers: out };
  }

  /** Asks the fake itself, so auth failures and 404s are exactly the fake's. */
  async function upstreamJson(path: string, headers: http.IncomingHttpHeaders, body: object) {
    const answer = await forward("POST", path, { ...headers, "content-type": "application/json" }, JSON.stringify(body));
    return { ...answer, json: parseJson(answer.text) as Record<string, any> };
  }

  /** The fake's user, with the pending mutations a test set (a `/acs/users/get` counts as a poll). */
  function presentUser(user: Record<string, unknown>, poll: boolean) {
    const id = user.acs_user_id as string;
    const overlay = pending.get(id);
    if (overlay && poll && overlay.pollsLeft !== undefined && --overlay.pollsLeft <= 0) pending.delete(id);
    return toAcsUser({ ...user, pending_mutations: overlay?.mutations ?? [] });
  }

  async function answerUserRoute(path: string, body: Record<string, unknown> = {}, headers: http.IncomingHttpHeaders) {
    const invalid = (message: string, requestId?: string) => ({
      status: 400,
      body: { error: { type: "invalid_input", message, validation_errors: {} }, ok: false },
      requestId,
    });
    if (path === "/acs/users/get") {
      const answer = await upstreamJson(path, headers, body);
      const requestId = answer.headers["seam-request-id"] as string;
      if (answer.status !== 200) return { status: answer.status, body: answer.json, requestId };
      return { status: 200, body: { acs_user: presentUser(answer.json.acs_user, true), ok: true }, requestId };
    }
    // The fake filters by workspace and system (and checks auth); the rest is done here. Its own
    // user-identity filter is not used: it returns every user when no identity matches.
    const answer = await upstreamJson(path, headers, typeof body.acs_system_id === "string" ? { acs_system_id: body.acs_system_id } : {});
    const requestId = answer.headers["seam-request-id"] as string;
    if (answer.status !== 200) return { status: answer.status, body: answer.json, requestId };
    const { search, limit = 500, page_cursor, user_identity_email_address } = body;
    if (search !== undefined && (typeof search !== "string" || search.length < 1)) return invalid("search must be a non-empty string", requestId);
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit <= 0) return invalid("limit must be a positive integer", requestId);
    let users: Record<string, unknown>[] = answer.json.acs_users;
    if (user_identity_email_address !== undefined) {
      const identities = new Set(
        (db().user_identities ?? []).filter((ui) => ui.email_address === user_identity_email_address).map((ui) => ui.user_identity_id),
      );
      users = users.filter(
        (u) => u.user_identity_email_address === user_identity_email_address || (u.user_identity_id !== undefined && identities.has(u.user_identity_id as string)),
      );
    }
    if (typeof search === "string") {
      // "A partial match using full_name, phone_number, email_address, acs_user_id,
      // user_identity_id, user_identity_full_name or user_identity_phone_number" (the OpenAPI).
      const needle = search.toLowerCase();
      const fields = ["full_name", "phone_number", "email_address", "acs_user_id", "user_identity_id", "user_identity_full_name", "user_identity_phone_number"];
      users = users.filter((u) => fields.some((f) => typeof u[f] === "string" && (u[f] as string).toLowerCase().includes(needle)));
    }
    let offset = 0;
    if (page_cursor !== undefined && page_cursor !== null) {
      const decoded = typeof page_cursor === "string" ? Number(Buffer.from(page_cursor, "base64").toString("utf8").replace(/^offset:/, "")) : NaN;
      if (!Number.isInteger(decoded) || decoded < 0) return invalid("page_cursor is not a cursor this route handed out", requestId);
      offset = decoded;
    }
    const page = users.slice(offset, offset + limit);
    const hasNext = offset + limit < users.length;
    const next = hasNext ? Buffer.from(`offset:${offset + limit}`).toString("base64") : null;
    const pagination = conforming(schemas.pagination, {
      has_next_page: hasNext,
      next_page_cursor: next,
      next_page_url: next === null ? null : `${url}${path}?page_cursor=${encodeURIComponent(next)}`,
    });
    return { status: 200, body: { acs_users: page.map((u) => presentUser(u, false)), pagination, ok: true }, requestId };
  }

  async function answerAccessGroupRoute(path: string, body: Record<string, unknown>, headers: http.IncomingHttpHeaders) {
    const ws = await upstreamJson("/workspaces/get", headers, {});
    const requestId = ws.headers["seam-request-id"] as string;
    if (ws.status !== 200) return { status: ws.status, body: ws.json, requestId };
    const workspaceId: string = ws.json.workspace.workspace_id;
    const groups = db().acs_access_groups.filter((g) => g.workspace_id === workspaceId);
    const invalid = (message: string) => ({
      status: 400,
      body: { error: { type: "invalid_input", message, validation_errors: {} }, ok: false },
      requestId,
    });
    const groupNotFound = { status: 404, body: { error: { type: "acs_access_group_not_found", message: "acs_access_group not found" }, ok: false }, requestId };

    if (path === "/acs/access_groups/list") {
      let selected = groups;
      if (body.acs_user_id !== undefined) {
        if (typeof body.acs_user_id !== "string") return invalid("acs_user_id must be a string");
        const user = await upstreamJson("/acs/users/get", headers, { acs_user_id: body.acs_user_id });
        if (user.status !== 200) return { status: user.status, body: user.json, requestId };
        selected = selected.filter((g) => g._acs_user_ids.includes(body.acs_user_id as string));
      }
      if (typeof body.acs_system_id === "string") selected = selected.filter((g) => g.acs_system_id === body.acs_system_id);
      return { status: 200, body: { acs_access_groups: selected.map(toAccessGroup), ok: true }, requestId };
    }
    if (typeof body.acs_access_group_id !== "string") return invalid("acs_access_group_id is required");
    const group = groups.find((g) => g.acs_access_group_id === body.acs_access_group_id);
    if (!group) return groupNotFound;
    if (path === "/acs/access_groups/get") return { status: 200, body: { acs_access_group: toAccessGroup(group), ok: true }, requestId };
    // The fake's own records (what its /acs/users/get answers), read at once: one HTTP round trip
    // per member would make a 1,000-member list cost the test double seconds.
    const records = new Map(db().acs_users.map((u: Record<string, unknown>) => [u.acs_user_id as string, u]));
    const users = [];
    for (const acsUserId of new Set(group._acs_user_ids)) {
      const user = records.get(acsUserId);
      // Seam lists each member as a whole acs_user, pending_mutations included.
      if (user && user.workspace_id === workspaceId) users.push(presentUser(user, false));
    }
    return { status: 200, body: { acs_users: users, ok: true }, requestId };
  }

  return {
    url,
    seed,
    apiKey: seed.seam_apikey1_token,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    addApiKey: (token) => {
      fake.database.addApiKey({ token, workspace_id: seed.seed_workspace_1 });
    },
    addUser: (fullName, workspaceId = seed.seed_workspace_1, details = {}) =>
      fake.database.addAcsUser({
        acs_system_id: seed.visionline_acs_system_1,
        workspace_id: workspaceId,
        full_name: fullName,
        external_type: "salto_site_user",
        ...(details.email !== undefined ? { email_address: details.email } : {}),
        ...(details.userIdentityEmail !== undefined ? { user_identity_email_address: details.userIdentityEmail } : {}),
      } as never).acs_user_id,
    addGroup: (name, workspaceId = seed.seed_workspace_1) =>
      fake.database.addAcsAccessGroup({
        acs_system_id: seed.visionline_acs_system_1,
        workspace_id: workspaceId,
        name,
        external_type: "salto_ks_access_group",
      } as never).acs_access_group_id,
    // A set: the fake stores a repeated add twice, Seam does not.
    membersOf: (groupId) => [...new Set(db().acs_access_groups.find((g) => g.acs_access_group_id === groupId)?._acs_user_ids ?? [])],
    grantOutOfBand: (acsUserId, acsAccessGroupId) =>
      fake.database.addAcsUserToAcsAccessGroup({ acs_user_id: acsUserId, acs_access_group_id: acsAccessGroupId } as never),
    removeOutOfBand: (acsUserId, acsAccessGroupId) =>
      fake.database.removeAcsUserFromAcsAccessGroup({ acs_user_id: acsUserId, acs_access_group_id: acsAccessGroupId }),
    deleteUser: (acsUserId) => setState((s) => ({ acs_users: s.acs_users.filter((u: { acs_user_id: string }) => u.acs_user_id !== acsUserId) })),
    deleteGroup: (groupId) => setState((s) => ({ acs_access_groups: s.acs_access_groups.filter((g) => g.acs_access_group_id !== groupId) })),
    injectFaults: (path, faults) => queued.set(path, [...(queued.get(path) ?? []), ...faults]),
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
    storedMembersOf: (groupId) => [...(db().acs_access_groups.find((g) => g.acs_access_group_id === groupId)?._acs_user_ids ?? [])],
    setPendingMutations: (acsUserId, mutations, options = {}) => {
      const user = db().acs_users.find((u: { acs_user_id: string }) => u.acs_user_id === acsUserId);
      if (!user) throw new Error(`setPendingMutations: the fake has no ACS user ${acsUserId}`);
      toAcsUser({ ...user, pending_mutations: mutations });
      pending.set(acsUserId, { mutations, pollsLeft: options.clearAfterPolls });
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.stopServer();
    },
  };

  function setState(update: (s: FakeState) => Partial<FakeState>) {
    (fake.database as unknown as { setState(u: (s: FakeState) => Partial<FakeState>): void }).setState(update);
  }
}

interface FakeAccessGroup {
  acs_access_group_id: string;
  acs_system_id: string;
  workspace_id: string;
  name: string;
  created_at: string;
  access_group_type: string;
  access_group_type_display_name: string;
  external_type: string;
  external_type_display_name: string;
  _acs_user_ids: string[];
  [key: string]: unknown;
}

interface FakeState {
  acs_access_groups: FakeAccessGroup[];
  acs_users: any[];
  acs_systems: { acs_system_id: string; connected_account_id?: string; connected_account_ids?: string[] }[];
  user_identities?: { user_identity_id: string; email_address?: string | null }[];
}

/** The fake's record as Seam's OpenAPI `acs_access_group`, validated against the published schema. */
function toAccessGroup(g: FakeAccessGroup) {
  const { _acs_user_ids, ...fields } = g;
  return conforming(schemas.acs_access_group, {
    connected_account_id: (g.connected_account_id as string | undefined) ?? "00000000-0000-0000-0000-000000000000",
    display_name: g.name,
    is_managed: true,
    errors: [],
    warnings: [],
    pending_mutations: [],
    ...fields,
    // The fake leaves these out for types it has no label for; Seam always sends them.
    access_group_type_display_name: g.access_group_type_display_name ?? g.access_group_type,
    external_type_display_name: g.external_type_display_name ?? g.external_type,
  });
}

/**
 * The fake's `acs_user` as Seam's OpenAPI has it, validated against the published schema. The
 * fake leaves out fields Seam always sends (required in the schema); they get neutral values.
 */
function toAcsUser(u: Record<string, unknown>) {
  return conforming(schemas.acs_user, {
    warnings: [],
    errors: [],
    last_successful_sync_at: null,
    connected_account_id: "00000000-0000-0000-0000-000000000000",
    is_managed: true,
    ...u,
  });
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * Checks `value` against a published schema and returns it unchanged. The one liberty: the
 * fake names things `acs_user1`, not by UUID, so `*_id` fields that are not UUIDs (at any depth,
 * e.g. the groups of a pending mutation) are checked as if they were one. Every other field,
 * type and required key is checked as published.
 */
function conforming<T extends Record<string, unknown>>(schema: { parse(v: unknown): unknown }, value: T): T {
  schema.parse(withUuidIds(value));
  return value;
}

function withUuidIds(value: unknown, key = ""): unknown {
  if (key.endsWith("_id") && typeof value === "string" && !uuidShape.test(value)) return "00000000-0000-4000-8000-000000000000";
  if (Array.isArray(value)) return value.map((v) => withUuidIds(v));
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

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
