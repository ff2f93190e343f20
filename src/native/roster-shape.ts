/**
 * A native roster names its member set `acsUserIds`, as AccessGroupRoster's argument does in a
 * Node.js program; the provider code it shares with the dynamic roster (src/provider/roster-*.ts)
 * stores it as `members`. Every call passes through these on the way in and out, so state, checks
 * and netting stay those of the shared code; the translation itself is provider/resource-types.ts,
 * which the review and audit use too.
 */
import { nativeProperties, nativeRosterType, sharedProperties } from "../provider/resource-types";
import type { Props } from "./struct";

/** Native properties → the shared roster code's shape (`acsUserIds` → `members`). */
export function toSharedRoster(props: Props): Props {
  return sharedProperties(nativeRosterType, props);
}

/** The shared roster code's properties → native ones (`members` → `acsUserIds`). */
export function toNativeRoster(props: Props): Props {
  return nativeProperties(nativeRosterType, props);
}

/** A check failure's property and reason, as the native roster names the member set. */
export function nativeFailure(failure: { property: string; reason: string }): { property: string; reason: string } {
  if (failure.property !== "members") return failure;
  return { property: "acsUserIds", reason: failure.reason.replace(/^members/, "acsUserIds").replace(/\bmembers\)/, "acsUserIds)") };
}
