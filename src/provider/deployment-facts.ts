/**
 * What one provider process learns about the deployment it serves, for the removal policy
 * (removal-policy.ts). The engine starts one provider process per run (measured: `pulumi up`'s
 * preview and update run in two processes), and within a run:
 *  - `check` runs for every resource the engine registers (not for those `--target` leaves out,
 *    nor in `destroy`): what the program declares;
 *  - `diff` runs for every checked resource that has state: it either keeps the pair (no
 *    replacement) or plans a replacement;
 *  - a replacement's `create` runs before the old resource's `delete` (create-first, the default)
 *    or after it (delete-first): a delete whose replacement was planned but not created yet is
 *    the delete-first order, whatever set it (deleteBeforeReplace, pulumi:autonaming, a transform);
 *  - deletes of resources that left the program run after every registered resource's step ended,
 *    so by then a declarer whose create has not succeeded failed or was skipped.
 */
import type { MembershipIds } from "../seam/client";
import { DeclaredMemberships } from "./declared-memberships";
import { membershipId } from "./membership-id";
import type { RemovalFacts } from "./removal-policy";

export class DeploymentFacts {
  readonly declared = new DeclaredMemberships();
  /** Pairs some resource holds in the state this run leaves: created, or kept by diff. */
  private readonly held = new Set<string>();
  /** Resource id → the pair its planned replacement will hold, until that replacement's create starts. */
  private readonly replacements = new Map<string, string>();

  /** `check` saw a resource declare the pair (ids known). */
  checked(ids: MembershipIds): void {
    this.declared.declare(ids);
  }

  /** `diff` of resource `id` keeps `ids` without a replacement. */
  kept(ids: MembershipIds): void {
    this.held.add(membershipId(ids));
  }

  /** `diff` of resource `id` plans its replacement by a resource holding `ids`. */
  replacing(id: string, ids: MembershipIds): void {
    this.replacements.set(id, membershipId(ids));
  }

  /** A `create` of the pair starts: the replacement planned for it is no longer pending. */
  creating(ids: MembershipIds): void {
    const pair = membershipId(ids);
    for (const [id, planned] of this.replacements) if (planned === pair) this.replacements.delete(id);
  }

  /** `diff` of roster `id` plans its replacement by the roster whose id will be `newRosterId`. */
  replacingRoster(id: string, newRosterId: string): void {
    this.replacements.set(id, newRosterId);
  }

  /** A roster's `create` starts: the replacement planned for it is no longer pending. */
  creatingRoster(rosterId: string): void {
    for (const [id, planned] of this.replacements) if (planned === rosterId) this.replacements.delete(id);
  }

  /** A `create` (or `update`) of the pair succeeded, or entered the state with an error. */
  recorded(ids: MembershipIds): void {
    this.held.add(membershipId(ids));
  }

  /** The facts for a delete of resource `id`, which holds `ids`. */
  forDelete(id: string, ids: MembershipIds): RemovalFacts {
    return {
      deleteFirstReplacement: this.replacements.has(id),
      heldByAnotherResource: this.held.has(membershipId(ids)),
      declared: this.declared.isDeclared(ids),
    };
  }
}
