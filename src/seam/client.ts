import { Agent, Dispatcher, request } from "undici";
import { z } from "zod";
import { SeamApiError, SeamUnreachableError } from "./errors";
import { RequestBudget } from "./request-budget";
import {
  AttemptOutcome,
  isRetryable,
  isUnreachable,
  parseRetryAfterMs,
  retriesUnreachable,
  retryDelayMs,
  transientNetworkCodes,
  unreachableCodes,
} from "./retry-policy";
import { endpointSetting, SeamSettings } from "./settings";

export interface MembershipIds {
  readonly acsUserId: string;
  readonly acsAccessGroupId: string;
}

/** Told before each wait between attempts, so a caller can log what it is waiting for. */
export interface RetryNotice {
  readonly route: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly outcome: AttemptOutcome;
}

export interface SeamClientOptions {
  /** Connection pool; one is made (with keep-alive) when not given. */
  readonly dispatcher?: Dispatcher;
  readonly onRetry?: (notice: RetryNotice) => void;
  /** The process's request budget; one is made from `settings.maxConcurrentRequests` when not given. */
  readonly budget?: RequestBudget;
}

/** How long a client that found Seam unreachable fails its next requests without sending them. */
const unreachableMemoMs = 60_000;

/**
 * What one operation may still spend: an add or a remove, and the read that settles it when its
 * answer was lost, share one deadline and one count of attempts. Requests take from it as they go.
 */
export interface OperationAllowance {
  readonly deadline: number;
  attemptsLeft: number;
  /** Settles a lost answer: goes ahead of the line for the request budget. */
  readonly urgent?: boolean;
}

/** Add and remove answer `{ ok: true }` (documented as void); anything else is not Seam. */
const okBody = z.union([z.undefined(), z.looseObject({ ok: z.literal(true).optional() })]);

const errorEnvelope = z.object({
  error: z.object({ type: z.string(), message: z.string().optional() }),
});

const accessGroupList = z.object({
  acs_access_groups: z.array(z.object({ acs_access_group_id: z.string() })),
});

const workspaceBody = z.object({ workspace: z.object({ workspace_id: z.string() }) });

/** The fields of Seam's `acs_user` this package reads; the rest is passed over. */
const acsUserFields = z.object({
  acs_user_id: z.string(),
  full_name: z.string().nullish(),
  email_address: z.string().nullish(),
  user_identity_email_address: z.string().nullish(),
  user_identity_id: z.string().nullish(),
  acs_system_id: z.string().nullish(),
  pending_mutations: z.array(z.looseObject({ mutation_code: z.string() })).optional(),
});

const acsUserBody = z.object({ acs_user: acsUserFields });
const acsUserPage = z.object({
  acs_users: z.array(acsUserFields),
  pagination: z.object({ has_next_page: z.boolean(), next_page_cursor: z.string().nullish() }).optional(),
});
const accessGroupFields = z.object({
  acs_access_group_id: z.string(),
  name: z.string(),
  acs_system_id: z.string().optional(),
  pending_mutations: z.array(z.looseObject({ mutation_code: z.string() })).optional(),
});
const accessGroupBody = z.object({ acs_access_group: accessGroupFields });
const accessGroupsBody = z.object({ acs_access_groups: z.array(accessGroupFields) });

function toAccessGroup(group: z.infer<typeof accessGroupFields>): AccessGroup {
  return {
    acsAccessGroupId: group.acs_access_group_id,
    name: group.name,
    ...(group.acs_system_id ? { acsSystemId: group.acs_system_id } : {}),
    ...(group.pending_mutations && group.pending_mutations.length > 0 ? { pendingMutations: group.pending_mutations } : {}),
  };
}

/** The fields of Seam's `acs_entrance` this package reads. */
const entranceFields = z.object({ acs_entrance_id: z.string(), display_name: z.string(), acs_system_id: z.string() });
const entrancesBody = z.object({ acs_entrances: z.array(entranceFields) });
const entranceBody = z.object({ acs_entrance: entranceFields });
const entrancePage = z.object({
  acs_entrances: z.array(entranceFields),
  pagination: z.object({ has_next_page: z.boolean(), next_page_cursor: z.string().nullish() }).optional(),
});

