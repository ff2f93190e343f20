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
import { dynamicMembershipType, dynamicRosterType, seamResourceKind, sharedProperties } from "./resource-types";
import { rosterFromState } from "./roster-inputs";

export const membershipResourceType = dynamicMembershipType;
export const rosterResourceType = dynamicRosterType;

export interface DeclaredPair extends MembershipIds {
  /** The roster member's name (the id itself for a plain list); absent for a membership. */
  readonly member?: string;
}

export function pairsOfStateResource(resource: {
  readonly type: string;
  readonly custom?: boolean;
  readonly id?: string;
  readonly outputs?: Record<string, unknown>;
}): DeclaredPair[] | undefined {
  // The native types (seam:index:…) read the same, a native roster's outputs in the shared shape.
  const kind = seamResourceKind(resource);
  if (kind === "membership") return [idsFromState(resource.id ?? "", resource.outputs ?? {})];
  if (kind !== "roster") return undefined;
  const roster = rosterFromState(sharedProperties(resource.type, resource.outputs ?? {}));
  return [...roster.members].map(([member, acsUserId]) => ({ acsUserId, acsAccessGroupId: roster.acsAccessGroupId, member }));
}
