/**
 * A native roster names its member set `acsUserIds`, as AccessGroupRoster's argument does in a
 * Node.js program; the provider code it shares with the dynamic roster (src/provider/roster-*.ts)
 * stores it as `members`. These two functions are the only translation: every call passes through
 * them on the way in and out, so state, checks and netting stay those of the shared code.
 */
import type { Props } from "./struct";

/** Native properties → the shared roster code's shape (`acsUserIds` → `members`). */
export function toSharedRoster(props: Props): Props {
  if (!("acsUserIds" in props)) return props;
  const { acsUserIds, ...rest } = props;
  return { ...rest, members: acsUserIds };
}

/** The shared roster code's properties → native ones (`members` → `acsUserIds`). */
export function toNativeRoster(props: Props): Props {
  if (!("members" in props)) return props;
  const { members, ...rest } = props;
  return { ...rest, acsUserIds: members };
}

/** A check failure's property and reason, as the native roster names the member set. */
export function nativeFailure(failure: { property: string; reason: string }): { property: string; reason: string } {
  if (failure.property !== "members") return failure;
  return { property: "acsUserIds", reason: failure.reason.replace(/^members/, "acsUserIds").replace(/\bmembers\)/, "acsUserIds)") };
}
