/**
 * The one rule for "may this delete send a remove for pair P?" — used by the provider's `delete`
 * for its membership, by roster code for each member, and mirrored by the review.
 *
 * Pure: it decides from facts the caller gathered in this provider process (see
 * deployment-facts.ts for how the provider learns them from check, diff and create). It never
 * sees URNs or engine flags (the engine does not send them), so where the facts cannot tell, it
 * refuses rather than guess: a refused delete keeps the resource in state and calls nothing.
 */
import type { MembershipIds } from "../seam/client";

/** What this provider process knows about one pair when a delete of a resource holding it runs. */
export interface RemovalFacts {
  /**
   * Diff, in this process, planned to replace the resource being deleted, and the create of its
   * replacement has not run: the engine is replacing it delete-first (`deleteBeforeReplace`, the
   * stack config `pulumi:autonaming`, or a stack transform). The remove would run before later
   * resources are checked, so "declared" below is not yet complete.
   */
  readonly deleteFirstReplacement: boolean;
  /**
   * Another resource holds the pair in the state this run leaves behind: its create succeeded in
   * this process, or diff kept it (no replacement) with this pair.
   */
  readonly heldByAnotherResource: boolean;
  /** A resource the engine checked in this process, or in another of the deployment, declares the pair (its ids known). */
  readonly declared: boolean;
  /** Who declares it, when that is a resource of another provider process (for the refusal's words). */
  readonly declaredBy?: string;
}

/**
 * - `remove`: send the remove (nobody in this deployment declares the pair);
 * - `skip`: only leave the state (another resource holds the pair, so access stays tracked);
 * - `refuse`: throw `why` before calling Seam; the resource stays in state.
 */
export type RemovalDecision =
  | { readonly action: "remove" }
  | { readonly action: "skip"; readonly why: string }
  | { readonly action: "refuse"; readonly why: string };

/**
 * Decides a delete of `pair`. Order matters: a delete-first replacement is refused even when the
 * pair looks undeclared (later resources are not checked yet); a pair declared by a resource that
 * has not entered the state is refused, since removing it revokes declared access and skipping
 * it leaves the access with nothing to revoke it later.
 */
export function decideRemoval(pair: MembershipIds, facts: RemovalFacts): RemovalDecision {
  const subject = `acs_user_id ${pair.acsUserId} in acs_access_group_id ${pair.acsAccessGroupId}`;
  if (facts.deleteFirstReplacement) {
    return {
      action: "refuse",
      why:
        `the engine is replacing the membership of ${subject} delete-first, so the remove would run before the rest of the ` +
        "program is checked and could revoke access another resource still declares. This comes from the resource option " +
        "deleteBeforeReplace (set directly or by a stack transform) or from the stack config pulumi:autonaming (mode verbatim " +
        "or disabled, or a pattern without a random part). Remove that option or transform, or give pulumi:autonaming a " +
        "random part or mode default for the provider (pulumi-nodejs for the dynamic resources, seam for the native ones); nothing was " +
        "changed and the membership stays in the state.",
    };
  }
  if (facts.heldByAnotherResource) return { action: "skip", why: `${subject} is held by another resource of this deployment` };
  if (facts.declared) {
    return {
      action: "refuse",
      why:
        `${subject} is still declared by the program, but the resource declaring it has not entered the state in this run ` +
        "(its create failed or did not run, e.g. under --continue-on-error). Removing would revoke declared access; only " +
        "leaving the state would leave the access with nothing to revoke it. The membership stays in the state: fix the " +
        "failure above and run `pulumi up` again." +
        (facts.declaredBy ? ` It is declared by ${facts.declaredBy}.` : ""),
    };
  }
  return { action: "remove" };
}
