/**
 * This package's resource types, dynamic and native, and the one translation between them: the
 * place the review, `audit`, `export` and the state readers ask "is this resource ours, and which
 * kind?". A native roster (`seam:index:AccessGroupRoster`) names its member set `acsUserIds`, as
 * the Node.js argument does; everything that reads state or previews reads the shared shape
 * (`members`, see roster-inputs.ts), so a native resource is translated here once and then read
 * exactly as a dynamic one: same netting, same names.
 */
export const dynamicMembershipType = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";
export const dynamicRosterType = "pulumi-nodejs:dynamic/seam:AccessGroupRoster";
export const nativeMembershipType = "seam:index:AccessGroupMembership";
export const nativeRosterType = "seam:index:AccessGroupRoster";

/** Type prefixes only this package's resources use (a type under them that no reader knows is an error, not "not ours"). */
export const ownTypePrefixes = ["pulumi-nodejs:dynamic/seam:", "seam:"] as const;

export type SeamResourceKind = "membership" | "roster";

/** A resource as a state file or a preview describes it (Pulumi's ResourceV3: `type`, and `custom`, false for a component). */
export interface TypedResource {
  readonly type?: string;
  readonly custom?: boolean;
}

/**
 * Which of this package's resources `resource` is, or undefined for another package's.
 *
 * A native type counts only as a custom resource: version 0.1.0 registered its roster as a
 * *component* of type `seam:index:AccessGroupRoster` (outputs `acsUserIds`) over one dynamic
 * membership per member, and such state must still read as those memberships, not as a native
 * roster declaring the same pairs again (test/fixtures/component-rosters-0.1.0.state.json).
 * Pulumi writes `custom` on every resource of a state and every step of `preview --json`.
 */
export function seamResourceKind(resource: TypedResource): SeamResourceKind | undefined {
  const { type } = resource;
  if (type === dynamicMembershipType) return "membership";
  if (type === dynamicRosterType) return "roster";
  if (resource.custom !== true) return undefined;
  if (type === nativeMembershipType) return "membership";
  if (type === nativeRosterType) return "roster";
  return undefined;
}

/** Whether `type` is one of the native provider's types (a roster's properties then need sharedProperties). */
export function isNativeType(type: string | undefined): boolean {
  return type === nativeMembershipType || type === nativeRosterType;
}

type Props = Record<string, unknown>;

/** A resource's inputs or outputs in the shared shape: a native roster's `acsUserIds` read as `members`. */
export function sharedProperties(type: string | undefined, props: Props): Props;
export function sharedProperties(type: string | undefined, props: Props | undefined): Props | undefined;
export function sharedProperties(type: string | undefined, props: Props | undefined): Props | undefined {
  if (type !== nativeRosterType || !props || !("acsUserIds" in props)) return props;
  const { acsUserIds, ...rest } = props;
  return { ...rest, members: acsUserIds };
}

/** The other way: shared-shape properties as a native roster holds them (`members` → `acsUserIds`). */
export function nativeProperties(type: string | undefined, props: Props): Props {
  if (type !== nativeRosterType || !("members" in props)) return props;
  const { members, ...rest } = props;
  return { ...rest, acsUserIds: members };
}
