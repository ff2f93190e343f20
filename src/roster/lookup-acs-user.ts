/**
 * People by email, at program time: `lookupAcsUser({ email })` finds the one ACS user a program
 * means, through the same settings (stack config `seam:*`, then the environment) and client as
 * the provider. The id it resolves to is what enters the state; the token never does.
 */
import * as pulumi from "@pulumi/pulumi";
import { AcsUser, SeamClient } from "../seam/client";
import { ConfigSource, resolveSettings } from "../seam/settings";
import { refusePlaintextTokens } from "../program/plaintext-token";
import { asProgramError, programError } from "../program/program-error";
import { emailProblem } from "./email";

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
 * to let in. Each email (per system) is looked up once per program run, however often it is asked.
 */
export function lookupAcsUser(args: AcsUserLookupArgs): Promise<FoundAcsUser> {
  const problem = typeof args?.email === "string" ? emailProblem(args.email) : "must be a string";
  if (problem) return Promise.reject(programError(`lookupAcsUser: email ${JSON.stringify(args?.email)} ${problem}.`));
  const key = `${args.email.toLowerCase()}\u0000${args.acsSystemId ?? ""}`;
  let found = lookups.get(key);
  if (!found) {
    // Failures are the user's to fix: printed once, as the message alone (program-error.ts).
    found = Promise.resolve()
      .then(() => findAcsUserByEmail(client(), args.email, args.acsSystemId))
      .catch((e: unknown) => Promise.reject(asProgramError(e)));
    lookups.set(key, found);
  }
  return found;
}

const lookups = new Map<string, Promise<FoundAcsUser>>();

/** Exactly one user with this email, or an error that says who the candidates were. */
export async function findAcsUserByEmail(seam: SeamClient, email: string, acsSystemId?: string): Promise<FoundAcsUser> {
  const wanted = email.toLowerCase();
  // `search` is partial and covers the user's own email; the user identity's email needs its own filter.
  const [searched, byIdentity] = await Promise.all([
    seam.listAcsUsers({ search: email, acsSystemId }),
    seam.listAcsUsers({ userIdentityEmail: email, acsSystemId }),
  ]);
  const candidates = new Map([...searched, ...byIdentity].map((u) => [u.acsUserId, u]));
  const matches = [...candidates.values()].filter((u) => u.email?.toLowerCase() === wanted || u.userIdentityEmail?.toLowerCase() === wanted);
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

let cached: { key: string; client: SeamClient } | undefined;
/**
 * The one error of unusable settings: the stack config and environment do not change during a
 * program run, and one error object is reported once, however many lookups it fails.
 */
let settingsError: Error | undefined;

/** One client (and connection pool) for the program's lookups while the settings stay the same. */
function client(): SeamClient {
  refusePlaintextTokens();
  if (settingsError) throw settingsError;
  let settings;
  try {
    settings = resolveSettings(stackConfig, process.env);
  } catch (e) {
    throw (settingsError = asProgramError(e));
  }
  const key = JSON.stringify(settings);
  // A preview fails at once on an endpoint that refuses connections; `up` retries patiently.
  if (cached?.key !== key) cached = { key, client: new SeamClient(settings, { preview: pulumi.runtime.isDryRun() }) };
  return cached.client;
}
