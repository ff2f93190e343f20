import * as pulumi from "@pulumi/pulumi";
import { AccessGroupMembership, asRosterMember } from "./access-group-membership";
import { RosterMembers, rosterMembers } from "./roster/roster-members";

export type { RosterMembers } from "./roster/roster-members";

export interface AccessGroupRosterArgs {
  /** The Seam access group (`acs_access_group_id`) the members join. */
  readonly acsAccessGroupId: pulumi.Input<string>;
  /**
   * Who should be in the group: a list of plain id strings (`["8d7e…", "2c1f…"]`), or stable
   * names mapped to ids of any kind (`{ ada: "8d7e…", grace: user.id, alan: lookupAcsUser({ email }).then((u) => u.acsUserId) }`).
   * An Output or Promise in a plain list is refused: it cannot name its membership.
   */
  readonly acsUserIds: RosterMembers;
}

/**
 * Everyone a program says should be in one access group: one AccessGroupMembership per member, so
 * everything a membership guarantees holds for each. Members are named by id (plain list) or by
 * the name given (keyed form), never by position: reordering changes nothing, adding or dropping
 * one person touches only that person, and an id listed twice is one membership. A child is
 * named `<roster name>-<member name>`, so renaming the roster renames its children; pass the old
 * name as an alias (`aliases: [{ name: "old" }]`) and nothing changes at all.
 *
 * Not authoritative: members added to the group outside Pulumi are left alone. A roster that
 * removed everyone it does not list would lock out people granted access elsewhere (by another
 * stack, the Seam console or an integration), which is worse than a door left open for review.
 */
export class AccessGroupRoster extends pulumi.ComponentResource {
  /** The members' ids (the provider's canonical form), sorted, each once. */
  public readonly acsUserIds: pulumi.Output<string[]>;
  /** The memberships, by member name (the id for a plain list); e.g. for `dependsOn`. */
  public readonly memberships: Readonly<Record<string, AccessGroupMembership>>;

  constructor(name: string, args: AccessGroupRosterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("seam:index:AccessGroupRoster", name, {}, opts);
    const members = rosterMembers(name, args?.acsUserIds);
    const memberships: Record<string, AccessGroupMembership> = {};
    for (const [member, acsUserId] of members) {
      memberships[member] = asRosterMember(
        `AccessGroupRoster "${name}" member "${member}"`,
        () => new AccessGroupMembership(`${name}-${member}`, { acsUserId, acsAccessGroupId: args.acsAccessGroupId }, { parent: this }),
      );
    }
    this.memberships = memberships;
    this.acsUserIds = pulumi.all(Object.values(memberships).map((m) => m.acsUserId)).apply((ids) => [...new Set(ids)].sort());
    this.registerOutputs({ acsUserIds: this.acsUserIds });
  }
}
