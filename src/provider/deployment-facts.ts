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
 * A resource moved to another provider instance in the same update is checked, diffed and created
 * in THAT instance's process: so what this process learns is also published through the
 * deployment's rendezvous (declarers.ts), and a delete's facts merge the other processes'.
 */
import type { MembershipIds } from "../seam/client";
import { DeclaredMemberships } from "./declared-memberships";
import type { DeclarerRendezvous } from "./declarers";
import { membershipId } from "./membership-id";
import type { RemovalFacts } from "./removal-policy";

export class DeploymentFacts {
  /**
   * `peers`: the deployment's rendezvous, through which this process publishes what it holds and
   * replaces and reads the other processes' facts at a delete; undefined for this process alone.
   */
  constructor(private readonly peers?: DeclarerRendezvous) {}

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
    this.hold([membershipId(ids)]);
  }

  /** `diff` of a roster keeps all of `pairs` (one published line for all of them). */
  keptAll(pairs: Iterable<MembershipIds>): void {
    this.hold([...pairs].map(membershipId));
  }

  /** `diff` of resource `id` plans its replacement by a resource holding `ids`. */
  replacing(id: string, ids: MembershipIds): void {
    this.replace(id, membershipId(ids));
  }

  /** A `create` of the pair starts: the replacement planned for it is no longer pending. */
  creating(ids: MembershipIds): void {
    this.startCreate(membershipId(ids));
  }

  /** `diff` of roster `id` plans its replacement by the roster whose id will be `newRosterId`. */
  replacingRoster(id: string, newRosterId: string): void {
    this.replace(id, newRosterId);
  }

  /** A roster's `create` starts: the replacement planned for it is no longer pending. */
  creatingRoster(rosterId: string): void {
    this.startCreate(rosterId);
  }

  /** A `create` (or `update`) of the pair succeeded, or entered the state with an error. */
  recorded(ids: MembershipIds): void {
    this.hold([membershipId(ids)]);
  }

  /** A roster's `create` or `update` left all of `pairs` in place (one published line for all of them). */
  recordedAll(pairs: Iterable<MembershipIds>): void {
    this.hold([...pairs].map(membershipId));
  }

  /**
   * The facts for a delete of resource `id`, which holds `ids`: this process's, merged with the
   * other processes' of the deployment (a pair declared or held through another provider instance
   * counts as here; so does a delete-first replacement planned there).
   */
  forDelete(id: string, ids: MembershipIds): RemovalFacts {
    const pair = membershipId(ids);
    const peer = this.peers?.peerFacts(pair, id);
    const declaredHere = this.declared.isDeclared(ids);
    return {
      deleteFirstReplacement: this.replacements.has(id) || peer?.replacementPending === true,
      heldByAnotherResource: this.held.has(pair) || peer?.held === true,
      declared: declaredHere || peer?.declaredBy !== undefined,
      ...(!declaredHere && peer?.declaredBy ? { declaredBy: `${peer.declaredBy.label} (through ${peer.declaredBy.provider})` } : {}),
    };
  }

  private hold(pairs: string[]): void {
    const fresh = pairs.filter((p) => !this.held.has(p));
    for (const p of fresh) this.held.add(p);
    this.peers?.noteHeld(fresh);
  }

  private replace(id: string, target: string): void {
    this.replacements.set(id, target);
    this.peers?.noteReplacing(id, target);
  }

  private startCreate(target: string): void {
    for (const [id, planned] of this.replacements) if (planned === target) this.replacements.delete(id);
    this.peers?.noteCreating(target);
  }
}
