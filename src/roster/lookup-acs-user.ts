/**
 * People by email, at program time: `lookupAcsUser({ email })` finds the one ACS user a program
 * means, through the same settings (stack config `seam:*`, then the environment) and client as
 * the provider. The id it resolves to is what enters the state; the token never does.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { AcsUser, SeamClient } from "../seam/client";
import { ConfigSource, resolveSettings, SeamSettings } from "../seam/settings";
import { refusePlaintextTokens } from "../program/plaintext-token";
import { asProgramError, programError } from "../program/program-error";
import { emailProblem, hasEmail } from "./email";

export interface AcsUserLookupArgs {
  /** The person's email: the ACS user's `email_address`, or that of the user identity it belongs to. */
  readonly email: string;
  /** Look only in this access system (`acs_system_id`): a person has one ACS user per system. */
  readonly acsSystemId?: string;
}

export type FoundAcsUser = Pick<AcsUser, "acsUserId" | "fullName" | "email" | "userIdentityEmail">;

/**
 * The one ACS user with exactly this email (compared without regard to case). No match, or more
 * than one, is an error naming the email and the candidates' ids: a lookup never guesses whom
 * to let in.
 *
 * Each email (per system) is looked up once per set of settings — endpoint, workspace and
 * credential, as the stack config and environment give them when it is asked — so a process
 * that drives several stacks (the Automation API) never hands one stack another's user. A
 * failed lookup is not kept: the next ask tries again. The cache keys hold a hash of the
 * credential, never the credential itself.
 */
export function lookupAcsUser(args: AcsUserLookupArgs): Promise<FoundAcsUser> {
  const problem = typeof args?.email === "string" ? emailProblem(args.email) : "must be a string";
  if (problem) return Promise.reject(programError(`lookupAcsUser: email ${JSON.stringify(args?.email)} ${problem}.`));
  let session: { identity: string; client: SeamClient };
  try {
    session = client();
  } catch (e) {
    return Promise.reject(e);
  }
  const key = `${session.identity}\u0000${args.email.toLowerCase()}\u0000${args.acsSystemId ?? ""}`;
  let found = lookups.get(key);
  if (!found) {
    // Failures are the user's to fix: printed once, as the message alone (program-error.ts).
    const lookup = Promise.resolve()
      .then(() => findAcsUserByEmail(session.client, args.email, args.acsSystemId))
      .catch((e: unknown) => Promise.reject(asProgramError(e)));
    lookups.set(key, lookup);
    // A failure is the answer to this ask only: a later ask (after a fix, or an outage) tries again.
    lookup.catch(() => {
      if (lookups.get(key) === lookup) lookups.delete(key);
    });
    found = lookup;
  }
  return found;
}

/** Settings identity (hash) + email + system → the lookup, while it is pending or succeeded. */
const lookups = new Map<string, Promise<FoundAcsUser>>();

/** Exactly one user with this email, or an error that says who the candidates were. */
export async function findAcsUserByEmail(seam: SeamClient, email: string, acsSystemId?: string): Promise<FoundAcsUser> {
  // `search` is partial and covers the user's own email; the user identity's email needs its own filter.
  const [searched, byIdentity] = await Promise.all([
    seam.listAcsUsers({ search: email, acsSystemId }),
    seam.listAcsUsers({ userIdentityEmail: email, acsSystemId }),
  ]);
  const candidates = new Map([...searched, ...byIdentity].map((u) => [u.acsUserId, u]));
  const matches = [...candidates.values()].filter((u) => hasEmail(u, email));
  const where = acsSystemId === undefined ? "" : ` in access system ${acsSystemId}`;
  if (matches.length === 1) {
    const { acsUserId, fullName, email: own, userIdentityEmail } = matches[0]!;
    return { acsUserId, ...(fullName ? { fullName } : {}), ...(own ? { email: own } : {}), ...(userIdentityEmail ? { userIdentityEmail } : {}) };
  }
  if (matches.length === 0) {
    const near = [...candidates.values()];
    throw new Error(
      `lookupAcsUser: no ACS user has the email ${email}${where}` +
        // Other people's names and emails stay out of pipeline logs: ids are enough to look them up.
        (near.length > 0 ? `; ids of users whose details only contain it: ${near.slice(0, 10).map((u) => u.acsUserId).join(", ")}${more(near.length)}` : "") +
        ". Check the address, or give the user by acsUserId.",
    );
  }
  throw new Error(
    `lookupAcsUser: ${matches.length} ACS users have the email ${email}${where}: ${matches.slice(0, 10).map(describe).join(", ")}${more(matches.length)}. ` +
      "Not guessing which one to give access: " +
      (acsSystemId === undefined ? "give acsSystemId to look in one access system, or " : "") +
      "give the user by acsUserId.",
  );
}

function describe(u: AcsUser): string {
  const details = [u.fullName, u.email, u.userIdentityEmail && u.userIdentityEmail !== u.email ? `identity ${u.userIdentityEmail}` : undefined].filter(Boolean);
  return details.length > 0 ? `${u.acsUserId} (${details.join(", ")})` : u.acsUserId;
}

function more(count: number): string {
  return count > 10 ? ` and ${count - 10} more` : "";
}

/**
 * The program's stack config, read without `pulumi.Config`, which warns about every secret it
 * reads: the token only travels from here into a request header.
 */
const stackConfig: ConfigSource = { get: (key) => pulumi.runtime.getConfig(key) };

/** Settings hash → one client (and connection pool) per set of settings the process has used. */
const clients = new Map<string, SeamClient>();

/**
 * Unusable settings, by message: one error object per problem, so a program run reports it once
 * however many lookups it fails, while another stack in the same process (Automation API) with
 * other settings is not refused by an earlier stack's problem.
 */
const settingsErrors = new Map<string, Error>();

/**
 * The client for the settings in force now, and the identity of whom it asks: a SHA-256 of
 * endpoint, credential mode, workspace and credential (the token only ever enters the hash).
 */
function client(): { identity: string; client: SeamClient } {
  refusePlaintextTokens();
  let settings: SeamSettings;
  try {
    settings = resolveSettings(stackConfig, process.env);
  } catch (e) {
    const error = asProgramError(e);
    const earlier = settingsErrors.get(error.message);
    if (earlier) throw earlier;
    settingsErrors.set(error.message, error);
    throw error;
  }
  const identity = sha256([settings.endpoint, settings.auth.mode, settings.auth.workspaceId ?? "", settings.auth.token]);
  const all = sha256([identity, JSON.stringify({ ...settings, auth: { ...settings.auth, token: "" } } satisfies SeamSettings)]);
  let seam = clients.get(all);
  // An endpoint that cannot be reached fails within seconds, in a preview as in `up` (retry-policy.ts).
  if (!seam) clients.set(all, (seam = new SeamClient(settings)));
  return { identity, client: seam };
}

function sha256(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