function toEntrance(e: z.infer<typeof entranceFields>): Entrance {
  return { acsEntranceId: e.acs_entrance_id, name: e.display_name, acsSystemId: e.acs_system_id };
}

/** The fields of Seam's `user_identity` this package reads. */
const userIdentityFields = z.object({
  user_identity_id: z.string(),
  email_address: z.string().nullish(),
  full_name: z.string().nullish(),
  acs_user_ids: z.array(z.string()).optional(),
});
const userIdentityBody = z.object({ user_identity: userIdentityFields });
const userIdentityPage = z.object({
  user_identities: z.array(userIdentityFields),
  pagination: z.object({ has_next_page: z.boolean(), next_page_cursor: z.string().nullish() }).optional(),
});

function toUserIdentity(u: z.infer<typeof userIdentityFields>): UserIdentity {
  return {
    userIdentityId: u.user_identity_id,
    ...(u.email_address ? { email: u.email_address } : {}),
    ...(u.full_name ? { fullName: u.full_name } : {}),
    acsUserIds: u.acs_user_ids ?? [],
  };
}
const groupUsersBody = z.object({
  acs_users: z.array(acsUserFields),
  // Seam does not page this route; were it ever to, a partial list must not read as "not a member".
  pagination: z.object({ has_next_page: z.boolean() }).optional(),
});

/** An ACS user as this package shows and checks it. */
export interface AcsUser {
  readonly acsUserId: string;
  readonly fullName?: string;
  readonly email?: string;
  /** The email of the user identity the ACS user belongs to, when it has one. */
  readonly userIdentityEmail?: string;
  /** Changes Seam has accepted but not yet pushed to the access system (`pending_mutations`). */
  readonly pendingMutations: readonly PendingMutation[];
  /** The user identity (one person across access systems) the ACS user belongs to, when it has one. */
  readonly userIdentityId?: string;
  /** The access system the ACS user belongs to. */
  readonly acsSystemId?: string;
}

/** A door as Seam lists it (`acs_entrance`): its id, `display_name` and access system. */
export interface Entrance {
  readonly acsEntranceId: string;
  readonly name: string;
  readonly acsSystemId: string;
}

/** One person across access systems (`user_identity`), with the ACS users linked to it. */
export interface UserIdentity {
  readonly userIdentityId: string;
  readonly email?: string;
  readonly fullName?: string;
  readonly acsUserIds: readonly string[];
}

/** Filters of `/acs/access_groups/list`; none lists every group of the workspace. */
export interface AccessGroupFilter {
  readonly acsUserId?: string;
  readonly userIdentityId?: string;
  readonly acsSystemId?: string;
}

/** One of `acs_user.pending_mutations`; `mutation_code` decides which other fields it has. */
export type PendingMutation = { readonly mutation_code: string } & Readonly<Record<string, unknown>>;

export interface AccessGroup {
  readonly acsAccessGroupId: string;
  readonly name: string;
  /** The access system the group belongs to (`acs_system_id`). */
  readonly acsSystemId?: string;
  /** The group's `pending_mutations` when it has any (e.g. `updating_entrance_membership`: its door set is changing). */
  readonly pendingMutations?: readonly PendingMutation[];
}

/** Filters of `/acs/users/list` (Seam matches `search` partially; callers check what they need). */
export interface AcsUserFilter {
  readonly search?: string;
  readonly acsSystemId?: string;
  /** Users whose user identity has this email (`user_identity_email_address`; `search` does not look there). */
  readonly userIdentityEmail?: string;
}

const sdkVersion: string = (require("../../package.json") as { version: string }).version;

/**
 * The few Seam routes this provider needs. Auth is resolved once (in settings) into headers;
 * every request goes through one retrying path that turns failures into SeamApiError.
 */
export class SeamClient {
  private readonly headers: Record<string, string>;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  readonly budget: RequestBudget;
  /** The first "could not be reached" of this client (it named the endpoint), and when it was raised. */
  private unreachableFirst: { readonly error: SeamUnreachableError; at: number } | undefined;

