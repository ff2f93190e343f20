/**
 * The test double: Seam's own fake (`@seamapi/fake-seam-connect`) behind a small front server that
 *  - records every request, so tests can count and inspect what the provider sent;
 *  - adds the access-group read routes the fake lacks (`/acs/access_groups/list|list_users|get`),
 *    answering from the fake's database in the shape of Seam's OpenAPI (`@seamapi/types`), each
 *    response checked against the published schema, and with the fake's own auth and 404s;
 *  - injects faults on demand (status codes with Retry-After, resets, slow answers).
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
  addUser(fullName: string, workspaceId?: string, email?: string): string;
  addGroup(name: string, workspaceId?: string): string;
  membersOf(acsAccessGroupId: string): string[];
  /** Takes a user out of a group behind the provider's back. */
  removeOutOfBand(acsUserId: string, acsAccessGroupId: string): void;
  deleteUser(acsUserId: string): void;
  deleteGroup(acsAccessGroupId: string): void;
  /** The next requests to `path` get these faults, one each, in order. */
  injectFaults(path: string, faults: Fault[]): void;
  /**
   * Runs `f` while requests to `path` fail with `fault` (one picked at random from a list): a
   * `fraction` (0–1) of them, once `after` requests have passed. The outage ends however `f` ends.
   */
  duringOutage<T>(path: string, fault: Fault | Fault[], options: OutageOptions, f: () => Promise<T>): Promise<T>;
  /** The group's stored member list, duplicates included (a repeated add shows up twice). */
  storedMembersOf(acsAccessGroupId: string): string[];
  stop(): Promise<void>;
}

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
    const send = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) => {
      record.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    try {
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
    const users = [];
    for (const acsUserId of new Set(group._acs_user_ids)) {
      const user = await upstreamJson("/acs/users/get", headers, { acs_user_id: acsUserId });
      if (user.status === 200) users.push(toAcsUser(user.json.acs_user));
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
    addUser: (fullName, workspaceId = seed.seed_workspace_1, email) =>
      fake.database.addAcsUser({
        acs_system_id: seed.visionline_acs_system_1,
        workspace_id: workspaceId,
        full_name: fullName,
        ...(email !== undefined ? { email_address: email } : {}),
        external_type: "salto_site_user",
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
    removeOutOfBand: (acsUserId, acsAccessGroupId) =>
      fake.database.removeAcsUserFromAcsAccessGroup({ acs_user_id: acsUserId, acs_access_group_id: acsAccessGroupId }),
    deleteUser: (acsUserId) => setState((s) => ({ acs_users: s.acs_users.filter((u: { acs_user_id: string }) => u.acs_user_id !== acsUserId) })),
    deleteGroup: (groupId) => setState((s) => ({ acs_access_groups: s.acs_access_groups.filter((g) => g.acs_access_group_id !== groupId) })),
    injectFaults: (path, faults) => queued.set(path, [...(queued.get(path) ?? []), ...faults]),
    duringOutage: async (path, fault, options, f) => {
      outages.set(path, { faults: [fault].flat(), fraction: options.fraction ?? 1, passesLeft: options.after ?? 0 });
      try {
        return await f();
      } finally {
        outages.delete(path);
      }
    },
    storedMembersOf: (groupId) => [...(db().acs_access_groups.find((g) => g.acs_access_group_id === groupId)?._acs_user_ids ?? [])],
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
 * fake names things `acs_user1`, not by UUID, so `*_id` fields that are not UUIDs are checked
 * as if they were one. Every other field, type and required key is checked as published.
 */
function conforming<T extends Record<string, unknown>>(schema: { parse(v: unknown): unknown }, value: T): T {
  const probe: Record<string, unknown> = { ...value };
  for (const [key, v] of Object.entries(probe)) {
    if (key.endsWith("_id") && typeof v === "string" && !uuidShape.test(v)) probe[key] = "00000000-0000-4000-8000-000000000000";
  }
  schema.parse(probe);
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
