/**
 * A local Seam for trying programs and for this package's tests: Seam's own fake
 * (`@seamapi/fake-seam-connect`) behind a small front server that adds what the provider uses and
 * the fake lacks, in the shape of Seam's OpenAPI:
 *  - the access-group read routes `/acs/access_groups/list|list_users|get`, answered from the
 *    fake's database with the fake's own auth and 404s;
 *  - the door reads `/acs/access_groups/list_accessible_entrances` and `/acs/entrances/get|list`
 *    (which entrances a group opens is set with `setGroupEntrances`: the fake has no such link),
 *    and a group's `pending_mutations` (e.g. `updating_entrance_membership`) set with
 *    `setGroupPendingMutations`;
 *  - the user-identity reads `/user_identities/get|list|list_acs_users`, and the
 *    `user_identity_id` filter of `/acs/access_groups/list` (the fake answers 500 or 404);
 *  - on `/acs/users/get` and `/acs/users/list`: `search`, the user-identity email filter and
 *    pagination on the list, and `pending_mutations` set through `setPendingMutations` (the
 *    fake has none; also in the acs_users of `list_users`);
 *  - an API key or personal access token the fake does not know (never made, or revoked) is
 *    answered 401 unauthorized on every route, as Seam answers it (see `unknownToken`).
 * Everything else passes through to the fake untouched. Used by `pulumi-seam-acs dev-server`,
 * the demo and the tests (which add faults and counters through `hooks`; test/support/seam-fake.ts).
 *
 * The fake is an optional peer dependency (it weighs about 50 MB; a deployment never needs it):
 * `loadFake` says how to install it when it is missing.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createRequire } from "node:module";

/** One request as the double saw it; hooks may add to it (a test records a fault here). */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The JSON body, or the query string's parameters when there is no body. */
  readonly body: unknown;
  readonly raw: string;
  readonly search: string;
  readonly at: number;
  status?: number;
  [extra: string]: unknown;
}

export interface ExchangeControl {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  /** Answers the request (and records the status on the exchange). */
  send(status: number, body: string, headers?: http.OutgoingHttpHeaders): void;
  /** Passes the request to the fake as it came, without answering it. */
  forward(): Promise<{ status: number; text: string; headers: http.OutgoingHttpHeaders }>;
}

export interface SeamDoubleHooks {
  /** Runs first for every request; returns true when it answered the request itself (a fault, a limit). */
  intercept?(exchange: Exchange, control: ExchangeControl): Promise<boolean>;
  /** Checks a record the double made up against Seam's published schema (tests pass @seamapi/types); throws if it does not fit. */
  conform?(kind: "acs_user" | "acs_access_group" | "pagination" | "acs_entrance" | "user_identity", value: Record<string, unknown>): void;
}

export interface SeamDoubleOptions {
  /** TCP port of the front server; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Default 127.0.0.1: a local Seam is for this machine only. */
  readonly host?: string;
  readonly hooks?: SeamDoubleHooks;
}

export interface UserDetails {
  /** `email_address`; the fake makes one up when it is not given. */
  readonly email?: string;
  /** `user_identity_email_address`: the email of the user identity the ACS user belongs to. */
  readonly userIdentityEmail?: string;
  /** The access system (default: the seed's `visionline_acs_system_1`). */
  readonly acsSystemId?: string;
}

/** One of Seam's `acs_user.pending_mutations`, as the OpenAPI has them. */
export type PendingMutation = { readonly mutation_code: string; readonly created_at: string; readonly message: string } & Record<string, unknown>;

/** What the fake's `seed()` returns: workspace ids, API keys, the ACS system. */
export type FakeSeed = Record<string, string> & { seed_workspace_1: string; seam_apikey1_token: string; visionline_acs_system_1: string };

