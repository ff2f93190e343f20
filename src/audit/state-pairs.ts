/**
 * The pairs (acs_user_id, acs_access_group_id) a resource in a stack's state declares: the access
 * that state tracks. ONE function per resource type, in one table; a new resource type that holds
 * memberships (e.g. a roster that is one resource per group, its member ids in its outputs) adds
 * one entry here, and the audit reads it with no other change.
 *
 * A resource of this package's dynamic types that no entry reads is an error, never "declares
 * nothing": its access would be reported as unmanaged, and the audit would be wrong.
 */
import type { MembershipIds } from "../seam/client";
import { pairsOfStateResource } from "../provider/state-pairs";
import { isNativeType, nativeMembershipType, nativeRosterType, ownTypePrefixes } from "../provider/resource-types";
import { membershipType, rosterType } from "../review/preview-file";
import { AuditInputError, StateResource } from "./stack-state";

/** Reads the pairs a resource of one type declares from its state (outputs, id); throws when it cannot. */
export type PairReader = (resource: StateResource) => MembershipIds[];

/** The text Pulumi's export shows in place of a secret value (`{ "4dabf18193072939515e22adb298388d": …, ciphertext }`). */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** As the provider's delete reads its own state (provider/state-pairs.ts): canonical ids. */
const asTheProviderReads: PairReader = (r) =>
  (pairsOfStateResource(r) ?? []).map(({ acsUserId, acsAccessGroupId }) => ({ acsUserId, acsAccessGroupId }));

export const statePairReaders: Readonly<Record<string, PairReader>> = {
  // Outputs `{ acsUserId, acsAccessGroupId, workspaceId? }` since 0.1.0, else the id `<group>/<user>`.
  [membershipType]: asTheProviderReads,
  // AccessGroupRoster: outputs `{ acsAccessGroupId, members }`, members a list of ids or names → ids.
  [rosterType]: asTheProviderReads,
  // The native provider's types: the same outputs (a roster's member set named acsUserIds).
  [nativeMembershipType]: asTheProviderReads,
  [nativeRosterType]: asTheProviderReads,
};

/** The pairs `resource` declares: none for resources of other packages; throws for a type of ours it cannot read. */
export function pairsDeclaredBy(resource: StateResource, readers: Readonly<Record<string, PairReader>> = statePairReaders): MembershipIds[] {
  // 0.1.0's component roster shares the native roster's type token; its pairs are its child
  // memberships, each read on its own (resource-types.ts seamResourceKind).
  if (resource.custom === false && isNativeType(resource.type)) return [];
  const read = readers[resource.type];
  if (!read) {
    if (ownTypePrefixes.some((prefix) => resource.type.startsWith(prefix))) {
      throw new AuditInputError(
        `The state holds ${resource.urn}, of type ${resource.type}, which this version of pulumi-seam-acs cannot read; ` +
          "its access would show as unmanaged. Upgrade pulumi-seam-acs.",
      );
    }
    return [];
  }
  if (Object.values(resource.outputs).some((v) => typeof v === "object" && v !== null && secretSignature in v)) {
    throw new AuditInputError(`The state holds the ids of ${resource.urn} as secrets, so the access it tracks cannot be audited; Seam ids need not be secrets.`);
  }
  try {
    return read(resource);
  } catch (e) {
    throw new AuditInputError(`${resource.urn}: ${(e as Error).message}`);
  }
}
