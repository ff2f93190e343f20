/** The native `seam` package's resource type tokens (schema.json), and which one a request is for. */
import { nativeMembershipType, nativeRosterType } from "../provider/resource-types";

export const membershipToken = nativeMembershipType;
export const rosterToken = nativeRosterType;
export const providerToken = "pulumi:providers:seam";

export type NativeKind = "membership" | "roster";

/**
 * The kind of resource a request is for: from its `type` field (sent by engines since 2024), else
 * from the URN (`urn:pulumi:<stack>::<project>::<parent types$>type::<name>`). Throws for a type
 * this package does not define.
 */
export function kindOf(type: string, urn: string): NativeKind {
  const token = type || (urn.split("::")[2] ?? "").split("$").pop() || "";
  if (token === membershipToken || token === "seam:AccessGroupMembership") return "membership";
  if (token === rosterToken || token === "seam:AccessGroupRoster") return "roster";
  throw new Error(`The seam provider has no resource type ${JSON.stringify(token)} (it has ${membershipToken} and ${rosterToken}).`);
}

/** The resource's name, the last part of its URN. */
export function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}
