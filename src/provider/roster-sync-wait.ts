/**
 * `seam:waitForSync` for a roster: after its adds and removes, wait (within
 * `seam:syncTimeoutSeconds`) until none of the changed members has a pending change of its
 * membership of the group, all members together.
 *
 * One look is one `/acs/access_groups/list_users` (each listed acs_user carries its
 * `pending_mutations`), plus one `/acs/users/get` per changed user the list does not show (a
 * removed member no longer appears in the group's list). Same poll policy, pending-change rules
 * and messages as a single membership's wait (sync-wait.ts).
 */
import type { SeamClient } from "../seam/client";
import type { SyncSettings } from "../seam/settings";
import { describePendingChanges, pendingChangesFor } from "./pending-membership-changes";
import { nextPollGapMs, syncPollPolicy } from "./sync-poll-policy";
import { Clock, SyncTimeoutError, systemClock } from "./sync-wait";

/**
 * Resolves once no changed member has anything pending for the group; throws SyncTimeoutError
 * naming what is still pending once the timeout has passed. Off (the default) or with nothing
 * changed, it returns at once without a request.
 */
export async function waitForRosterSync(
  seam: () => SeamClient,
  acsAccessGroupId: string,
  changedUserIds: readonly string[],
  sync: SyncSettings,
  clock: Clock = systemClock,
): Promise<void> {
  if (!sync.waitForSync || changedUserIds.length === 0) return;
  const client = seam();
  const policy = syncPollPolicy(sync.timeoutMs);
  const start = clock.now();
  let waiting = new Set(changedUserIds);
  for (let polls = 1; ; polls++) {
    const allowance = () => client.startOperation(start + sync.timeoutMs - clock.now());
    const listed = new Map(((await client.listAccessGroupMembers(acsAccessGroupId, allowance())) ?? []).map((u) => [u.acsUserId, u] as const));
    const pending = new Map<string, string>();
    await Promise.all(
      [...waiting].map(async (id) => {
        // A user that no longer exists has nothing pending.
        const user = listed.get(id) ?? (await client.getAcsUser(id, allowance()));
        const changes = user ? pendingChangesFor(user.pendingMutations, acsAccessGroupId) : [];
        if (changes.length > 0) pending.set(id, describePendingChanges(changes));
      }),
    );
    if (pending.size === 0) return;
    waiting = new Set(pending.keys());
    const gap = nextPollGapMs(polls, clock.now() - start, policy, clock.random);
    if (gap === undefined) {
      const shown = [...pending].slice(0, 3).map(([id, what]) => `acs_user_id=${id}: ${what}`);
      throw new SyncTimeoutError(
        `AccessGroupRoster (acs_access_group_id=${acsAccessGroupId}): Seam accepted the changes, but after ${sync.timeoutMs / 1000} s ` +
          `(seam:syncTimeoutSeconds) the access system has not applied ${pending.size} of them yet: ${shown.join("; ")}` +
          `${pending.size > shown.length ? `; and ${pending.size - shown.length} more` : ""}. The state records the members as they are at Seam; ` +
          "until the access system applies the changes, doors may not know. Check the access system's connection in Seam, or raise seam:syncTimeoutSeconds.",
      );
    }
    await clock.sleep(gap);
  }
}
