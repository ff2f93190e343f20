/**
 * Which (acs_user_id, acs_access_group_id) pairs a resource in a stack's state declares, read as
 * the provider's `delete` reads them: for audits, exports and reviews that walk `pulumi stack
 * export` rather than a preview.
 *
 * - `pulumi-nodejs:dynamic/seam:AccessGroupMembership`: one pair, from the outputs (or the id
 *   `<acsAccessGroupId>/<acsUserId>` when the outputs hold no ids).
 * - `pulumi-nodejs:dynamic/seam:AccessGroupRoster`: one pair per member in place (`members` of
 *   the outputs: a list of ids, or names → ids; see roster-inputs.ts), each with its member name.
 * - Any other type: undefined (not ours; a roster from 0.1.0 was a component whose children
 *   are AccessGroupMembership resources, read as such).
 * Ids are canonical (UUIDs lower-case). Throws when a resource of our type holds no readable ids.
 */
import type { MembershipIds } from "../seam/client";
import { idsFromState } from "./membership-provider";
import { rosterFromState } from "./roster-inputs";

export const membershipResourceType = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";
export const rosterResourceType = "pulumi-nodejs:dynamic/seam:AccessGroupRoster";

export interface DeclaredPair extends MembershipIds {
  /** The roster member's name (the id itself for a plain list); absent for a membership. */
  readonly member?: string;
}

export function pairsOfStateResource(resource: { readonly type: string; readonly id?: string; readonly outputs?: Record<string, unknown> }): DeclaredPair[] | undefined {
  if (resource.type === membershipResourceType) return [idsFromState(resource.id ?? "", resource.outputs ?? {})];
  if (resource.type !== rosterResourceType) return undefined;
  const roster = rosterFromState(resource.outputs ?? {});
  return [...roster.members].map(([member, acsUserId]) => ({ acsUserId, acsAccessGroupId: roster.acsAccessGroupId, member }));
}
