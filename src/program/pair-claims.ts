/**
 * One declarer per pair: in one program, each (acs_user_id, acs_access_group_id) pair may be
 * declared by one resource only (one AccessGroupMembership, or one member of one roster).
 *
 * Why: the provider decides whether a delete may revoke a pair from what the deployment still
 * declares, and under `--target`, `destroy --target`, `--exclude-protected` and delete-first
 * replacements it does not see every declarer. If the state can never hold two live declarers of
 * one pair, a delete of the only declarer is always right, whatever the engine options. So a
 * second declarer is refused while the program runs — at `pulumi preview`, before anything
 * changes — naming the pair and both resources.
 *
 * This runs in the program process (not the provider): the program registers every resource on
 * every run, targeted or not, so the check is complete there. The registry lives on `globalThis`
 * under a registered symbol, so two copies of this package loaded by one program share it.
 */
import * as pulumi from "@pulumi/pulumi";
import { duplicateClaimMessage } from "../provider/declarers";
import { canonical, unknownValue } from "../provider/inputs";

/** Who declares a pair, in words a reader finds in the program: `AccessGroupMembership "ada-lobby"`, `AccessGroupRoster "lobby" member "ada"`. */
export type Claimant = string;

const registryKey = Symbol.for("pulumi-seam-acs.pair-claims.v1");

function registry(): Map<string, Claimant> {
  const g = globalThis as unknown as Record<symbol, Map<string, Claimant> | undefined>;
  return (g[registryKey] ??= new Map<string, Claimant>());
}

/** The error a second declarer gets (the same words the providers use across processes); exported for tests and the roster. */
export { duplicateClaimMessage };

/**
 * Records that `claimant` declares the pair; returns the earlier claimant when another one
 * already declared it (the caller reports it), or undefined. Ids are compared canonically
 * (UUIDs lower-case), as the provider compares them. The same claimant twice is not a conflict.
 */
export function claimPair(acsUserId: string, acsAccessGroupId: string, claimant: Claimant): Claimant | undefined {
  const key = `${canonical(acsAccessGroupId)}/${canonical(acsUserId)}`;
  const pairs = registry();
  const earlier = pairs.get(key);
  if (earlier !== undefined && earlier !== claimant) return earlier;
  pairs.set(key, claimant);
  return undefined;
}

/**
 * Claims the pair and fails the program run with one clean error (no stack trace) when another
 * resource already declared it. Plain strings are claimed at once: call this BEFORE registering
 * the resource (before `super(...)`), so a refused resource is never registered and nothing is
 * added. Ids that are Outputs or Promises are claimed when they resolve, which needs the
 * registered `resource` to attach the error to: call it again after `super(...)` with `this`
 * (claiming the same pair twice for one claimant is no conflict). Values unknown at preview are
 * claimed at `up`, when known.
 */
export function claimPairOf(
  ids: { readonly acsUserId: pulumi.Input<string>; readonly acsAccessGroupId: pulumi.Input<string> },
  claimant: Claimant,
  resource?: pulumi.Resource,
): void {
  const conflict = (acsUserId: unknown, acsAccessGroupId: unknown): string | undefined => {
    // Malformed or unknown values are the provider's check to report, not a claim.
    if (typeof acsUserId !== "string" || typeof acsAccessGroupId !== "string") return undefined;
    if (acsUserId === unknownValue || acsAccessGroupId === unknownValue) return undefined;
    const earlier = claimPair(acsUserId, acsAccessGroupId, claimant);
    return earlier === undefined ? undefined : duplicateClaimMessage(canonical(acsUserId), canonical(acsAccessGroupId), earlier, claimant);
  };
  if (typeof ids.acsUserId === "string" && typeof ids.acsAccessGroupId === "string") {
    const message = conflict(ids.acsUserId, ids.acsAccessGroupId);
    if (message) throw new pulumi.RunError(message);
    return;
  }
  if (!resource) return;
  // An Output that fails here rejects nowhere else: the program's handler reports the
  // ResourceError once, without a stack, and the run fails.
  pulumi.all([ids.acsUserId, ids.acsAccessGroupId]).apply(([u, g]) => {
    const message = conflict(u, g);
    if (message) throw new pulumi.ResourceError(message, resource, true);
  });
}

/** For tests: forget every claim (a new program run starts empty anyway). */
export function resetPairClaims(): void {
  registry().clear();
}