export interface SeamDouble {
  /** Base URL of the front server: what `seam:endpoint` points at. */
  readonly url: string;
  readonly seed: FakeSeed;
  /** The workspace-1 API key of the fake's seed. */
  readonly apiKey: string;
  addApiKey(token: string): void;
  /** Deletes the API key, as revoking it in the Seam console does: the fake then answers its requests 401 (`API Key not found`). */
  revokeApiKey(token: string): void;
  /** Adds a personal access token (`seam_at<id>_<secret>`), as the fake stores one: by its short token and the hash of its secret. */
  addPersonalAccessToken(token: string): void;
  /** Deletes the personal access token: the fake then answers its requests 401 (`Access token not found`). */
  revokePersonalAccessToken(token: string): void;
  addUser(fullName: string, workspaceId?: string, details?: UserDetails): string;
  /** An access group of `acsSystemId` (default: the seed's access system). */
  addGroup(name: string, workspaceId?: string, acsSystemId?: string): string;
  /** A second (third, …) access system in workspace 1, for people with ACS users in several. */
  addAcsSystem(name: string): string;
  /** An entrance (door) of `acsSystemId` (default: the seed's access system). */
  addEntrance(name: string, acsSystemId?: string): string;
  /** From now on the group opens exactly these entrances (`list_accessible_entrances`). */
  setGroupEntrances(acsAccessGroupId: string, acsEntranceIds: readonly string[]): void;
  /** From now on the group's `pending_mutations` are these (e.g. `updating_entrance_membership`). */
  setGroupPendingMutations(acsAccessGroupId: string, mutations: PendingMutation[]): void;
  /** A user identity (one person across access systems) of workspace 1, linked to these ACS users. */
  addUserIdentity(details: { email?: string; fullName?: string }, acsUserIds: readonly string[]): string;
  /** The group's members, each once (the fake stores a repeated add twice; Seam does not). */
  membersOf(acsAccessGroupId: string): string[];
  /** The group's stored member list, duplicates included. */
  storedMembersOf(acsAccessGroupId: string): string[];
  /** Takes a user out of a group behind the provider's back. */
  removeOutOfBand(acsUserId: string, acsAccessGroupId: string): void;
  /** Puts a user in a group behind the provider's back (a grant made in the Seam console). */
  grantOutOfBand(acsUserId: string, acsAccessGroupId: string): void;
  deleteUser(acsUserId: string): void;
  deleteGroup(acsAccessGroupId: string): void;
  /** Users and groups of workspace 1, with names, for a summary. */
  snapshot(): { users: { acsUserId: string; fullName: string }[]; groups: { acsAccessGroupId: string; name: string; members: string[] }[] };
  /**
   * From now on the user's `pending_mutations` (in `/acs/users/get`, `/acs/users/list` and the
   * acs_users of `/acs/access_groups/list_users`, as Seam lists them) are
   * `mutations`; with `clearAfterPolls: n`, the first n answers of `/acs/users/get` show them.
   */
  setPendingMutations(acsUserId: string, mutations: PendingMutation[], options?: { clearAfterPolls?: number }): void;
  stop(): Promise<void>;
}

export const fakePackage = "@seamapi/fake-seam-connect";
/** The version this package is tested with (its devDependency). */
export const fakeVersion = "1.86.0";

type CreateFake = () => Promise<{
  seed(): Promise<FakeSeed>;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  serverUrl?: string;
  database: any;
}>;

/**
 * Seam's fake, resolved from the current project first (where `npm install --save-dev` puts it),
 * then from this package. Throws an Error with the install command when it is in neither.
 */
