/** A setting is missing or invalid; raised before any request is sent. */
export class SeamConfigError extends Error {
  override readonly name = "SeamConfigError";
}

export interface SeamApiErrorDetails {
  /** Seam route, e.g. `/acs/users/remove_from_access_group`. */
  readonly route: string;
  /** What the caller was doing, in words a Pulumi user recognises. */
  readonly operation: string;
  /** Identifiers of the request, shown as `key=value`. Never credentials. */
  readonly subject: Readonly<Record<string, string>>;
  /** The base URL the request went to; shown when no response arrived. Never holds credentials (settings refuse them). */
  readonly endpoint?: string;
  /** HTTP status; undefined when no response arrived (network error, timeout). */
  readonly status?: number;
  /** Seam's `error.type`, when the body carried the error envelope. */
  readonly type?: string;
  readonly seamMessage?: string;
  readonly requestId?: string;
  readonly attempts: number;
  /** Why no response arrived, for network failures and timeouts. */
  readonly cause?: string;
  /** Why retrying stopped, when the failure was one that is retried. */
  readonly gaveUp?: string;
  /** The last attempt never left this process (no place in the request budget in time). */
  readonly notSent?: boolean;
  /** No attempt can have reached Seam (each was refused or found no route or host): the request cannot have taken effect. */
  readonly neverReached?: boolean;
}

/**
 * A Seam request failed. The message carries everything needed to act on it (what, on which
 * ids, status, Seam's error type and message, request id, attempts) and nothing secret: it is
 * built only from the fields above, never from request headers.
 */
const notFoundTypes = new Set(["acs_user_not_found", "acs_access_group_not_found", "acs_entrance_not_found", "user_identity_not_found"]);

export class SeamApiError extends Error {
  override readonly name: string = "SeamApiError";
  readonly route: string;
  readonly status?: number;
  readonly type?: string;
  readonly requestId?: string;
  readonly attempts: number;
  private readonly notSent: boolean;
  private readonly neverReached: boolean;

  constructor(details: SeamApiErrorDetails, message: string = describe(details)) {
    super(message);
    this.neverReached = details.neverReached ?? false;
    this.route = details.route;
    this.status = details.status;
    this.type = details.type;
    this.requestId = details.requestId;
    this.attempts = details.attempts;
    this.notSent = details.notSent ?? false;
  }

  /**
   * True when the request may have taken effect although it failed: no answer (reset, timeout)
   * or a server error, after which Seam may or may not have applied the change.
   */
  get outcomeUnknown(): boolean {
    if (this.neverReached || (this.notSent && this.attempts === 1)) return false;
    return this.status === undefined || this.status >= 500;
  }

  /**
   * True when Seam refused the credentials themselves (HTTP 401: unknown or revoked token; 403:
   * not allowed), as opposed to the request: the same token will be refused again.
   */
  get refusesCredentials(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** True when Seam says the user or the access group does not exist (any more). */
  get isNotFound(): boolean {
    // Seam's 404 types name the record: acs_user, acs_access_group, and for the door reads
    // acs_entrance and user_identity (error types are not in the OpenAPI; these follow its pattern).
    return this.status === 404 && notFoundTypes.has(this.type ?? "");
  }
}

function describe(d: SeamApiErrorDetails): string {
  const subject = Object.entries(d.subject)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const outcome =
    d.status === undefined
      ? `no response${d.endpoint ? ` from ${d.endpoint}` : ""} (${d.cause ?? "unknown network error"})`
      : `HTTP ${d.status}` +
        (d.type ? ` ${d.type}` : "") +
        (d.seamMessage ? `: ${d.seamMessage}` : d.type ? "" : " with no Seam error body");
  const tail = [
    `seam-request-id: ${d.requestId ?? "none"}`,
    `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`,
  ].join(", ");
  return `${d.operation} failed${subject ? ` (${subject})` : ""}: ${outcome}${missing(d)}${d.gaveUp ? `; ${d.gaveUp}` : ""} [${d.route}; ${tail}]`;
}

/** Seam's not-found types, said in terms of the id the user wrote. */
function missing(d: SeamApiErrorDetails): string {
  const key = d.type === "acs_user_not_found" ? "acs_user_id" : d.type === "acs_access_group_not_found" ? "acs_access_group_id" : undefined;
  if (!key || d.subject[key] === undefined) return "";
  return `; there is no ${key === "acs_user_id" ? "ACS user" : "access group"} with ${key}=${d.subject[key]} in this workspace`;
}

/** How the endpoint could not be reached, for the one line that says so (see SeamUnreachableError). */
export interface UnreachableDetails {
  /** Where the endpoint was set, e.g. "SEAM_ENDPOINT in the environment" (settings.ts `endpointSetting`). */
  readonly endpointSetting: string;
  /** The key a user would correct: `seam:endpoint` or `SEAM_ENDPOINT` (or both, for the default). */
  readonly endpointKey: string;
  /** The network error's code, e.g. ECONNREFUSED or ENOTFOUND. */
  readonly code: string;
  /**
   * The first such error of its client names the endpoint; later ones (other requests of the same
   * run, in flight at once or sent after) point to it, so a run prints the endpoint once.
   */
  readonly repeat: boolean;
}

/**
 * Seam could not be reached at the endpoint: every attempt of a request was refused, found no
 * route, or found no such host. Nothing reached Seam, so nothing changed there
 * (`outcomeUnknown` is false). One line: the endpoint, where it was set and what to check; its
 * stack and `toString()` carry no message and no frames, because the dynamic-provider host prints
 * `${error}: ${error.stack}` of a failed read or delete beside the resource's error (see
 * refused-credentials.ts), and neither a second copy nor a path of this package helps anyone.
 */
export class SeamUnreachableError extends SeamApiError {
  override readonly name = "SeamUnreachableError";
  readonly endpoint: string;
  /** The network error's code (ECONNREFUSED, ENOTFOUND, …). */
  readonly code: string;
  readonly repeat: boolean;
  /** The error that named the endpoint: this one, or for a repeat the first of its client. */
  readonly first: SeamUnreachableError;

