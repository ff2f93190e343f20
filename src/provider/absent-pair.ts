/**
 * `pulumi import` of a membership that Seam does not hold: the engine alone would answer
 * "resource '<group>/<user>' does not exist". Said in Seam's terms instead: which user, which
 * group (by name where Seam has them), whether either is missing altogether, and that declaring
 * the pair (without importing it) adds the user to the group at the next `pulumi up`.
 */
import type { AccessGroup, AcsUser, MembershipIds } from "../seam/client";

/** The reads the explanation needs; `SeamClient` has them. */
export interface AbsentPairReader {
  getAcsUser(acsUserId: string): Promise<AcsUser | undefined>;
  getAccessGroup(acsAccessGroupId: string): Promise<AccessGroup | undefined>;
}

/**
 * The one-line error for importing `ids` when the user is not in the group at Seam. Reads the user
 * and the group (two requests) for their names; a read that fails leaves the id alone in the text.
 */
export async function absentPairMessage(reader: AbsentPairReader, ids: MembershipIds): Promise<string> {
  const [user, group] = await Promise.all([
    reader.getAcsUser(ids.acsUserId).catch(() => null),
    reader.getAccessGroup(ids.acsAccessGroupId).catch(() => null),
  ]);
  const who = user ? `the ACS user ${ids.acsUserId}${user.fullName || user.email ? ` (${[user.fullName, user.email].filter(Boolean).join(", ")})` : ""}` : `the ACS user ${ids.acsUserId}`;
  const where = group ? `the access group ${ids.acsAccessGroupId} (${group.name})` : `the access group ${ids.acsAccessGroupId}`;
  const head = `Cannot import AccessGroupMembership ${ids.acsAccessGroupId}/${ids.acsUserId}`;
  if (user === undefined) return `${head}: Seam has no ACS user ${ids.acsUserId} in the workspace of these credentials, so there is nothing to import; check the id (the import id is <acsAccessGroupId>/<acsUserId>).`;
  if (group === undefined) return `${head}: Seam has no access group ${ids.acsAccessGroupId} in the workspace of these credentials, so there is nothing to import; check the id (the import id is <acsAccessGroupId>/<acsUserId>).`;
  return (
    `${head}: ${who} is not in ${where} at Seam, so there is no membership to import. ` +
    "Declaring the pair in the program (without importing it) would add the user to the group at the next `pulumi up`; nothing was changed."
  );
}