export function loadFake(cwd: string = process.cwd()): { createFake: CreateFake } {
  for (const from of [path.join(cwd, "noop.js"), __filename]) {
    try {
      return createRequire(from)(fakePackage);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  throw new Error(
    `A local Seam needs Seam's fake, ${fakePackage}, which is not installed (it is an optional peer dependency: a deployment never needs it). ` +
      `Install it next to pulumi-seam-acs: npm install --save-dev ${fakePackage}@${fakeVersion}`,
  );
}

const userRoutes = new Set(["/acs/users/get", "/acs/users/list"]);
const shimRoutes = new Set(["/acs/access_groups/list", "/acs/access_groups/list_users", "/acs/access_groups/get", "/acs/access_groups/list_accessible_entrances"]);
const doorRoutes = new Set(["/acs/entrances/get", "/acs/entrances/list", "/user_identities/get", "/user_identities/list", "/user_identities/list_acs_users"]);

/** Starts Seam's fake and the front server; `stop()` ends both. */
export async function startSeamDouble(options: SeamDoubleOptions = {}): Promise<SeamDouble> {
  const hooks = options.hooks ?? {};
  const conform = (kind: Parameters<NonNullable<SeamDoubleHooks["conform"]>>[0], value: Record<string, unknown>) => {
    hooks.conform?.(kind, value);
    return value;
  };
  const fake = await loadFake().createFake();
  const seed = await fake.seed();
  await fake.startServer();
  const upstream = new URL(fake.serverUrl!);
  const db = () => (fake.database as { getState(): FakeState }).getState();
  const sockets = new Set<import("node:net").Socket>();
  const pending = new Map<string, { mutations: PendingMutation[]; pollsLeft?: number }>();
  const groupEntrances = new Map<string, string[]>();
  const groupPending = new Map<string, PendingMutation[]>();

  const server = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://front");
    const exchange: Exchange = {
      method: req.method ?? "GET",
      path: url.pathname,
      search: url.search,
      headers: req.headers,
      raw,
      body: parseJson(raw) ?? Object.fromEntries(url.searchParams),
      at: Date.now(),
    };
    const send = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) => {
      exchange.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    const passOn = () => forward(exchange.method, url.pathname + url.search, req.headers, raw);
    try {
      if (hooks.intercept && (await hooks.intercept(exchange, { req, res, send, forward: passOn }))) return;
      const refused = unknownToken(req.headers.authorization);
      if (refused) {
        const requestId = String(fake.database.getNextRequestId());
        send(401, JSON.stringify({ error: { type: "unauthorized", message: refused }, ok: false }), { "content-type": "application/json", "seam-request-id": requestId });
        return;
      }
      if (userRoutes.has(url.pathname)) {
        const answer = await answerUserRoute(url.pathname, exchange.body as Record<string, unknown>, req.headers);
        send(answer.status, JSON.stringify(answer.body), { "content-type": "application/json", "seam-request-id": answer.requestId });
        return;
      }
      if (doorRoutes.has(url.pathname)) {
        const answer = await answerDoorRoute(url.pathname, (exchange.body ?? {}) as Record<string, unknown>, req.headers);
        send(answer.status, JSON.stringify(answer.body), { "content-type": "application/json", "seam-request-id": answer.requestId });
        return;
      }
      if (shimRoutes.has(url.pathname)) {
        const answer = await answerAccessGroupRoute(url.pathname, exchange.body as Record<string, unknown>, req.headers);
        send(answer.status, JSON.stringify(answer.body), { "content-type": "application/json", "seam-request-id": answer.requestId });
        return;
      }
      const answer = await passOn();
      send(answer.status, answer.text, answer.headers);
    } catch (e) {
      if (!res.headersSent && !res.destroyed) send(500, JSON.stringify({ error: { type: "seam_double_error", message: String(e) } }), { "content-type": "application/json" });
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  }).catch(async (e) => {
    await fake.stopServer();
    throw e;
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  async function forward(method: string, path: string, headers: http.IncomingHttpHeaders, body: string) {
    const passed: Record<string, string> = {};
    for (const name of ["authorization", "seam-workspace", "content-type"]) {
      const v = headers[name];
      if (typeof v === "string") passed[name] = v;
    }
    const res = await fetch(new URL(path, upstream), { method, headers: passed, body: method === "GET" || method === "HEAD" ? undefined : body });
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

  /** The fake's user, with the pending mutations set for it (a `/acs/users/get` counts as a poll). */
  function presentUser(user: Record<string, unknown>, poll: boolean) {
    const id = user.acs_user_id as string;
    const overlay = pending.get(id);
    if (overlay && poll && overlay.pollsLeft !== undefined && --overlay.pollsLeft <= 0) pending.delete(id);
    return toAcsUser({ ...user, pending_mutations: overlay?.mutations ?? [] });
  }

  /** The fake's `acs_user` as Seam's OpenAPI has it: the fake leaves out fields Seam always sends. */
  function toAcsUser(u: Record<string, unknown>) {
    return conform("acs_user", {
      warnings: [],
      errors: [],
      last_successful_sync_at: null,
      connected_account_id: "00000000-0000-0000-0000-000000000000",
      is_managed: true,
      ...u,
    });
  }

  /** The fake's record as Seam's OpenAPI `acs_access_group`. */
  function toAccessGroup(g: FakeAccessGroup) {
    const { _acs_user_ids, ...fields } = g;
    return conform("acs_access_group", {
      connected_account_id: (g.connected_account_id as string | undefined) ?? "00000000-0000-0000-0000-000000000000",
      display_name: g.name,
      is_managed: true,
      errors: [],
      warnings: [],
      ...fields,
      pending_mutations: groupPending.get(g.acs_access_group_id) ?? [],
      // The fake leaves these out for types it has no label for; Seam always sends them.
      access_group_type_display_name: g.access_group_type_display_name ?? g.access_group_type,
      external_type_display_name: g.external_type_display_name ?? g.external_type,
    });
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
    const pagination = conform("pagination", {
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
    const invalid = (message: string) => ({ status: 400, body: { error: { type: "invalid_input", message, validation_errors: {} }, ok: false }, requestId });
    const groupNotFound = { status: 404, body: { error: { type: "acs_access_group_not_found", message: "acs_access_group not found" }, ok: false }, requestId };

    if (path === "/acs/access_groups/list") {
      let selected = groups;
      if (body.acs_user_id !== undefined) {
        if (typeof body.acs_user_id !== "string") return invalid("acs_user_id must be a string");
        const user = await upstreamJson("/acs/users/get", headers, { acs_user_id: body.acs_user_id });
        if (user.status !== 200) return { status: user.status, body: user.json, requestId };
        selected = selected.filter((g) => g._acs_user_ids.includes(body.acs_user_id as string));
      }
      if (body.user_identity_id !== undefined) {
        if (typeof body.user_identity_id !== "string") return invalid("user_identity_id must be a string");
        const identity = (db().user_identities ?? []).find((ui) => ui.user_identity_id === body.user_identity_id && ui.workspace_id === workspaceId);
        if (!identity) return { status: 404, body: { error: { type: "user_identity_not_found", message: "user_identity not found" }, ok: false }, requestId };
        const linked = new Set(identityAcsUsers(identity.user_identity_id).map((u) => u.acs_user_id as string));
        selected = selected.filter((g) => g._acs_user_ids.some((id) => linked.has(id)));
      }
      if (typeof body.acs_system_id === "string") selected = selected.filter((g) => g.acs_system_id === body.acs_system_id);
      return { status: 200, body: { acs_access_groups: selected.map(toAccessGroup), ok: true }, requestId };
    }
    if (typeof body.acs_access_group_id !== "string") return invalid("acs_access_group_id is required");
    const group = groups.find((g) => g.acs_access_group_id === body.acs_access_group_id);
    if (!group) return groupNotFound;
    if (path === "/acs/access_groups/get") return { status: 200, body: { acs_access_group: toAccessGroup(group), ok: true }, requestId };
    if (path === "/acs/access_groups/list_accessible_entrances") {
      const ids = new Set(groupEntrances.get(group.acs_access_group_id) ?? []);
      const entrances = db().acs_entrances.filter((e) => ids.has(e.acs_entrance_id as string));
      return { status: 200, body: { acs_entrances: entrances.map(toEntrance), ok: true }, requestId };
    }
    // The fake's own records (what its /acs/users/get answers), read at once: one HTTP round trip
    // per member would make a 1,000-member list cost the double seconds.
    const records = new Map(db().acs_users.map((u: Record<string, unknown>) => [u.acs_user_id as string, u]));
    const users = [];
    for (const acsUserId of new Set(group._acs_user_ids)) {
      const user = records.get(acsUserId);
      // Seam lists each member as a whole acs_user, pending_mutations included.
      if (user && user.workspace_id === workspaceId) users.push(presentUser(user, false));
    }
    return { status: 200, body: { acs_users: users, ok: true }, requestId };
  }

  /**
   * Seam answers a request with an API key or personal access token it does not know (never made,
   * or revoked) 401 unauthorized, on every route. The fake tries each auth mode a route accepts
   * and answers with the complaint of the last one: on `/workspaces/get`, whose last mode is a
   * console session, that is 400 missing_workspace_id for an API key and a 500 (the token is no
   * JWT) for a personal access token. So the double answers those tokens as the fake's own API
   * key and access token checks do (`API Key not found`, `Access token not found`), before the
   * route. Returns that message, or undefined when the fake knows the token (or it is of another kind).
   */
  function unknownToken(authorization: string | undefined): string | undefined {
    const token = authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : undefined;
    if (token === undefined || !token.startsWith("seam_") || token.startsWith("seam_cst") || token.startsWith("seam_pk")) return undefined;
    if (token.startsWith("seam_at")) {
      const hash = hashSecret(token.split("_").at(-1) ?? "");
      return db().access_tokens.some((t) => t.long_token_hash === hash) ? undefined : "Access token not found";
    }
    return db().api_keys.some((k) => k.token === token) ? undefined : "API Key not found";
  }

  /** The fake's entrance as Seam's OpenAPI `acs_entrance` (the fake leaves out fields Seam always sends). */
  function toEntrance(e: Record<string, unknown>) {
    // The fake stores `*_metadata: null` for other systems; Seam leaves such fields out.
    const fields = Object.fromEntries(Object.entries(e).filter(([k, v]) => !k.startsWith("_") && k !== "workspace_id" && k !== "properties" && v !== null));
    return conform("acs_entrance", {
      connected_account_id: systemAccount(e.acs_system_id as string),
      space_ids: [],
      errors: [],
      warnings: [],
      ...fields,
    });
  }

  function systemAccount(acsSystemId: string): string {
    const system = (db().acs_systems ?? []).find((s) => s.acs_system_id === acsSystemId);
    return (system?.connected_account_id as string | undefined) ?? "00000000-0000-0000-0000-000000000000";
  }

  /** The ACS users linked to a user identity (their `user_identity_id`), as the fake stores them. */
  function identityAcsUsers(userIdentityId: string): Record<string, unknown>[] {
    return db().acs_users.filter((u: Record<string, unknown>) => u.user_identity_id === userIdentityId);
  }

  /** The fake's user identity as Seam's OpenAPI `user_identity`, with its ACS users' ids. */
  function toUserIdentity(ui: FakeUserIdentity) {
    return conform("user_identity", {
      user_identity_key: null,
      email_address: null,
      phone_number: null,
      full_name: null,
      display_name: ui.full_name ?? ui.email_address ?? ui.user_identity_id,
      errors: [],
      warnings: [],
      ...ui,
      acs_user_ids: identityAcsUsers(ui.user_identity_id).map((u) => u.acs_user_id as string),
    });
  }

  /** Entrance and user-identity reads, answered from the fake's database with the fake's own auth. */
  async function answerDoorRoute(path: string, body: Record<string, unknown>, headers: http.IncomingHttpHeaders) {
    const ws = await upstreamJson("/workspaces/get", headers, {});
    const requestId = ws.headers["seam-request-id"] as string;
    if (ws.status !== 200) return { status: ws.status, body: ws.json, requestId };
    const workspaceId: string = ws.json.workspace.workspace_id;
    const invalid = (message: string) => ({ status: 400, body: { error: { type: "invalid_input", message, validation_errors: {} }, ok: false }, requestId });
    const notFound = (type: string) => ({ status: 404, body: { error: { type: `${type}_not_found`, message: `${type} not found` }, ok: false }, requestId });
    const page = <T>(items: T[]) => ({ items, pagination: conform("pagination", { has_next_page: false, next_page_cursor: null, next_page_url: null }) });
    if (path.startsWith("/acs/entrances/")) {
      const entrances = db().acs_entrances.filter((e) => e.workspace_id === workspaceId);
      if (path === "/acs/entrances/get") {
        if (typeof body.acs_entrance_id !== "string") return invalid("acs_entrance_id is required");
        const entrance = entrances.find((e) => e.acs_entrance_id === body.acs_entrance_id);
        return entrance ? { status: 200, body: { acs_entrance: toEntrance(entrance), ok: true }, requestId } : notFound("acs_entrance");
      }
      const selected = typeof body.acs_system_id === "string" ? entrances.filter((e) => e.acs_system_id === body.acs_system_id) : entrances;
      const { items, pagination } = page(selected.map(toEntrance));
      return { status: 200, body: { acs_entrances: items, pagination, ok: true }, requestId };
    }
    const identities = (db().user_identities ?? []).filter((ui) => ui.workspace_id === workspaceId);
    if (path === "/user_identities/list") {
      let selected = identities;
      if (body.search !== undefined) {
        if (typeof body.search !== "string" || body.search.length < 1) return invalid("search must be a non-empty string");
        // "A partial match using full_name, phone_number, email_address or user_identity_id" (the OpenAPI).
        const needle = body.search.toLowerCase();
        selected = selected.filter((ui) =>
          [ui.full_name, ui.phone_number, ui.email_address, ui.user_identity_id].some((f) => typeof f === "string" && f.toLowerCase().includes(needle)),
        );
      }
      const { items, pagination } = page(selected.map(toUserIdentity));
      return { status: 200, body: { user_identities: items, pagination, ok: true }, requestId };
    }
    if (typeof body.user_identity_id !== "string") return invalid("user_identity_id is required");
    const identity = identities.find((ui) => ui.user_identity_id === body.user_identity_id);
    if (!identity) return notFound("user_identity");
    if (path === "/user_identities/get") return { status: 200, body: { user_identity: toUserIdentity(identity), ok: true }, requestId };
    return { status: 200, body: { acs_users: identityAcsUsers(identity.user_identity_id).map((u) => presentUser(u, false)), ok: true }, requestId };
  }

  function setState(update: (s: FakeState) => Partial<FakeState>) {
    (fake.database as { setState(u: (s: FakeState) => Partial<FakeState>): void }).setState(update);
  }
  const group = (groupId: string) => db().acs_access_groups.find((g) => g.acs_access_group_id === groupId);

  return {
    url,
    seed,
    apiKey: seed.seam_apikey1_token,
    addApiKey: (token) => {
      fake.database.addApiKey({ token, workspace_id: seed.seed_workspace_1 });
    },
    revokeApiKey: (token) => {
      if (!db().api_keys.some((k) => k.token === token)) throw new Error("revokeApiKey: the fake has no such API key");
      setState((s) => ({ api_keys: s.api_keys.filter((k) => k.token !== token) }));
    },
    addPersonalAccessToken: (token) => {
      const [, shortToken, secret] = /^seam_(at[^_]*)_([^_]+)$/.exec(token) ?? [];
      if (!shortToken || !secret) throw new Error("addPersonalAccessToken: expected seam_at<id>_<secret>");
      fake.database.addAccessToken({ access_token_name: "test", email: "owner@example.com", short_token: shortToken, long_token_hash: hashSecret(secret) });
    },
    revokePersonalAccessToken: (token) => {
      const hash = hashSecret(token.split("_").at(-1) ?? "");
      if (!db().access_tokens.some((t) => t.long_token_hash === hash)) throw new Error("revokePersonalAccessToken: the fake has no such token");
      setState((s) => ({ access_tokens: s.access_tokens.filter((t) => t.long_token_hash !== hash) }));
    },
    addUser: (fullName, workspaceId = seed.seed_workspace_1, details = {}) =>
      fake.database.addAcsUser({
        acs_system_id: details.acsSystemId ?? seed.visionline_acs_system_1,
        workspace_id: workspaceId,
        full_name: fullName,
        external_type: "salto_site_user",
        ...(details.email !== undefined ? { email_address: details.email } : {}),
        ...(details.userIdentityEmail !== undefined ? { user_identity_email_address: details.userIdentityEmail } : {}),
      }).acs_user_id,
    addGroup: (name, workspaceId = seed.seed_workspace_1, acsSystemId = seed.visionline_acs_system_1) =>
      fake.database.addAcsAccessGroup({
        acs_system_id: acsSystemId,
        workspace_id: workspaceId,
        name,
        external_type: "salto_ks_access_group",
      }).acs_access_group_id,
    addAcsSystem: (name) =>
      fake.database.addAcsSystem({
        external_type: "salto_ks_site",
        name,
        workspace_id: seed.seed_workspace_1,
        connected_account_id: systemAccount(seed.visionline_acs_system_1),
      } as never).acs_system_id,
    addEntrance: (name, acsSystemId = seed.visionline_acs_system_1) =>
      fake.database.addAcsEntrance({ acs_system_id: acsSystemId, workspace_id: seed.seed_workspace_1, display_name: name } as never).acs_entrance_id,
    setGroupEntrances: (groupId, entranceIds) => {
      if (!group(groupId)) throw new Error(`setGroupEntrances: the fake has no access group ${groupId}`);
      groupEntrances.set(groupId, [...entranceIds]);
    },
    setGroupPendingMutations: (groupId, mutations) => {
      const g = group(groupId);
      if (!g) throw new Error(`setGroupPendingMutations: the fake has no access group ${groupId}`);
      groupPending.set(groupId, mutations);
      toAccessGroup(g);
    },
    addUserIdentity: (details, acsUserIds) => {
      const identity = fake.database.addUserIdentity({
        workspace_id: seed.seed_workspace_1,
        ...(details.email !== undefined ? { email_address: details.email } : {}),
        ...(details.fullName !== undefined ? { full_name: details.fullName } : {}),
      });
      const linked = new Set(acsUserIds);
      setState((s) => ({
        acs_users: s.acs_users.map((u: Record<string, unknown>) =>
          linked.has(u.acs_user_id as string)
            ? { ...u, user_identity_id: identity.user_identity_id, ...(details.email !== undefined ? { user_identity_email_address: details.email } : {}), ...(details.fullName !== undefined ? { user_identity_full_name: details.fullName } : {}) }
            : u,
        ),
      }));
      return identity.user_identity_id as string;
    },
    membersOf: (groupId) => [...new Set(group(groupId)?._acs_user_ids ?? [])],
    storedMembersOf: (groupId) => [...(group(groupId)?._acs_user_ids ?? [])],
    removeOutOfBand: (acsUserId, acsAccessGroupId) => fake.database.removeAcsUserFromAcsAccessGroup({ acs_user_id: acsUserId, acs_access_group_id: acsAccessGroupId }),
    grantOutOfBand: (acsUserId, acsAccessGroupId) =>
      fake.database.addAcsUserToAcsAccessGroup({ acs_user_id: acsUserId, acs_access_group_id: acsAccessGroupId } as never),
    deleteUser: (acsUserId) => setState((s) => ({ acs_users: s.acs_users.filter((u: { acs_user_id: string }) => u.acs_user_id !== acsUserId) })),
    deleteGroup: (groupId) => setState((s) => ({ acs_access_groups: s.acs_access_groups.filter((g) => g.acs_access_group_id !== groupId) })),
    snapshot: () => ({
      users: db()
        .acs_users.filter((u: { workspace_id: string }) => u.workspace_id === seed.seed_workspace_1)
        .map((u: { acs_user_id: string; full_name: string }) => ({ acsUserId: u.acs_user_id, fullName: u.full_name })),
      groups: db()
        .acs_access_groups.filter((g) => g.workspace_id === seed.seed_workspace_1)
        .map((g) => ({ acsAccessGroupId: g.acs_access_group_id, name: g.name, members: [...new Set(g._acs_user_ids)] })),
    }),
    setPendingMutations: (acsUserId, mutations, opts = {}) => {
      const user = db().acs_users.find((u: { acs_user_id: string }) => u.acs_user_id === acsUserId);
      if (!user) throw new Error(`setPendingMutations: the fake has no ACS user ${acsUserId}`);
      toAcsUser({ ...user, pending_mutations: mutations });
      pending.set(acsUserId, { mutations, pollsLeft: opts.clearAfterPolls });
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.stopServer();
    },
  };
}

interface FakeAccessGroup {
  acs_access_group_id: string;
  acs_system_id: string;
  workspace_id: string;
  name: string;
  access_group_type: string;
  access_group_type_display_name?: string;
  external_type: string;
  external_type_display_name?: string;
  _acs_user_ids: string[];
  [key: string]: unknown;
}

interface FakeUserIdentity {
  user_identity_id: string;
  workspace_id: string;
  email_address?: string | null;
  full_name?: string | null;
  phone_number?: string | null;
  [key: string]: unknown;
}

interface FakeState {
  api_keys: { token: string }[];
  /** The fake keeps a personal access token as the sha256 (hex) of its secret, the part after the last `_`. */
  access_tokens: { long_token_hash: string }[];
  acs_access_groups: FakeAccessGroup[];
  acs_users: any[];
  acs_entrances: Record<string, unknown>[];
  acs_systems?: Record<string, unknown>[];
  user_identities?: FakeUserIdentity[];
}

/** How the fake hashes a personal access token's secret (its `hashLongToken`). */
function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
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