  constructor(
    private readonly details: SeamApiErrorDetails & { readonly endpoint: string },
    private readonly unreachable: UnreachableDetails & { readonly first?: SeamUnreachableError },
  ) {
    super({ ...details, neverReached: true }, describeUnreachable(details, unreachable));
    this.endpoint = details.endpoint;
    this.code = unreachable.code;
    this.repeat = unreachable.repeat;
    this.first = unreachable.first ?? this;
    this.stack = "Seam could not be reached; the resource's error names the endpoint and what to check";
  }

  override toString(): string {
    return this.details.operation;
  }

  /** The same failure said again, pointing to the first: for another resource of the same run. */
  repeated(): SeamUnreachableError {
    return this.repeat ? this : new SeamUnreachableError(this.details, { ...this.unreachable, repeat: true, first: this.first });
  }
}

function describeUnreachable(d: SeamApiErrorDetails & { readonly endpoint: string }, u: UnreachableDetails): string {
  const tail = `[${d.route}; ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}]`;
  if (u.repeat) {
    const what = d.notSent ? "was not sent" : "failed";
    return `${d.operation} ${what}: Seam could not be reached (an earlier error of this run names the endpoint and what to check); nothing was changed at Seam ${tail}`;
  }
  let host = d.endpoint;
  try {
    host = new URL(d.endpoint).host;
  } catch {
    // settings only ever hold a URL; the endpoint is shown as it is.
  }
  const why =
    u.code === "ECONNREFUSED"
      ? `the connection to ${host} was refused (ECONNREFUSED): nothing listens there`
      : u.code === "ENOTFOUND" || u.code === "EAI_FAIL"
        ? `the host name ${new URL(`http://${host}`).hostname} does not resolve (${u.code})`
        : u.code === "EAI_AGAIN"
          ? `the host name ${new URL(`http://${host}`).hostname} could not be resolved (EAI_AGAIN: DNS did not answer)`
          : `there is no route to ${host} (${u.code})`;
  const check =
    u.code === "ECONNREFUSED"
      ? `check that Seam runs there (the local one: \`npx pulumi-seam-acs dev-server\`) and that ${u.endpointKey} names it`
      : u.code === "ENOTFOUND" || u.code === "EAI_FAIL"
        ? `check the spelling of ${u.endpointKey} (Seam's own API is https://connect.getseam.com) and this machine's DNS`
        : `check this machine's network, DNS and firewall, and ${u.endpointKey}`;
  return `${d.operation} failed: Seam could not be reached at ${d.endpoint} (${u.endpointSetting}): ${why}; ${check}. Nothing was changed at Seam ${tail}`;
}

/**
 * An add or remove failed without a clear answer, and the read that would have settled whether it
 * took effect failed too. The message leads with what was attempted, then says the check failed.
 */
export class SeamOutcomeUnknownError extends Error {
  override readonly name = "SeamOutcomeUnknownError";

  constructor(
    readonly attempted: SeamApiError,
    readonly check: Error,
  ) {
    super(
      `${attempted.message}. Whether it took effect is unknown: checking failed too: ${check.message}. ` +
        "Adding and removing are idempotent: run the same command again once Seam answers.",
    );
  }
}
