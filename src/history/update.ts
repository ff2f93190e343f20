/**
 * One update of a stack as the history reports it: what Pulumi recorded about the update (its
 * kind, times, message, and the environment the CLI saw: `git.*`, `vcs.*`, `ci.*`), read from a DIY
 * backend's `<stack>-<time>.history.json` (Pulumi's `backend.UpdateInfo`: times in Unix seconds) or
 * from `pulumi stack history --output json` (times as RFC 3339 text). Both carry the same keys.
 */

/** The kinds an interval's update can have; Pulumi's `resource-import` (`pulumi import`) reads as `import`. */
export type UpdateKind = "update" | "destroy" | "refresh" | "import" | string;

/** The CI run the update ran in, where the CLI recorded one (`ci.*`). */
export interface CiRun {
  /** `ci.system`, e.g. "GitHub Actions". */
  readonly system: string | null;
  /** `ci.build.url`, else `ci.build.id` / `ci.build.number`. */
  readonly run: string | null;
  /** `ci.build.type`, e.g. "PullRequestValidation". */
  readonly type: string | null;
  /** `ci.pr.number`: the pull request the run was for. */
  readonly pullRequest: string | null;
}

export interface Update {
  /**
   * The update's number: Pulumi's version where the backend numbers updates (Pulumi Cloud); for a
   * DIY backend, which numbers every update 0, its position in the stack's history (1 = first).
   */
  readonly version: number;
  /** When the update started, ISO 8601 (UTC, seconds). */
  readonly time: string;
  /** When it ended, ISO 8601; null while it was in progress when the history was written. */
  readonly endTime: string | null;
  readonly kind: UpdateKind;
  /** `succeeded`, `failed` (the state it left still counts: what it did is in the checkpoint), … */
  readonly result: string | null;
  readonly message: string;
  /** `git.head`: the commit the program was run from. */
  readonly commit: string | null;
  /** `git.author` <`git.author.email`> of that commit. */
  readonly author: string | null;
  /** `git.committer` <`git.committer.email`>, when it differs from the author. */
  readonly committer: string | null;
  /** `vcs.owner`/`vcs.repo` (e.g. "acme/doors"), when the remote is a known host. */
  readonly repository: string | null;
  readonly ci: CiRun | null;
}

/** The raw record: `backend.UpdateInfo` (.history.json) or one entry of `stack history --output json`. */
export interface RawUpdate {
  readonly kind?: unknown;
  readonly startTime?: unknown;
  readonly endTime?: unknown;
  readonly message?: unknown;
  readonly result?: unknown;
  readonly environment?: unknown;
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : null);

/** Unix seconds (number) or RFC 3339 text → ISO 8601 UTC; null when absent or unreadable. */
export function isoTime(v: unknown): string | null {
  if (typeof v === "number" && Number.isFinite(v) && v > 0) return new Date(v * 1000).toISOString().replace(".000Z", "Z");
  if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString().replace(".000Z", "Z");
  return null;
}

const person = (name: string | null, email: string | null) => (name && email ? `${name} <${email}>` : (name ?? (email ? `<${email}>` : null)));

/** An Update from Pulumi's record; `version` is the caller's (see Update.version). */
export function updateOf(raw: RawUpdate, version: number, fallbackTime?: string): Update {
  const env: Record<string, unknown> = typeof raw.environment === "object" && raw.environment !== null ? (raw.environment as Record<string, unknown>) : {};
  const e = (k: string) => text(env[k]);
  const author = person(e("git.author"), e("git.author.email"));
  const committer = person(e("git.committer"), e("git.committer.email"));
  const ci: CiRun = {
    system: e("ci.system"),
    run: e("ci.build.url") ?? e("ci.build.id") ?? e("ci.build.number"),
    type: e("ci.build.type"),
    pullRequest: e("ci.pr.number"),
  };
  const kind = text(raw.kind) ?? "update";
  return {
    version,
    time: isoTime(raw.startTime) ?? fallbackTime ?? "1970-01-01T00:00:00Z",
    endTime: isoTime(raw.endTime),
    kind: kind === "resource-import" ? "import" : kind,
    result: text(raw.result),
    message: typeof raw.message === "string" ? raw.message : "",
    commit: e("git.head"),
    author,
    committer: committer === author ? null : committer,
    repository: e("vcs.owner") && e("vcs.repo") ? `${e("vcs.owner")}/${e("vcs.repo")}` : null,
    ci: Object.values(ci).some((v) => v !== null) ? ci : null,
  };
}

/** The instant an update's changes are known to be done: its end, else its start (ms since the epoch). */
export const doneAt = (u: Update): number => Date.parse(u.endTime ?? u.time);
/** The instant an update began (ms since the epoch). */
export const startedAt = (u: Update): number => Date.parse(u.time);