  constructor(
    private readonly settings: SeamSettings,
    private readonly options: SeamClientOptions = {},
  ) {
    const { auth } = settings;
    this.headers = {
      authorization: `Bearer ${auth.token}`,
      "content-type": "application/json",
      "seam-sdk-name": "pulumi-seam-acs",
      "seam-sdk-version": sdkVersion,
      ...(auth.workspaceId ? { "seam-workspace": auth.workspaceId } : {}),
    };
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000 });
    this.budget = options.budget ?? new RequestBudget({ maxInFlight: settings.maxConcurrentRequests });
  }

  /**
   * A fresh allowance: the operation deadline from now, and the attempts of one request. With
   * `withinMs`, it ends sooner (a wait with its own bound), yet always leaves one fair attempt.
   */
  startOperation(withinMs?: number): OperationAllowance {
    const { operationTimeoutMs, maxAttempts } = this.settings.retry;
    const span = withinMs === undefined ? operationTimeoutMs : Math.min(operationTimeoutMs, Math.max(withinMs, 2 * this.minAttemptWindowMs()));
    return { deadline: Date.now() + span, attemptsLeft: maxAttempts };
  }

  /**
   * What is left of `allowance` for the read that settles a lost answer: the same deadline and the
   * attempts not yet used, but always one attempt with a fair window, so the outcome gets checked.
   */
  settlingAllowance(allowance: OperationAllowance): OperationAllowance {
    return {
      // Room to wait for one place in the budget (it goes first) and then one fair attempt.
      deadline: Math.max(allowance.deadline, Date.now() + 2 * this.minAttemptWindowMs()),
      attemptsLeft: Math.max(1, allowance.attemptsLeft),
      urgent: true,
    };
  }

  async addUserToAccessGroup(ids: MembershipIds, allowance?: OperationAllowance): Promise<void> {
    await this.post("/acs/users/add_to_access_group", membershipBody(ids), "Adding the user to the access group", ids, allowance);
  }

  async removeUserFromAccessGroup(ids: MembershipIds, allowance?: OperationAllowance): Promise<void> {
    await this.post("/acs/users/remove_from_access_group", membershipBody(ids), "Removing the user from the access group", ids, allowance);
  }

  /**
   * Whether the user is in the group. False also when the user or the group no longer exists:
   * for a membership, all three mean the same thing.
   */
  async isMember(ids: MembershipIds, allowance?: OperationAllowance): Promise<boolean> {
    let body: unknown;
    try {
      body = await this.post("/acs/access_groups/list", { acs_user_id: ids.acsUserId }, "Reading the user's access groups", ids, allowance);
    } catch (e) {
      if (e instanceof SeamApiError && e.isNotFound) return false;
      throw e;
    }
    const parsed = accessGroupList.safeParse(body);
    if (!parsed.success) {
      throw new Error(`Seam answered /acs/access_groups/list with an unexpected body (acs_user_id=${ids.acsUserId}): ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data.acs_access_groups.some((g) => g.acs_access_group_id === ids.acsAccessGroupId);
  }

  /** The ACS user, or undefined when Seam says there is none with that id. */
  async getAcsUser(acsUserId: string, allowance?: OperationAllowance): Promise<AcsUser | undefined> {
    const body = await this.readOrNotFound("/acs/users/get", { acs_user_id: acsUserId }, "Reading the ACS user", { acsUserId }, allowance);
    return body === undefined ? undefined : toAcsUser(parse(acsUserBody, body, "/acs/users/get").acs_user);
  }

  /** The access group, or undefined when Seam says there is none with that id. */
  async getAccessGroup(acsAccessGroupId: string): Promise<AccessGroup | undefined> {
    const body = await this.readOrNotFound("/acs/access_groups/get", { acs_access_group_id: acsAccessGroupId }, "Reading the access group", {
      acsAccessGroupId,
    });
    if (body === undefined) return undefined;
    return toAccessGroup(parse(accessGroupBody, body, "/acs/access_groups/get").acs_access_group);
  }

  /**
   * Every access group of the workspace (`/acs/access_groups/list` with no filter: one request,
   * which Seam does not page), as `{ acsAccessGroupId, name, acsSystemId? }`. The review names
   * groups from it instead of one `/acs/access_groups/get` per group.
   */
  async listAccessGroups(filter: AccessGroupFilter = {}): Promise<AccessGroup[]> {
    const body = await this.post(
      "/acs/access_groups/list",
      {
        ...(filter.acsUserId !== undefined ? { acs_user_id: filter.acsUserId } : {}),
        ...(filter.userIdentityId !== undefined ? { user_identity_id: filter.userIdentityId } : {}),
        ...(filter.acsSystemId !== undefined ? { acs_system_id: filter.acsSystemId } : {}),
      },
      filter.acsUserId !== undefined ? "Reading the user's access groups" : "Listing the workspace's access groups",
      filter.acsUserId !== undefined ? { acsUserId: filter.acsUserId } : {},
    );
    return parse(accessGroupsBody, body, "/acs/access_groups/list").acs_access_groups.map(toAccessGroup);
  }

  /**
   * The entrances (doors) the access group opens: one `/acs/access_groups/list_accessible_entrances`
   * (not paginated), or undefined when Seam has no such group. Read-only.
   */
  async listAccessibleEntrances(acsAccessGroupId: string): Promise<Entrance[] | undefined> {
    const route = "/acs/access_groups/list_accessible_entrances";
    const body = await this.readOrNotFound(route, { acs_access_group_id: acsAccessGroupId }, "Reading the entrances the access group opens", { acsAccessGroupId });
    return body === undefined ? undefined : parse(entrancesBody, body, route).acs_entrances.map(toEntrance);
  }

  /** The entrance (`/acs/entrances/get`), or undefined when Seam has none with that id. */
  async getEntrance(acsEntranceId: string): Promise<Entrance | undefined> {
    const body = await this.readOrNotFound("/acs/entrances/get", { acs_entrance_id: acsEntranceId }, "Reading the entrance", {});
    return body === undefined ? undefined : toEntrance(parse(entranceBody, body, "/acs/entrances/get").acs_entrance);
  }

  /** Every entrance of the workspace (or of one access system), following `/acs/entrances/list`'s pages. */
  async listEntrances(filter: { acsSystemId?: string } = {}): Promise<Entrance[]> {
    const body = filter.acsSystemId !== undefined ? { acs_system_id: filter.acsSystemId } : {};
    return this.allPages("/acs/entrances/list", body, "Listing entrances", entrancePage, (page) => page.acs_entrances.map(toEntrance));
  }

  /** The user identity (`/user_identities/get`), or undefined when Seam has none with that id. */
  async getUserIdentity(userIdentityId: string): Promise<UserIdentity | undefined> {
    const body = await this.readOrNotFound("/user_identities/get", { user_identity_id: userIdentityId }, "Reading the user identity", {});
    return body === undefined ? undefined : toUserIdentity(parse(userIdentityBody, body, "/user_identities/get").user_identity);
  }

  /**
   * User identities whose `full_name`, `phone_number`, `email_address` or id contain `search`
   * (`/user_identities/list`, Seam matches partially: callers check what they need), every page.
   */
  async listUserIdentities(search: string): Promise<UserIdentity[]> {
    return this.allPages("/user_identities/list", { search }, "Listing user identities", userIdentityPage, (page) => page.user_identities.map(toUserIdentity));
  }

  /** The ACS users of a user identity, one per access system (`/user_identities/list_acs_users`); undefined when the identity is gone. */
  async listUserIdentityAcsUsers(userIdentityId: string): Promise<AcsUser[] | undefined> {
    const route = "/user_identities/list_acs_users";
    const body = await this.readOrNotFound(route, { user_identity_id: userIdentityId }, "Reading the user identity's ACS users", {});
    return body === undefined ? undefined : parse(groupUsersBody, body, route).acs_users.map(toAcsUser);
  }

  /** The ids of the group's members (one request: Seam does not paginate this route), or undefined when the group is gone. */
  async listAccessGroupUsers(acsAccessGroupId: string, allowance?: OperationAllowance): Promise<string[] | undefined> {
    return (await this.listAccessGroupMembers(acsAccessGroupId, allowance))?.map((u) => u.acsUserId);
  }

  /**
   * The group's members as Seam lists them (`/acs/access_groups/list_users`, one request, not
   * paginated): each `acs_user` with its names, emails and `pending_mutations`, or undefined
   * when the group is gone. Throws (never a partial list) when Seam answers with one page of several.
   */
  async listAccessGroupMembers(acsAccessGroupId: string, allowance?: OperationAllowance): Promise<AcsUser[] | undefined> {
    const route = "/acs/access_groups/list_users";
    const body = await this.readOrNotFound(route, { acs_access_group_id: acsAccessGroupId }, "Reading the access group's members", {
      acsAccessGroupId,
    }, allowance);
    if (body === undefined) return undefined;
    const page = parse(groupUsersBody, body, route);
    if (page.pagination?.has_next_page) {
      throw new Error(
        `Seam answered ${route} for acs_access_group_id=${acsAccessGroupId} with one page of several, which this version of ` +
          "pulumi-seam-acs cannot follow; it will not conclude that anyone left the group. Upgrade pulumi-seam-acs.",
      );
    }
    return page.acs_users.map(toAcsUser);
  }

  /** Every ACS user that matches the filter, following Seam's page cursors to the end. */
  async listAcsUsers(filter: AcsUserFilter = {}): Promise<AcsUser[]> {
    const body = {
      ...(filter.search !== undefined ? { search: filter.search } : {}),
      ...(filter.acsSystemId !== undefined ? { acs_system_id: filter.acsSystemId } : {}),
      ...(filter.userIdentityEmail !== undefined ? { user_identity_email_address: filter.userIdentityEmail } : {}),
    };
    return this.allPages("/acs/users/list", body, "Listing ACS users", acsUserPage, (page) => page.acs_users.map(toAcsUser));
  }

  /**
   * Every item of a paged list route, following `pagination.next_page_cursor` to the end, at most
   * `maxPages` pages (a server that loops cannot hold a run forever).
   */
  private async allPages<P extends { pagination?: { has_next_page: boolean; next_page_cursor?: string | null } }, T>(
    route: string,
    body: object,
    operation: string,
    schema: z.ZodType<P>,
    items: (page: P) => T[],
  ): Promise<T[]> {
    const all: T[] = [];
    for (let cursor: string | undefined, pages = 0; ; pages++) {
      if (pages >= maxPages) throw new Error(`Seam answered ${route} with more than ${maxPages} pages; narrow the search.`);
      const answer = await this.post(route, { ...body, ...(cursor !== undefined ? { page_cursor: cursor } : {}) }, operation, {});
      const page = parse(schema, answer, route);
      all.push(...items(page));
      const next = page.pagination?.has_next_page ? page.pagination.next_page_cursor : undefined;
      if (!next) return all;
      cursor = next;
    }
  }

  /** The workspace these credentials act in. */
  async workspaceId(): Promise<string> {
    const body = await this.post("/workspaces/get", {}, "Reading the workspace of the Seam credentials", {});
    const parsed = workspaceBody.safeParse(body);
    if (!parsed.success) throw new Error(`Seam answered /workspaces/get with an unexpected body: ${z.prettifyError(parsed.error)}`);
    return parsed.data.workspace.workspace_id;
  }

  /** A read whose "not found" (of the user or the group) is an answer, not a failure. */
  private async readOrNotFound(
    route: string,
    body: object,
    operation: string,
    ids: Partial<MembershipIds>,
    allowance?: OperationAllowance,
  ): Promise<unknown | undefined> {
    try {
      return await this.post(route, body, operation, ids, allowance);
    } catch (e) {
      if (e instanceof SeamApiError && e.isNotFound) return undefined;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /**
   * The first "Seam could not be reached" error this client raised (the one that names the
   * endpoint), or undefined. Commands that read Seam and tolerate failed reads (the review's names)
   * fail with it instead: without Seam there is nothing to review.
   */
  get unreachable(): SeamUnreachableError | undefined {
    return this.unreachableFirst?.error;
  }

  private async post(
    route: string,
    body: object,
    operation: string,
    ids: Partial<MembershipIds>,
    allowance: OperationAllowance = this.startOperation(),
  ): Promise<unknown> {
    const policy = this.settings.retry;
    const { deadline } = allowance;
    const subject = subjectOf(ids);
    // Seam was found unreachable moments ago: say so at once rather than try every request again.
    if (this.unreachableFirst && Date.now() - this.unreachableFirst.at < unreachableMemoMs) {
      throw this.unreachableError({ route, operation, subject, attempts: 0, notSent: true }, this.unreachableFirst.error.code);
    }
    const firstAt = Date.now();
    // Whether an attempt may have reached Seam: one that was refused, or found no route or host, did not.
    let reached = false;
    for (let attempt = 1; ; attempt++) {
      allowance.attemptsLeft--;
      const result = await this.attempt(route, body, deadline, allowance.urgent ?? false);
      if (result.ok) return result.body;
      const { outcome, failure } = result;
      const unreachable = isUnreachable(outcome);
      if (!unreachable && !failure.notSent) reached = true;
      const fail = (gaveUp?: string) => {
        if (unreachable && !reached) return this.unreachableError({ route, operation, subject, attempts: attempt }, (outcome as { code: string }).code);
        return new SeamApiError({ route, operation, subject, attempts: attempt, endpoint: this.settings.endpoint, ...failure, gaveUp });
      };
      if (!isRetryable(outcome)) throw fail();
      if (allowance.attemptsLeft <= 0) throw fail(`gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}`);
      const delayMs = retryDelayMs(attempt, outcome, policy);
      if (unreachable && !retriesUnreachable(Date.now() - firstAt, delayMs)) throw fail("gave up: Seam could not be reached");
      // Wait only if the next attempt still has a fair window before the deadline.
      if (Date.now() + delayMs + this.minAttemptWindowMs() > deadline) {
        throw fail(`gave up: the next attempt would pass the ${policy.operationTimeoutMs / 1000} s operation deadline`);
      }
      this.options.onRetry?.({ route, attempt, delayMs, outcome });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  /**
   * "Seam could not be reached at <endpoint> (<where it was set>)": the first of this client names
   * the endpoint and what to check; later ones point to it (errors.ts SeamUnreachableError).
   */
  private unreachableError(
    details: { route: string; operation: string; subject: Record<string, string>; attempts: number; notSent?: boolean },
    code: string,
  ): SeamUnreachableError {
    const from = this.settings.endpointFrom;
    const error = new SeamUnreachableError(
      { ...details, endpoint: this.settings.endpoint },
      {
        endpointSetting: endpointSetting(from, this.settings.endpointProvider),
        endpointKey:
          from === "stack config"
            ? "seam:endpoint"
            : from === "provider arguments"
              ? `the endpoint argument of ${this.settings.endpointProvider ?? "the explicit provider"}`
              : from === "environment"
                ? "SEAM_ENDPOINT"
                : "seam:endpoint (or SEAM_ENDPOINT)",
        code,
        repeat: this.unreachableFirst !== undefined,
        first: this.unreachableFirst?.error,
      },
    );
    if (this.unreachableFirst) {
      if (!details.notSent) this.unreachableFirst.at = Date.now();
    } else this.unreachableFirst = { error, at: Date.now() };
    return error;
  }

  /**
   * The least time an attempt is given: 5 s, or less when seam:requestTimeoutSeconds is shorter,
   * and never more than half of seam:operationTimeoutSeconds, so that a short operation timeout
   * (1–10 s, within its documented range) still leaves room to wait for a place and to send.
   */
  private minAttemptWindowMs(): number {
    const { requestTimeoutMs, operationTimeoutMs } = this.settings.retry;
    return Math.min(requestTimeoutMs, 5_000, operationTimeoutMs / 2);
  }

  /**
   * One request: a place in the budget first, then the request with its own timeout. A place
   * that comes too late to leave a fair window before the deadline is not taken: a request sent
   * with milliseconds left would only time out and leave its outcome unknown.
   */
  private async attempt(route: string, body: object, deadline: number, urgent: boolean): Promise<AttemptResult> {
    const release = await this.budget.acquire(deadline - this.minAttemptWindowMs(), { first: urgent });
    if (!release) {
      return {
        ok: false,
        outcome: { kind: "error" },
        failure: {
          notSent: true,
          cause:
            `not sent: no place in the request budget (seam:maxConcurrentRequests, ${this.settings.maxConcurrentRequests} at once) ` +
            `before the operation deadline (seam:operationTimeoutSeconds, ${this.settings.retry.operationTimeoutMs / 1000} s)`,
        },
      };
    }
    const timeoutMs = Math.max(1, Math.min(this.settings.retry.requestTimeoutMs, deadline - Date.now()));
    const result = await this.send(route, body, timeoutMs);
    const outcome = result.ok ? undefined : result.outcome;
    release(
      outcome?.kind === "response" && outcome.status === 429
        ? { kind: "throttled", retryAfterMs: parseRetryAfterMs(outcome.retryAfter) }
        : { kind: "done" },
    );
    return result;
  }

  private async send(route: string, body: object, timeoutMs: number): Promise<AttemptResult> {
    try {
      const res = await request(`${this.settings.endpoint}${route}`, {
        method: "POST",
        headers: this.headers,
        body: JSON.stringify(body),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      const requestId = headerValue(res.headers["seam-request-id"]);
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const body = text === "" ? undefined : safeJson(text, null);
        if (okBody.safeParse(body).success) return { ok: true, body: body ?? {} };
        return {
          ok: false,
          outcome: { kind: "response", status: res.statusCode },
          failure: { status: res.statusCode, requestId, seamMessage: "the answer is not Seam's JSON (a proxy, or a wrong endpoint?)" },
        };
      }
      const envelope = errorEnvelope.safeParse(safeJson(text));
      return {
        ok: false,
        outcome: { kind: "response", status: res.statusCode, retryAfter: headerValue(res.headers["retry-after"]) },
        failure: {
          status: res.statusCode,
          requestId,
          type: envelope.success ? envelope.data.error.type : undefined,
          seamMessage: envelope.success ? this.redact(envelope.data.error.message) : undefined,
        },
      };
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      if (err.name === "TimeoutError" || err.name === "AbortError") {
        return { ok: false, outcome: { kind: "timeout" }, failure: { cause: `no answer within ${timeoutMs} ms` } };
      }
      const cause = this.redact(err.code ? `${err.code}: ${err.message}` : String(err.message ?? e));
      if (err.code && (transientNetworkCodes.has(err.code) || unreachableCodes.has(err.code))) return { ok: false, outcome: { kind: "network", code: err.code }, failure: { cause } };
      return { ok: false, outcome: { kind: "error" }, failure: { cause } };
    }
  }

  /** Defence in depth: whatever Seam or the network stack says, a token never travels on in an error. */
  private redact(text: string | undefined): string | undefined {
    return text?.split(this.settings.auth.token).join("[redacted]");
  }
}

/** Pages of `/acs/users/list` followed at the most: a bound, so a server that loops cannot hold a run forever. */
const maxPages = 1_000;

function parse<T>(schema: z.ZodType<T>, body: unknown, route: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`Seam answered ${route} with an unexpected body: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function toAcsUser(u: z.infer<typeof acsUserFields>): AcsUser {
  return {
    acsUserId: u.acs_user_id,
    ...(u.full_name ? { fullName: u.full_name } : {}),
    ...(u.email_address ? { email: u.email_address } : {}),
    ...(u.user_identity_email_address ? { userIdentityEmail: u.user_identity_email_address } : {}),
    pendingMutations: u.pending_mutations ?? [],
    ...(u.user_identity_id ? { userIdentityId: u.user_identity_id } : {}),
    ...(u.acs_system_id ? { acsSystemId: u.acs_system_id } : {}),
  };
}

type AttemptResult =
  | { ok: true; body: unknown }
  | {
      ok: false;
      outcome: AttemptOutcome;
      failure: { status?: number; type?: string; seamMessage?: string; requestId?: string; cause?: string; notSent?: boolean };
    };

function membershipBody(ids: MembershipIds) {
  return { acs_user_id: ids.acsUserId, acs_access_group_id: ids.acsAccessGroupId };
}

function subjectOf(ids: Partial<MembershipIds>): Record<string, string> {
  const subject: Record<string, string> = {};
  if (ids.acsUserId !== undefined) subject.acs_user_id = ids.acsUserId;
  if (ids.acsAccessGroupId !== undefined) subject.acs_access_group_id = ids.acsAccessGroupId;
  return subject;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeJson(text: string, unreadable: unknown = undefined): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return unreadable;
  }
}
