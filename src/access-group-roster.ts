import * as pulumi from "@pulumi/pulumi";
import { claimPairOf } from "./program/pair-claims";
import { refusePlaintextTokens } from "./program/plaintext-token";
import * as serializedProvider from "./provider/serialized-provider";
import { RosterMembers, rosterMembers } from "./roster/roster-members";

export type { RosterMembers } from "./roster/roster-members";

export interface AccessGroupRosterArgs {
  /** The Seam access group (`acs_access_group_id`) the members join. */
  readonly acsAccessGroupId: pulumi.Input<string>;
  /**
   * Who should be in the group: a list of plain id strings (`["8d7e…", "2c1f…"]`), or stable
   * names mapped to ids of any kind (`{ ada: "8d7e…", grace: user.id, alan: lookupAcsUser({ email }).then((u) => u.acsUserId) }`).
   * An Output or Promise in a plain list is refused: it cannot name its member.
   */
  readonly acsUserIds: RosterMembers;
}

/**
 * Everyone a program says should be in one access group, as ONE resource holding the member set
 * (type `pulumi-nodejs:dynamic/seam:AccessGroupRoster`): a 10,000-person campus is a hundred
 * resources, not ten thousand. Members are named by id (plain list) or by the name given (keyed
 * form), never by position: reordering changes nothing, and an id listed twice is one member.
 *
 * What happens at Seam: gaining members updates the roster in place (one read of the group, one
 * add per member missing there); losing members replaces it create-first, and the old roster's
 * delete at the end of the deployment removes exactly the members nothing declares any more, so
 * a person moving to another roster or membership keeps access throughout. A pair may be
 * declared by one resource only: a member that another roster or AccessGroupMembership also
 * declares fails the run at preview, naming both. `deleteBeforeReplace` is refused: it would
 * remove members before the resources that may take them over are checked.
 *
 * Not authoritative: members added to the group outside Pulumi are left alone. A roster that
 * removed everyone it does not list would lock out people granted access elsewhere (by another
 * stack, the Seam console or an integration), which is worse than a door left open for review.
 */
export class AccessGroupRoster extends pulumi.dynamic.Resource {
  declare public readonly acsAccessGroupId: pulumi.Output<string>;
  /** The members' ids (the provider's canonical form), sorted, each once: those in place at Seam. */
  public readonly acsUserIds: pulumi.Output<string[]>;
  /** Member name → id, for the members in place (a plain list names each id by itself). */
  declare public readonly members: pulumi.Output<Record<string, string>>;
  /** The Seam workspace the roster was made in. */
  declare public readonly workspaceId: pulumi.Output<string | undefined>;

  constructor(name: string, args: AccessGroupRosterArgs, opts?: pulumi.CustomResourceOptions) {
    // A token stored without --secret fails the run here, before anything is registered.
    refusePlaintextTokens();
    if (opts?.deleteBeforeReplace) {
      throw new pulumi.RunError(
        `AccessGroupRoster "${name}": deleteBeforeReplace is refused. A delete-first replacement would remove members before the ` +
          "resources that take them over are checked, locking them out. Drop the option: rosters replace create-first, and the " +
          "old roster's delete removes only members nothing declares any more.",
      );
    }
    const members = rosterMembers(name, args?.acsUserIds);
    const list = Array.isArray(args.acsUserIds);
    // A plain list is stored as a list (each id once): about half the state of names → ids.
    const declared = list ? [...new Set(members.values() as Iterable<string>)].sort() : Object.fromEntries(members);
    // One declarer per pair in a program (see pair-claims.ts), each member under its own name:
    // plain ids are claimed before the roster is registered, so a refused roster adds nobody.
    const claimants = [...members].map(([member, acsUserId]) => [{ acsUserId, acsAccessGroupId: args.acsAccessGroupId }, `AccessGroupRoster "${name}" member "${member}"`] as const);
    for (const [ids, claimant] of claimants) claimPairOf(ids, claimant);
    super(serializedProvider, name, { workspaceId: undefined, acsAccessGroupId: args.acsAccessGroupId, members: declared }, opts, "seam", "AccessGroupRoster");
    // Ids that are Outputs are claimed once they resolve (plain ones again: no conflict with itself).
    for (const [ids, claimant] of claimants) claimPairOf(ids, claimant, this);
    const stored = (this as unknown as { members: pulumi.Output<string[] | Record<string, string> | undefined> }).members;
    const byName = stored.apply((m) => (Array.isArray(m) ? Object.fromEntries(m.map((id) => [id, id])) : { ...(m ?? {}) }));
    (this as unknown as { members: pulumi.Output<Record<string, string>> }).members = byName;
    this.acsUserIds = byName.apply((m) => [...new Set(Object.values(m))].sort());
  }
}
