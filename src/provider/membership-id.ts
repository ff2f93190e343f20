import type { MembershipIds } from "../seam/client";

/**
 * The resource id is `<acsAccessGroupId>/<acsUserId>`: it names the membership by meaning, so two
 * resources for one pair are recognisable and the id can be read back into both ids.
 */
export function membershipId(ids: MembershipIds): string {
  return `${ids.acsAccessGroupId}/${ids.acsUserId}`;
}

export function parseMembershipId(id: string): MembershipIds | undefined {
  const parts = id.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { acsAccessGroupId: parts[0], acsUserId: parts[1] };
}
