import type { MembershipIds } from "../seam/client";
import { membershipId } from "./membership-id";

/**
 * The memberships that resources in this deployment still declare, learned from `check`.
 *
 * The engine checks every resource the program registers before it deletes the ones the program
 * dropped, all in one provider process. When a resource is renamed without an alias, declared
 * twice, or swaps its group with another, the delete of the old resource names a pair that a
 * live resource still wants; calling Seam then would lock that person out (the bug of
 * terraform-provider-aws#17912 and pulumi-aws#2009). Such a delete only leaves the state.
 */
export class DeclaredMemberships {
  private readonly pairs = new Set<string>();

  declare(ids: MembershipIds): void {
    this.pairs.add(membershipId(ids));
  }

  isDeclared(ids: MembershipIds): boolean {
    return this.pairs.has(membershipId(ids));
  }
}
